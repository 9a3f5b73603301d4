import { describe, expect, it } from 'vitest';
import { ConnectionSubscriptions } from '../../ingest-task/src/connection-subscriptions';
import { recordingLogger } from '../support/ingest-recording-logger';

function subscriptions(requestChunk = 200) {
  const logger = recordingLogger();
  const resets: string[][] = [];
  const subs = new ConnectionSubscriptions({ requestChunk, logger, onSubscribing: (symbols) => resets.push([...symbols]) });
  return { subs, logger, resets };
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
});
