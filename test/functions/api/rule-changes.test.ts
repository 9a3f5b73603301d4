import { describe, expect, it } from 'vitest';
import { parseWith, ruleCreateSchema, rulePatchSchema, ruleSchema, ValidationError } from '../../../core/rule-model';
import { effectiveStatus, newRuleRecord, patchedRuleRecord, toRuleResource } from '../../../functions/api/rule-changes';
import { ruleRecord, T0 } from '../../support/api-fixtures';

const later = (ms: number) => new Date(T0.getTime() + ms);
const patch = (body: unknown) => parseWith(rulePatchSchema, body);

describe('rule lifecycle', () => {
  it('creates version 1, armed, with server-managed fields set', () => {
    const input = parseWith(ruleCreateSchema, { symbol: 'aapl$us', condition: { type: 'price_above', value: 10 } });
    const record = newRuleRecord('alice', input, { id: 'R'.repeat(22), now: T0 });

    expect(record).toMatchObject({ id: 'R'.repeat(22), owner: 'alice', version: 1, armed: true, triggerCount: 0, lastTriggeredAt: null, status: 'active' });
    expect(record.createdAt).toBe(T0.toISOString());
    expect(ruleSchema.parse(toRuleResource(record, T0))).toEqual(toRuleResource(record, T0));
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
    expect(toRuleResource(rule, later(5000)).status).toBe('expired');
  });

  it('applies a patch as a new, re-armed version, leaving trigger state alone', () => {
    const before = ruleRecord('alice', { armed: false, version: 4, triggerCount: 2, lastFiredAt: 5, firedThrough: 9 });
    const after = patchedRuleRecord(before, patch({ note: 'hi', cooldownSeconds: 0 }), later(1000));

    expect(after).toEqual({ ...before, note: 'hi', cooldownSeconds: 0, version: 5, armed: true, updatedAt: later(1000).toISOString() });
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
