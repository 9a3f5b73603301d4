import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../core/rule-model';
import { listAlertsQuerySchema, listRulesQuerySchema, parseQuery } from '../../../functions/api/query-schemas';

describe('list query strings', () => {
  it('defaults the page size to 50 and treats empty values as absent', () => {
    expect(parseQuery(listRulesQuerySchema, undefined)).toEqual({ limit: 50 });
    expect(parseQuery(listRulesQuerySchema, { symbol: '', status: '', limit: '', cursor: '' })).toEqual({ limit: 50 });
  });

  it('drops empty values among repeated ones (API Gateway joins repeats with commas)', () => {
    expect(parseQuery(listRulesQuerySchema, { symbol: ',aapl$us', limit: '5,' })).toEqual({ symbol: 'AAPL$US', limit: 5 });
    expect(parseQuery(listRulesQuerySchema, { status: ',,' })).toEqual({ limit: 50 });
    expect(() => parseQuery(listRulesQuerySchema, { status: 'active,paused' })).toThrow('status must be one of');
  });

  it('normalises symbols and times like the body does', () => {
    expect(parseQuery(listAlertsQuerySchema, { symbol: ' 700$hk', since: '2026-03-02T16:30:00+02:00', limit: '100' })).toEqual({
      symbol: '700$HK',
      since: '2026-03-02T14:30:00.000Z',
      limit: 100,
    });
  });

  it.each([['0'], ['101'], ['1e1'], ['-1'], [' 5'], ['0x10'], ['5,6']])('refuses limit=%s', (limit) => {
    expect(() => parseQuery(listRulesQuerySchema, { limit })).toThrow(ValidationError);
  });

  it('refuses unknown parameters, naming them', () => {
    expect(() => parseQuery(listRulesQuerySchema, { stauts: 'paused' })).toThrow('stauts is not a known field');
  });
});
