import { describe, expect, it } from 'vitest';
import { planSubscriptions } from '../../ingest-task/src/subscription-plan';

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
});
