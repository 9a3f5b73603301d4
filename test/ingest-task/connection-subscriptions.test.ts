import { describe, expect, it } from 'vitest';
import { ConnectionSubscriptions, refusalKind } from '../../ingest-task/src/connection-subscriptions';
import { recordingLogger } from '../support/ingest-recording-logger';

function subscriptions(requestChunk = 200) {
  const logger = recordingLogger();
  const resets: string[][] = [];
  const invalid: { symbols: string[]; msg: string }[] = [];
  const subs = new ConnectionSubscriptions({
    requestChunk,
    logger,
    onSubscribing: (symbols) => resets.push([...symbols]),
    onInvalid: (symbols, msg) => invalid.push({ symbols: [...symbols], msg }),
  });
  return { subs, logger, resets, invalid };
}

const E001 = 'not found this produce';
const E003 = 'exceeding the maximum subscription limit';

/** Plays iTick: a subscribe containing any `unknown` symbol is refused as a whole with E001; returns the requests made. */
function answerAll(subs: ConnectionSubscriptions, unknown: ReadonlySet<string>, limit = Number.POSITIVE_INFINITY): string[][] {
  const requests: string[][] = [];
  let subscribed = 0;
  for (let request = subs.next(); request !== undefined; request = subs.next()) {
    requests.push(request.symbols);
    if (requests.length > 1_000) throw new Error('no end to the requests');
    if (request.symbols.some((symbol) => unknown.has(symbol))) subs.answered('subscribe', false, E001);
    else if (subscribed + request.symbols.length > limit) subs.answered('subscribe', false, E003);
    else {
      subscribed += request.symbols.length;
      subs.answered('subscribe', true, 'subscribe Successfully');
    }
  }
  return requests;
}

