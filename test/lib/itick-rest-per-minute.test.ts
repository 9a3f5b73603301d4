/** `itickRestPerMinute`: the token's REST budget as a CDK context value, checked by the evaluator's own parser and passed to it as ITICK_REST_PER_MINUTE. */
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { loadEvaluatorConfig } from '../../functions/shared/config';
import { readStackConfig, StackConfigError } from '../../lib/stack-config';
import { cdkJsonContext, functionProperties, sampleEnvironment, stockAlertsStack } from './stack-fixture';

const configWith = (context: Record<string, unknown>) => readStackConfig(new App({ context: { ...cdkJsonContext(), ...context } }).node);

describe('itickRestPerMinute', () => {
  it("defaults to the free plan's 5 and takes a number or a -c string", () => {
    expect(configWith({}).itickRestPerMinute).toBe(5);
    expect(configWith({ itickRestPerMinute: 60 }).itickRestPerMinute).toBe(60);
    expect(configWith({ itickRestPerMinute: '600' }).itickRestPerMinute).toBe(600);
  });

  it.each([0, '5.5', 'lots', null, 1_000_000])('refuses %j with one line naming the key', (value) => {
    expect(() => configWith({ itickRestPerMinute: value })).toThrow(StackConfigError);
    expect(() => configWith({ itickRestPerMinute: value })).toThrow(/^context itickRestPerMinute /);
  });

  it('reaches the evaluator as ITICK_REST_PER_MINUTE, which its configuration reads', () => {
    const { template } = stockAlertsStack({ context: { itickRestPerMinute: 30 } });
    const env = sampleEnvironment(template, functionProperties(template, 'EvaluatorFunction').Environment.Variables);
    expect(env.ITICK_REST_PER_MINUTE).toBe('30');
    expect(loadEvaluatorConfig(env).itickRestBudget.perMinute).toBe(30);
  });
});
