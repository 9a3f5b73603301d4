import { describe, expect, it } from 'vitest';
import { planMarkets, planSubscriptions } from '../../ingest-task/src/subscription-plan';

describe('planning subscriptions', () => {
  it('puts every symbol on the one connection when the plan has no known limit', () => {
    expect(planSubscriptions(['B$US', 'A$US'], [], { connections: 1, maxPerConnection: undefined })).toEqual({ connections: [['A$US', 'B$US']], unwatched: [] });
  });

  it('lists the symbols over the limit as unwatched', () => {
    expect(planSubscriptions(['A$US', 'B$US', 'C$US', 'D$US'], [], { connections: 1, maxPerConnection: 3 })).toEqual({
      connections: [['A$US', 'B$US', 'C$US']],
      unwatched: ['D$US'],
    });
  });

  it('keeps watching the symbols already watched when new ones push the list over the limit', () => {
    const plan = planSubscriptions(['A$US', 'B$US', 'Z$US'], [['B$US', 'Z$US']], { connections: 1, maxPerConnection: 2 });
    expect(plan).toEqual({ connections: [['B$US', 'Z$US']], unwatched: ['A$US'] });
  });

  it('fills a second connection only when the plan allows one and the first is full', () => {
    expect(planSubscriptions(['A$US', 'B$US', 'C$US'], [], { connections: 2, maxPerConnection: 2 })).toEqual({ connections: [['A$US', 'B$US'], ['C$US']], unwatched: [] });
    expect(planSubscriptions(['A$US'], [], { connections: 2, maxPerConnection: 2 })).toEqual({ connections: [['A$US'], []], unwatched: [] });
  });

  it('never moves a symbol between connections, and fills freed slots with waiting symbols', () => {
    const before = [['A$US', 'B$US'], ['C$US', 'D$US']];
    const plan = planSubscriptions(['B$US', 'C$US', 'D$US', 'E$US', 'F$US'], before, { connections: 2, maxPerConnection: 2 });
    expect(plan).toEqual({ connections: [['B$US', 'E$US'], ['C$US', 'D$US']], unwatched: ['F$US'] });
  });

  it('trims a connection when the limit setting is lowered', () => {
    expect(planSubscriptions(['A$US', 'B$US', 'C$US'], [['A$US', 'B$US', 'C$US']], { connections: 1, maxPerConnection: 2 })).toEqual({
      connections: [['A$US', 'B$US']],
      unwatched: ['C$US'],
    });
  });

  it('plans each market on connections of its own, with the limits per market, and always plans stocks', () => {
    const plans = planMarkets(['AAPL$US', 'crypto:BTCUSDT$BA', 'crypto:ETHUSDT$BA', 'crypto:SOLUSDT$BA', 'forex:EURUSD$GB'], new Map(), { connections: 1, maxPerConnection: 2 });
    expect(Object.fromEntries(plans)).toEqual({
      stock: { connections: [['AAPL$US']], unwatched: [] },
      crypto: { connections: [['crypto:BTCUSDT$BA', 'crypto:ETHUSDT$BA']], unwatched: ['crypto:SOLUSDT$BA'] },
      forex: { connections: [['forex:EURUSD$GB']], unwatched: [] },
    });
    expect(Object.fromEntries(planMarkets([], new Map(), { connections: 2, maxPerConnection: undefined }))).toEqual({ stock: { connections: [[], []], unwatched: [] } });
  });

  it('keeps each market sticky, and plans a market that lost its symbols with empty connections so they close', () => {
    const previous = new Map([
      ['crypto' as const, [['crypto:ETHUSDT$BA']]],
      ['forex' as const, [['forex:EURUSD$GB']]],
    ]);
    const plans = planMarkets(['crypto:BTCUSDT$BA', 'crypto:ETHUSDT$BA'], previous, { connections: 1, maxPerConnection: 1 });
    expect(plans.get('crypto')).toEqual({ connections: [['crypto:ETHUSDT$BA']], unwatched: ['crypto:BTCUSDT$BA'] });
    expect(plans.get('forex')).toEqual({ connections: [[]], unwatched: [] });
  });
});