describe("one connection's subscriptions", () => {
  it('asks for the wanted symbols in chunks, one request at a time, and takes data for them from the moment it asks', () => {
    const { subs, resets } = subscriptions(2);
    expect(subs.setWanted(['A$US', 'B$US', 'C$US'])).toBe(true);
    expect(subs.setWanted(['C$US', 'B$US', 'A$US'])).toBe(false);
    expect(subs.next()).toEqual({ action: 'subscribe', symbols: ['A$US', 'B$US'] });
    expect(subs.next()).toBeUndefined();
    expect(subs.resolve('A', 'US')).toBe('A$US');
    expect(subs.answered('subscribe', true, 'ok')).toBe('next');
    expect(subs.next()).toEqual({ action: 'subscribe', symbols: ['C$US'] });
    expect(subs.answered('subscribe', true, 'ok')).toBe('next');
    expect(subs.next()).toBeUndefined();
    expect(subs.confirmed()).toEqual(['A$US', 'B$US', 'C$US']);
    expect(resets).toEqual([['A$US', 'B$US'], ['C$US']]);
  });

  it('unsubscribes removed symbols before subscribing new ones, and stops taking their data at once', () => {
    const { subs } = subscriptions();
    subs.setWanted(['A$US']);
    subs.next();
    subs.answered('subscribe', true, 'ok');
    subs.setWanted(['B$US']);
    expect(subs.next()).toEqual({ action: 'unsubscribe', symbols: ['A$US'] });
    expect(subs.resolve('A', 'US')).toBeUndefined();
    expect(subs.answered('unsubscribe', true, 'ok')).toBe('next');
    expect(subs.next()).toEqual({ action: 'subscribe', symbols: ['B$US'] });
  });

  it('asks one symbol at a time after a refused subscribe of several, and reports only the ones refused alone', () => {
    const { subs, logger } = subscriptions();
    subs.setWanted(['A$US', 'B$US']);
    subs.next();
    expect(subs.answered('subscribe', false, 'exceeding the maximum subscription limit')).toBe('next');
    expect(subs.next()).toEqual({ action: 'subscribe', symbols: ['A$US'] });
    subs.answered('subscribe', true, 'ok');
    expect(subs.next()).toEqual({ action: 'subscribe', symbols: ['B$US'] });
    subs.answered('subscribe', false, 'exceeding the maximum subscription limit');
    expect(subs.next()).toBeUndefined();
    expect(subs.confirmed()).toEqual(['A$US']);
    expect(subs.refusedSymbols()).toEqual(['B$US']);
    expect(subs.resolve('B', 'US')).toBeUndefined();
    expect(logger.find('error', 'these symbols are not watched')[0]?.attributes).toMatchObject({ symbols: ['B$US'] });
    // A change of the wanted set asks for refused symbols again.
    subs.setWanted(['B$US']);
    expect(subs.refusedSymbols()).toEqual([]);
  });

  it('calls for a reconnect when iTick refuses to unsubscribe, and drops an answer nobody asked for', () => {
    const { subs } = subscriptions();
    expect(subs.answered('subscribe', true, 'ok')).toBe('unexpected');
    subs.setWanted(['A$US']);
    subs.next();
    subs.answered('subscribe', true, 'ok');
    subs.setWanted([]);
    subs.next();
    expect(subs.answered('unsubscribe', false, 'no')).toBe('reconnect');
  });

  it('starts over with nothing subscribed and nothing pending after the socket closed', () => {
    const { subs } = subscriptions();
    subs.setWanted(['A$US']);
    subs.next();
    subs.answered('subscribe', true, 'ok');
    subs.reset();
    expect(subs.confirmed()).toEqual([]);
    expect(subs.resolve('A', 'US')).toBeUndefined();
    expect(subs.next()).toEqual({ action: 'subscribe', symbols: ['A$US'] });
  });

  it("tells E001 (an unknown symbol) from E003 (the plan's limit) and anything else, by code or by words", () => {
    expect(refusalKind('not found this produce')).toBe('unknown-symbol');
    expect(refusalKind('E001')).toBe('unknown-symbol');
    expect(refusalKind('E001: Not Found This Product')).toBe('unknown-symbol');
    expect(refusalKind('exceeding the maximum subscription limit')).toBe('limit');
    expect(refusalKind('E003')).toBe('limit');
    expect(refusalKind('cannot be resolved action')).toBe('other');
    expect(refusalKind('')).toBe('other');
  });

  it('bisects a subscribe refused with E001 down to the unknown symbol, subscribes the others and reports it once', () => {
    const { subs, invalid, logger } = subscriptions();
    const symbols = ['A$US', 'B$US', 'C$US', 'ZZZZQ$US', 'E$US', 'F$US', 'G$US', 'H$US'];
    subs.setWanted(symbols);
    const requests = answerAll(subs, new Set(['ZZZZQ$US']));
    expect(subs.confirmed()).toEqual(symbols.filter((symbol) => symbol !== 'ZZZZQ$US').sort());
    expect(subs.invalidSymbols()).toEqual(['ZZZZQ$US']);
    expect(subs.refusedSymbols()).toEqual([]);
    expect(invalid).toEqual([{ symbols: ['ZZZZQ$US'], msg: E001 }]);
    // 8 → 4 + 4 → (2 + 2) → (1 + 1): about 2·log2(n) requests, not n.
    expect(requests).toEqual([symbols, ['A$US', 'B$US', 'C$US', 'ZZZZQ$US'], ['A$US', 'B$US'], ['C$US', 'ZZZZQ$US'], ['C$US'], ['ZZZZQ$US'], ['E$US', 'F$US', 'G$US', 'H$US']]);
    expect(logger.find('warn', 'iTick does not know these symbols')[0]?.attributes).toMatchObject({ symbols: ['ZZZZQ$US'], msg: E001 });
    expect(subs.resolve('ZZZZQ', 'US')).toBeUndefined();
  });

  it('finds every unknown symbol of a set, wherever they are', () => {
    for (const unknown of [['S0$US'], ['S12$US'], ['S0$US', 'S12$US'], ['S3$US', 'S4$US', 'S5$US'], Array.from({ length: 13 }, (_, i) => `S${i}$US`)]) {
      const { subs, invalid } = subscriptions();
      const symbols = Array.from({ length: 13 }, (_, i) => `S${i}$US`);
      subs.setWanted(symbols);
      answerAll(subs, new Set(unknown));
      expect(subs.invalidSymbols()).toEqual([...unknown].sort());
      expect(invalid.flatMap((report) => report.symbols).sort()).toEqual([...unknown].sort());
      expect(subs.confirmed()).toEqual(symbols.filter((symbol) => !unknown.includes(symbol)).sort());
    }
  });

  it('bisects within each request chunk', () => {
    const { subs } = subscriptions(4);
    subs.setWanted(['A$US', 'B$US', 'C$US', 'D$US', 'E$US', 'X$US']);
    const requests = answerAll(subs, new Set(['X$US']));
    expect(requests).toEqual([['A$US', 'B$US', 'C$US', 'D$US'], ['E$US', 'X$US'], ['E$US'], ['X$US']]);
    expect(subs.invalidSymbols()).toEqual(['X$US']);
  });

  it("keeps E003 apart: over the plan's limit is unwatched, not invalid", () => {
    const { subs, invalid } = subscriptions();
    subs.setWanted(['A$US', 'B$US', 'C$US', 'X$US']);
    answerAll(subs, new Set(['X$US']), 2);
    expect(subs.invalidSymbols()).toEqual(['X$US']);
    expect(subs.confirmed()).toEqual(['A$US', 'B$US']);
    expect(subs.refusedSymbols()).toEqual(['C$US']);
    expect(invalid.flatMap((report) => report.symbols)).toEqual(['X$US']);
  });

  it('does not ask for an unknown symbol again while it stays wanted, also on a new connection; asks again once it was not wanted', () => {
    const { subs, invalid } = subscriptions();
    subs.setWanted(['A$US', 'X$US']);
    answerAll(subs, new Set(['X$US']));
    subs.setWanted(['A$US', 'X$US', 'B$US']);
    expect(answerAll(subs, new Set(['X$US']))).toEqual([['B$US']]);
    subs.reset();
    expect(answerAll(subs, new Set(['X$US']))).toEqual([['A$US', 'B$US']]);
    expect(invalid).toHaveLength(1);
    // Marked in storage, it leaves the watchlist; a changed rule brings it back: iTick is asked again.
    subs.setWanted(['A$US', 'B$US']);
    expect(subs.invalidSymbols()).toEqual([]);
    subs.setWanted(['A$US', 'B$US', 'X$US']);
    expect(answerAll(subs, new Set())).toEqual([['X$US']]);
    expect(subs.confirmed()).toEqual(['A$US', 'B$US', 'X$US']);
  });

  it('asks for a symbol found unknown again when told to (its rules changed while it stayed wanted)', () => {
    const { subs } = subscriptions();
    subs.setWanted(['X$US']);
    answerAll(subs, new Set(['X$US']));
    expect(subs.forgetInvalid(['X$US'])).toBe(true);
    expect(subs.forgetInvalid(['X$US'])).toBe(false);
    expect(answerAll(subs, new Set())).toEqual([['X$US']]);
  });

  it('forgets a bisection in progress when the socket closes', () => {
    const { subs } = subscriptions();
    subs.setWanted(['A$US', 'B$US', 'X$US']);
    subs.next();
    subs.answered('subscribe', false, E001);
    subs.reset();
    expect(subs.next()).toEqual({ action: 'subscribe', symbols: ['A$US', 'B$US', 'X$US'] });
  });
});
