/**
 * Middy middleware for routes that take a JSON body, checking in api.md's order: size (413),
 * media type (415), then syntax (400 invalid_json). Schema validation comes after, in the domain.
 */
import type { MiddlewareObj } from '@middy/core';
import type { JsonApiEvent } from './api-event';
import { invalidJson, payloadTooLarge, unsupportedMediaType } from './http-errors';

export const MAX_BODY_BYTES = 16 * 1024;

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$/i;

/** `application/json` or `application/<x>+json`, with no charset or UTF-8 (JSON is UTF-8, RFC 8259). */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [mediaType = '', ...parameters] = header.split(';').map((part) => part.trim());
  if (!JSON_MEDIA_TYPE.test(mediaType)) return false;
  return parameters.every((parameter) => {
    const [name = '', value = ''] = parameter.split('=').map((part) => part.trim().toLowerCase());
    return name !== 'charset' || ['utf-8', 'utf8', '"utf-8"'].includes(value);
  });
}

/** Lone surrogates (`"\ud800"`) are not text; stores and other clients handle them unpredictably. */
const LONE_SURROGATE = /\p{Surrogate}/u;

function rejectLoneSurrogates(key: string, value: unknown): unknown {
  if (LONE_SURROGATE.test(key) || (typeof value === 'string' && LONE_SURROGATE.test(value))) {
    throw new SyntaxError('lone surrogate');
  }
  return value;
}

export function parseJsonBody(event: Pick<JsonApiEvent, 'body' | 'isBase64Encoded' | 'headers'>): unknown {
  const raw = typeof event.body === 'string' ? event.body : '';
  const bytes = Buffer.from(raw, event.isBase64Encoded ? 'base64' : 'utf8');
  if (bytes.length > MAX_BODY_BYTES) throw payloadTooLarge(MAX_BODY_BYTES);
  if (!isJsonContentType(event.headers['content-type'])) throw unsupportedMediaType();
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalidJson('body is not valid UTF-8');
  }
  if (text.trim() === '') throw invalidJson('body is empty: send a JSON object');
  try {
    return JSON.parse(text, rejectLoneSurrogates);
  } catch {
    throw invalidJson('body is not valid JSON');
  }
}

export function jsonBody(): MiddlewareObj<JsonApiEvent> {
  return {
    before: (request) => {
      request.event.body = parseJsonBody(request.event);
    },
  };
}
