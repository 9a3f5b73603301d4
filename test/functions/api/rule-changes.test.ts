import { describe, expect, it } from 'vitest';
import { parseWith, ruleCreateSchema, rulePatchSchema, ruleSchema, ValidationError } from '../../../core/rule-model';
import { effectiveStatus, newRuleRecord, patchedRuleRecord, shownStatus, toRuleResource } from '../../../functions/api/rule-changes';
import type { SymbolFeedState } from '../../../storage/symbols-repository';
import { ruleRecord, T0 } from '../../support/api-fixtures';

const later = (ms: number) => new Date(T0.getTime() + ms);
const patch = (body: unknown) => parseWith(rulePatchSchema, body);

describe('rule lifecycle', () => {
  it('creates version 1, armed, with server-managed fields set', () => {
    const input = parseWith(ruleCreateSchema, { symbol: 'aapl$us', condition: { type: 'price_above', value: 10 } });
    const record = newRuleRecord('alice', input, { id: 'R'.repeat(22), now: T0 });

    expect(record).toMatchObject({ id: 'R'.repeat(22), owner: 'alice', version: 1, armed: true, triggerCount: 0, lastTriggeredAt: null, status: 'active' });
    expect(record.createdAt).toBe(T0.toISOString());
    expect(ruleSchema.parse(toRuleResource(record, T0, undefined))).toEqual(toRuleResource(record, T0, undefined));
  });

  it('refuses an expiry that is not in the future', () => {
    const input = parseWith(ruleCreateSchema, { symbol: 'AAPL$US', condition: { type: 'price_above', value: 10 }, expiresAt: T0.toISOString() });
    expect(() => newRuleRecord('alice', input, { id: 'x', now: T0 })).toThrow(new ValidationError([{ path: 'expiresAt', message: 'must be in the future' }]));
  });

  it('shows an active rule as expired from its expiresAt on', () => {
    const rule = ruleRecord('alice', { expiresAt: later(1000).toISOString() });
    expect(effectiveStatus(rule, later(999))).toBe('active');
    expect(effectiveStatus(rule, later(1000))).toBe('expired');
    expect(effectiveStatus({ ...rule, status: 'paused' }, later(2000))).toBe('paused');
    expect(toRuleResource(rule, later(5000), undefined).status).toBe('expired');
  });

  it('applies a patch as a new, re-armed version, leaving trigger state alone', () => {
    const before = ruleRecord('alice', { armed: false, version: 4, triggerCount: 2, lastFiredAt: 5, firedThrough: 9 });
    const after = patchedRuleRecord(before, patch({ note: 'hi', cooldownSeconds: 0 }), later(1000));

    expect(after).toEqual({ ...before, note: 'hi', cooldownSeconds: 0, version: 5, armed: true, updatedAt: later(1000).toISOString() });
  });

  it('snoozes and wakes a rule as a new version that keeps its trigger state (no re-arm); a snooze in the past is refused', () => {
    const before = ruleRecord('alice', { armed: false, version: 4 });
    const until = later(3_600_000).toISOString();
    const snoozed = patchedRuleRecord(before, patch({ snoozedUntil: until }), later(1000));
    expect(snoozed).toMatchObject({ snoozedUntil: until, version: 5, armed: false });
    expect(patchedRuleRecord(snoozed, patch({ snoozedUntil: null }), later(2000))).toMatchObject({ snoozedUntil: null, version: 6, armed: false });
    // With any other field the patch is an ordinary change: re-armed.
    expect(patchedRuleRecord(before, patch({ snoozedUntil: until, note: 'x' }), later(1000)).armed).toBe(true);
    expect(() => patchedRuleRecord(before, patch({ snoozedUntil: T0.toISOString() }), later(1000))).toThrow(
      new ValidationError([{ path: 'snoozedUntil', message: 'must be in the future' }]),
    );
  });

  it('pauses, and resumes a paused, triggered or expired rule', () => {
    const active = ruleRecord('alice');
    expect(patchedRuleRecord(active, patch({ status: 'paused' }), T0).status).toBe('paused');
    for (const status of ['paused', 'triggered', 'expired'] as const) {
      expect(patchedRuleRecord({ ...active, status }, patch({ status: 'active' }), T0).status).toBe('active');
    }
  });

  it('keeps a rule past its expiry expired unless the patch revives it with a later expiry', () => {
    const lapsed = ruleRecord('alice', { expiresAt: T0.toISOString() });
    const now = later(1000);

    expect(patchedRuleRecord(lapsed, patch({ note: 'x' }), now).status).toBe('expired');
    expect(() => patchedRuleRecord(lapsed, patch({ status: 'active' }), now)).toThrow(/expiresAt has passed/);
    expect(patchedRuleRecord(lapsed, patch({ status: 'active', expiresAt: null }), now)).toMatchObject({ status: 'active', expiresAt: null });
    expect(() => patchedRuleRecord(lapsed, patch({ expiresAt: T0.toISOString() }), now)).toThrow(/must be in the future/);
  });
});

