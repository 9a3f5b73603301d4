import { describe, expect, it } from 'vitest';
import { UnusableData } from '../../ingest-task/src/unusable-data';
import { recordingLogger } from '../support/ingest-recording-logger';

describe('data a connection cannot use', () => {
  it('counts unmatched data and remembers the last 20 distinct raw symbols, newest last', () => {
    const unusable = new UnusableData({ logger: recordingLogger() });
    for (let i = 0; i < 25; i += 1) unusable.unmatched(`S${i}.US`, undefined, 'quote', i);
    unusable.unmatched('S10.US', undefined, 'quote', 30);
    const counts = unusable.counts();
    expect(counts.unmatched).toBe(26);
    expect(counts.unmatchedSymbols).toHaveLength(20);
    expect(counts.unmatchedSymbols[0]).toBe('S5.US');
    expect(counts.unmatchedSymbols.at(-1)).toBe('S10.US');
    expect(counts.unmatchedSymbols.filter((s) => s === 'S10.US')).toHaveLength(1);
  });

  it('warns once per symbol form per minute, each line counting the messages since the last', () => {
    const logger = recordingLogger();
    const unusable = new UnusableData({ logger });
    unusable.unmatched('MSFT.US', undefined, 'quote', 0);
    unusable.unmatched('MSFT.US', undefined, 'quote', 1_000);
    unusable.unmatched('MSFT.US', undefined, 'tick', 59_999);
    unusable.unmatched('MSFT', 'US', 'quote', 2_000);
    expect(logger.find('warn', '"MSFT.US"')).toHaveLength(1);
    expect(logger.find('warn', '"MSFT" (r "US")')).toHaveLength(1);
    unusable.unmatched('MSFT.US', undefined, 'quote', 60_000);
    const lines = logger.find('warn', '"MSFT.US"');
    expect(lines).toHaveLength(2);
    expect(lines[0]?.message).toMatch(/matches no subscribed symbol/);
    expect(lines.map((line) => line.attributes.messages)).toEqual([1, 3]);
    expect(lines[1]?.attributes).toMatchObject({ s: 'MSFT.US', unmatchedTotal: 5 });
  });

  it('counts unreadable messages and warns once per reason per minute', () => {
    const logger = recordingLogger();
    const unusable = new UnusableData({ logger, warnEveryMs: 1_000 });
    for (let at = 0; at < 10; at += 1) unusable.unreadable('malformed JSON', at);
    unusable.unreadable('tick without a positive price', 5);
    unusable.unreadable('malformed JSON', 1_000);
    expect(unusable.counts().unreadable).toBe(12);
    expect(logger.find('warn', 'malformed JSON').map((line) => line.attributes.messages)).toEqual([1, 10]);
    expect(logger.find('warn', 'tick without a positive price')).toHaveLength(1);
  });

  it('stays bounded under a flood of ever new symbol forms', () => {
    const logger = recordingLogger();
    const unusable = new UnusableData({ logger });
    for (let i = 0; i < 5_000; i += 1) unusable.unmatched(`X${i}`, undefined, 'tick', i);
    expect(unusable.counts()).toMatchObject({ unmatched: 5_000 });
    expect(unusable.counts().unmatchedSymbols).toHaveLength(20);
    // Forms whose line was forgotten may be said again, but never more than once per message.
    unusable.unmatched('X0', undefined, 'tick', 5_001);
    expect(logger.find('warn', '"X0"').length).toBeLessThanOrEqual(2);
  });
});
