import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { conditionSchema, parseWith, ruleCreateSchema, type Rule } from '../../core/rule-model';
import { conditionTypeSpecs } from '../../dashboard/src/condition-specs';
import { emptyForm, errorsByField, fieldKeyOf, formFromRule, JSON_CONDITION, ruleBody, rulePatch, type RuleFormValues } from '../../dashboard/src/rule-form-model';

const specs = conditionTypeSpecs(z.toJSONSchema(conditionSchema, { io: 'input', unrepresentable: 'any' }));

const rule: Rule = {
  id: 'R1',
  symbol: 'AAPL$US',
  condition: { type: 'enters_channel', lower: 190, upper: 210 },
  trigger: 'repeat',
  cooldownSeconds: 60,
  expiresAt: null,
  channels: [
    { type: 'telegram', chatId: '123456789' },
    { type: 'webhook', url: 'https://example.com/hook' },
  ],
  message: null,
  note: 'swing',
  status: 'active',
  pausedReason: null,
  snoozedUntil: null,
  createdAt: '2026-03-02T14:30:00.000Z',
  updatedAt: '2026-03-02T14:30:00.000Z',
  lastTriggeredAt: null,
  triggerCount: 0,
  statusMessage: null,
  warmUp: null,
};

const form = (patch: Partial<RuleFormValues> = {}): RuleFormValues => ({ ...emptyForm(specs), ...patch });

describe('the rule form’s model', () => {
  it('turns what was typed into a body the API takes', () => {
    const body = ruleBody(
      form({ symbol: ' aapl$us ', conditionFields: { value: '200.5' }, channels: [{ kind: 'email', address: ' me@example.com ' }], expiresAt: '', note: 'x' }),
      specs,
    );
    expect(body).toEqual({
      symbol: 'aapl$us',
      condition: { type: 'crosses_above', value: 200.5 },
      trigger: 'rearm',
      cooldownSeconds: 300,
      expiresAt: null,
      channels: [{ type: 'email', to: 'me@example.com' }],
      message: null,
      note: 'x',
    });
    expect(ruleCreateSchema.safeParse(body).success).toBe(true);
  });

  it('composes the symbol from the market picked and the code typed', () => {
    expect(ruleBody(form({ market: 'crypto', symbol: ' btcusdt$ba ' }), specs).symbol).toBe('crypto:btcusdt$ba');
    expect(ruleBody(form({ market: 'stock', symbol: '700$hk' }), specs).symbol).toBe('700$hk');
    // A prefix typed by hand wins, and what is not a symbol is sent as typed for the API to judge.
    expect(ruleBody(form({ market: 'stock', symbol: 'forex:EURUSD$GB' }), specs).symbol).toBe('forex:EURUSD$GB');
    expect(ruleBody(form({ market: 'fund', symbol: '' }), specs).symbol).toBe('');
    expect(parseWith(ruleCreateSchema, ruleBody(form({ market: 'indices', symbol: 'dji$us', conditionFields: { value: '40000' } }), specs)).symbol).toBe('indices:DJI$US');
  });

  it('starts a new rule on the charted symbol, its market picked', () => {
    expect(emptyForm(specs, 'crypto:BTCUSDT$BA')).toMatchObject({ market: 'crypto', symbol: 'BTCUSDT$BA' });
    expect(emptyForm(specs, 'AAPL$US')).toMatchObject({ market: 'stock', symbol: 'AAPL$US' });
    expect(emptyForm(specs)).toMatchObject({ market: 'stock', symbol: '' });
  });

  it('sends what is not a number as typed, so the API says what is wrong with it', () => {
    expect(ruleBody(form({ conditionFields: { value: 'abc' }, cooldownSeconds: '5 min' }), specs)).toMatchObject({ condition: { value: 'abc' }, cooldownSeconds: '5 min' });
    // An empty required field is left out: the API answers "is required".
    expect(ruleBody(form({ conditionFields: {} }), specs).condition).toEqual({ type: 'crosses_above' });
    expect(ruleBody(form({ conditionType: JSON_CONDITION, conditionJson: '{"type":"crosses","value":5}' }), specs).condition).toEqual({ type: 'crosses', value: 5 });
    expect(ruleBody(form({ conditionType: JSON_CONDITION, conditionJson: '{oops' }), specs).condition).toBe('{oops');
  });

  it('edits a rule: its values in the form, and a patch of only what changed', () => {
    const values = formFromRule(rule, specs);
    expect(values).toMatchObject({ conditionType: 'enters_channel', conditionFields: { lower: '190', upper: '210' }, trigger: 'repeat', cooldownSeconds: '60' });
    expect(values.channels).toEqual([
      { kind: 'telegram', address: '123456789' },
      { kind: 'webhook', address: 'https://example.com/hook' },
    ]);
    expect(rulePatch(rule, ruleBody(values, specs))).toEqual({});
    // A rule of another market edits in its market, and an unchanged symbol is not sent.
    const crypto = { ...rule, symbol: 'crypto:BTCUSDT$BA', status: 'invalid_symbol' as const, statusMessage: 'unknown' };
    expect(formFromRule(crypto, specs)).toMatchObject({ market: 'crypto', symbol: 'BTCUSDT$BA' });
    expect(rulePatch(crypto, ruleBody(formFromRule(crypto, specs), specs))).toEqual({});
    expect(rulePatch(crypto, ruleBody({ ...formFromRule(crypto, specs), symbol: 'ETHUSDT$BA' }, specs))).toEqual({ symbol: 'crypto:ETHUSDT$BA' });
    expect(rulePatch(rule, ruleBody({ ...values, conditionFields: { lower: '195', upper: '210' } }, specs))).toEqual({ condition: { type: 'enters_channel', lower: 195, upper: 210 } });
    // A type the form does not know is edited as JSON.
    expect(formFromRule({ ...rule, condition: { type: 'made_up_indicator', value: 70 } as unknown as Rule['condition'] }, specs).conditionType).toBe(JSON_CONDITION);
  });

  it('puts each API error next to its field', () => {
    const values = form({ channels: [{ kind: 'email', address: 'x' }] });
    expect(fieldKeyOf('symbol', values, specs)).toBe('symbol');
    expect(fieldKeyOf('condition.value', values, specs)).toBe('condition.value');
    expect(fieldKeyOf('condition', values, specs)).toBe('condition.type');
    expect(fieldKeyOf('condition.type', values, specs)).toBe('condition.type');
    expect(fieldKeyOf('channels[0].to', values, specs)).toBe('channels.0');
    expect(fieldKeyOf('channels[3]', values, specs)).toBe('channels');
    expect(fieldKeyOf('cooldownSeconds', values, specs)).toBe('cooldownSeconds');
    expect(fieldKeyOf('', values, specs)).toBe('form');
    expect(fieldKeyOf('condition.value', { ...values, conditionType: JSON_CONDITION }, specs)).toBe('condition.json');
    expect(
      errorsByField(
        [
          { path: 'condition.value', message: 'must be a positive number' },
          { path: 'colour', message: 'is not a known field' },
        ],
        values,
        specs,
      ),
    ).toEqual({ 'condition.value': ['must be a positive number'], form: ['colour is not a known field'] });
  });
});