describe("the feed's verdict on a rule", () => {
  const refused: SymbolFeedState = { invalid: { message: 'iTick does not know ZZZZ$US (not found this produce)', at: T0.toISOString() }, warmUp: {} };
  const warming = (warmUp: SymbolFeedState['warmUp']): SymbolFeedState => ({ invalid: undefined, warmUp });

  it('shows an active rule on a symbol iTick refused as invalid_symbol, with the refusal as its message', () => {
    const rule = ruleRecord('alice', { symbol: 'ZZZZ$US' });
    expect(shownStatus(rule, T0, refused)).toBe('invalid_symbol');
    const resource = toRuleResource(rule, T0, refused);
    expect(resource).toMatchObject({ status: 'invalid_symbol', statusMessage: refused.invalid?.message, warmUp: null });
    expect(ruleSchema.parse(resource)).toEqual(resource);
  });

  it('leaves paused, triggered and expired rules as they are, with no message', () => {
    for (const status of ['paused', 'triggered'] as const) {
      expect(toRuleResource(ruleRecord('alice', { status }), T0, refused)).toMatchObject({ status, statusMessage: null });
    }
    const lapsed = ruleRecord('alice', { expiresAt: T0.toISOString() });
    expect(shownStatus(lapsed, later(1), refused)).toBe('expired');
    expect(shownStatus(ruleRecord('alice'), T0, undefined)).toBe('active');
    expect(toRuleResource(ruleRecord('alice'), T0, undefined)).toMatchObject({ status: 'active', statusMessage: null, warmUp: null });
  });

  it('says which intervals of its condition warm from live data, since the first of them', () => {
    const rule = ruleRecord('alice', {
      condition: { type: 'all', conditions: [{ type: 'rsi_above', period: 14, value: 70, interval: '5m' }, { type: 'ma_cross', kind: 'sma', fast: 5, slow: 20, interval: '1m', direction: 'up' }] },
    });
    const feed = warming({
      '5m': { since: later(60_000).toISOString(), reason: "iTick's REST budget is spent" },
      '1m': { since: T0.toISOString(), reason: 'iTick answered 429' },
      '1d': { since: T0.toISOString(), reason: 'not this rule' },
    });
    const resource = toRuleResource(rule, T0, feed);
    expect(resource.warmUp).toEqual({ state: 'warming_from_live_data', intervals: ['1m', '5m'], since: T0.toISOString(), reason: "iTick answered 429; iTick's REST budget is spent" });
    expect(ruleSchema.parse(resource)).toEqual(resource);
  });

  it('shows no warm-up for a rule that reads no bars, or that is not being evaluated', () => {
    const feed = warming({ '1m': { since: T0.toISOString(), reason: 'budget' } });
    expect(toRuleResource(ruleRecord('alice'), T0, feed).warmUp).toBeNull();
    const rsi = { type: 'rsi_below', period: 14, value: 30, interval: '1m' } as const;
    expect(toRuleResource(ruleRecord('alice', { condition: rsi }), T0, feed).warmUp).toMatchObject({ intervals: ['1m'] });
    expect(toRuleResource(ruleRecord('alice', { condition: rsi, status: 'paused' }), T0, feed).warmUp).toBeNull();
    expect(toRuleResource(ruleRecord('alice', { condition: rsi }), T0, { ...feed, invalid: refused.invalid }).warmUp).toBeNull();
  });

  it('resumes or edits an invalid_symbol rule as an ordinary change of an active rule', () => {
    const rule = ruleRecord('alice', { symbol: 'ZZZZ$US', version: 3 });
    expect(patchedRuleRecord(rule, patch({ status: 'active' }), T0)).toMatchObject({ status: 'active', version: 4 });
    expect(patchedRuleRecord(rule, patch({ symbol: 'zzz$us' }), T0)).toMatchObject({ symbol: 'ZZZ$US', status: 'active', version: 4 });
  });
});
