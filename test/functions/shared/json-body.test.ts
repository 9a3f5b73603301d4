import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../functions/shared/http-errors';
import { isJsonContentType, MAX_BODY_BYTES, parseJsonBody } from '../../../functions/shared/json-body';

const JSON_TYPE = { 'content-type': 'application/json' };

function refusal(event: Parameters<typeof parseJsonBody>[0]): { statusCode: number; code: string } {
  try {
    parseJsonBody(event);
  } catch (error) {
    if (error instanceof HttpError) return { statusCode: error.statusCode, code: error.code };
    throw error;
  }
  throw new Error('accepted');
}

describe('JSON body', () => {
  it('parses a JSON body, base64-encoded or not', () => {
    expect(parseJsonBody({ body: '{"a":1}', isBase64Encoded: false, headers: JSON_TYPE })).toEqual({ a: 1 });
    expect(parseJsonBody({ body: Buffer.from('{"a":"é"}').toString('base64'), isBase64Encoded: true, headers: JSON_TYPE })).toEqual({ a: 'é' });
  });

  it('checks size first, then media type, then syntax', () => {
    const big = 'x'.repeat(MAX_BODY_BYTES + 1);
    expect(refusal({ body: big, isBase64Encoded: false, headers: {} })).toEqual({ statusCode: 413, code: 'payload_too_large' });
    expect(refusal({ body: '{', isBase64Encoded: false, headers: { 'content-type': 'text/plain' } })).toEqual({ statusCode: 415, code: 'unsupported_media_type' });
    expect(refusal({ body: '{', isBase64Encoded: false, headers: JSON_TYPE })).toEqual({ statusCode: 400, code: 'invalid_json' });
  });

  it('counts the limit in bytes, not characters', () => {
    const multiByte = '"' + 'é'.repeat(MAX_BODY_BYTES / 2) + '"';
    expect(refusal({ body: multiByte, isBase64Encoded: false, headers: JSON_TYPE }).statusCode).toBe(413);
  });

  it.each(['', '   ', 'NaN', '{"a":Infinity}', '{"a":1,}', "{'a':1}", '{"\\ud800":1}', '["\\udfff"]'])('refuses %j as invalid_json', (body) => {
    expect(refusal({ body, isBase64Encoded: false, headers: JSON_TYPE })).toEqual({ statusCode: 400, code: 'invalid_json' });
  });

  it('accepts a surrogate pair: it is one character', () => {
    expect(parseJsonBody({ body: '"\\ud83d\\ude00"', isBase64Encoded: false, headers: JSON_TYPE })).toBe('😀');
  });

  it('knows JSON media types', () => {
    for (const type of ['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON;charset="UTF-8"', 'application/merge-patch+json']) {
      expect(isJsonContentType(type)).toBe(true);
    }
    for (const type of [undefined, '', 'text/json', 'application/jsonx', 'application/json; charset=utf-16', 'multipart/form-data']) {
      expect(isJsonContentType(type)).toBe(false);
    }
  });
});
