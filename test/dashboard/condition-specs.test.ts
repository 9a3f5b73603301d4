import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { CONDITION_TYPES, conditionSchema } from '../../core/rule-model';
import { conditionTypeSpecs, fieldLabel, typeLabel } from '../../dashboard/src/condition-specs';

// What the build hands the rule form (dashboard/build.ts): derived from the rule model itself.
const specs = conditionTypeSpecs(z.toJSONSchema(conditionSchema, { io: 'input', unrepresentable: 'any' }));
const spec = (type: string) => specs.find((s) => s.type === type);

describe('the rule form’s condition fields, from the rule model', () => {
  it('offers every condition type of the model, each once', () => {
    const types = specs.map((s) => s.type);
    expect(new Set(types).size).toBe(types.length);
    for (const type of CONDITION_TYPES) expect(types).toContain(type);
  });

  it('reads each field’s kind, whether it is required and its bounds', () => {
    expect(spec('crosses_above')?.fields).toEqual([{ name: 'value', kind: 'number', required: true, min: 0.000001, max: 1_000_000_000 }]);
    expect(spec('enters_channel')?.fields.map((f) => f.name)).toEqual(['lower', 'upper']);
    expect(spec('moves_up_pct')?.fields).toContainEqual({ name: 'windowSeconds', kind: 'integer', required: true, min: 1, max: 86_400 });
  });

  it('reads the indicator fields: exclusive bounds, interval and direction choices, optional session', () => {
    const rsi = spec('rsi_above')?.fields ?? [];
    expect(rsi).toContainEqual({ name: 'value', kind: 'number', required: true, above: 0, below: 100 });
    expect(rsi).toContainEqual({ name: 'period', kind: 'integer', required: true, min: 2, max: 100 });
    expect(rsi).toContainEqual({ name: 'interval', kind: 'choice', required: true, choices: ['1m', '5m', '15m', '1h', '1d'] });
    expect(rsi.find((f) => f.name === 'session')).toMatchObject({ kind: 'choice', required: false });
    expect(spec('macd_cross')?.fields).toContainEqual({ name: 'direction', kind: 'choice', required: true, choices: ['up', 'down'] });
    expect(['crosses_above', 'rsi_above', 'macd_cross', 'ma_cross', 'bollinger_break'].map(typeLabel)).toEqual([
      'crosses above',
      'RSI above',
      'MACD cross',
      'MA cross',
      'Bollinger break',
    ]);
  });

  it('leaves what has no input of its own (the list of an all / any) to JSON', () => {
    expect(spec('all')?.fields).toEqual([{ name: 'conditions', kind: 'json', required: true }]);
  });

  it('picks up a type it has never seen, with its fields (enums as choices)', () => {
    const future = conditionTypeSpecs({
      oneOf: [
        {
          type: 'object',
          properties: { type: { const: 'rsi_above' }, value: { type: 'number', minimum: 0, maximum: 100 }, timeframe: { type: 'string', enum: ['1m', '5m'] }, period: { type: 'integer' } },
          required: ['type', 'value', 'timeframe'],
        },
      ],
    });
    expect(future).toEqual([
      {
        type: 'rsi_above',
        fields: [
          { name: 'value', kind: 'number', required: true, min: 0, max: 100 },
          { name: 'timeframe', kind: 'choice', required: true, choices: ['1m', '5m'] },
          { name: 'period', kind: 'integer', required: false },
        ],
      },
    ]);
    expect(conditionTypeSpecs('not a schema')).toEqual([]);
  });

  it('labels fields as a trader says them, and unknown ones from their names', () => {
    expect(fieldLabel('value')).toBe('Level');
    expect(fieldLabel('windowSeconds')).toBe('Window (seconds)');
    expect(fieldLabel('slowPeriod')).toBe('Slow period');
  });
});
