import { describe, expect, it } from 'vitest';
import { parseFeedMessage } from '../../ingest-task/src/feed-protocol';

describe('reading iTick messages', () => {
  it('recognises the greeting, auth results and subscription answers', () => {
    expect(parseFeedMessage('{"code":1,"msg":"Connected Successfully"}')).toEqual({ kind: 'greeting', msg: 'Connected Successfully' });
    expect(parseFeedMessage('{"code":1,"resAc":"auth","msg":"authenticated"}')).toEqual({ kind: 'auth', ok: true, msg: 'authenticated' });
    expect(parseFeedMessage('{"code":0,"resAc":"auth","msg":"auth failed"}')).toEqual({ kind: 'auth', ok: false, msg: 'auth failed' });
    expect(parseFeedMessage('{"code":1,"resAc":"subscribe","msg":"subscribe Successfully"}')).toMatchObject({ kind: 'subscribe', ok: true });
    expect(parseFeedMessage('{"code":"0","resAc":"subscribe","msg":"exceeding the maximum subscription limit"}')).toMatchObject({ kind: 'subscribe', ok: false });
    expect(parseFeedMessage('{"code":1,"resAc":"unsubscribe","msg":"ok"}')).toMatchObject({ kind: 'unsubscribe', ok: true });
  });

  it('reads the ping params echoed in a pong', () => {
    expect(parseFeedMessage('{"resAc":"pong","data":{"params":"1700000000000"}}')).toEqual({ kind: 'pong', params: '1700000000000' });
  });

  it('reads a tick with numbers as numbers or as strings', () => {
    const expected = { kind: 'tick', code: 'AAPL', region: 'US', price: 190.5, at: 1_700_000_000_123, volume: 300 };
    expect(parseFeedMessage('{"code":1,"data":{"s":"AAPL","r":"US","ld":190.5,"v":300,"t":1700000000123,"type":"tick"}}')).toEqual(expected);
    expect(parseFeedMessage('{"code":1,"data":{"s":"AAPL","r":"US","ld":"190.5","v":"300","t":"1700000000123","type":"tick"}}')).toEqual(expected);
  });

  it('takes a tick without volume as volume 0 and without time as time unknown', () => {
    expect(parseFeedMessage('{"code":1,"data":{"s":"700","r":"HK","ld":320,"type":"tick"}}')).toEqual({ kind: 'tick', code: '700', region: 'HK', price: 320, at: undefined, volume: 0 });
  });

  it('reads last price and previous close from a quote', () => {
    expect(parseFeedMessage('{"code":1,"data":{"s":"AAPL","r":"US","ld":191,"o":189,"h":192,"l":188,"p":"187.25","v":100000,"t":1700000000000,"type":"quote"}}')).toEqual({
      kind: 'quote',
      code: 'AAPL',
      region: 'US',
      last: 191,
      prevClose: 187.25,
      at: 1_700_000_000_000,
    });
  });

  it('infers the data type from its fields when `type` is missing', () => {
    expect(parseFeedMessage('{"code":1,"data":{"s":"AAPL","ld":190,"v":1,"t":1}}')).toMatchObject({ kind: 'tick' });
    expect(parseFeedMessage('{"code":1,"data":{"s":"AAPL","ld":190,"p":180,"t":1}}')).toMatchObject({ kind: 'quote' });
    expect(parseFeedMessage('{"code":1,"data":{"s":"AAPL","a":[],"b":[]}}')).toEqual({ kind: 'ignored', type: 'depth' });
  });

  it('ignores depth and kline data', () => {
    expect(parseFeedMessage('{"code":1,"data":{"s":"AAPL","r":"US","a":[{"po":1,"p":1,"v":1,"o":1}],"b":[],"type":"depth"}}')).toEqual({ kind: 'ignored', type: 'depth' });
    expect(parseFeedMessage('{"code":1,"data":{"s":"AAPL","t":1,"k":{"o":1,"h":1,"l":1,"c":1,"v":1,"tu":1,"t":1}}}')).toEqual({ kind: 'ignored', type: 'kline' });
  });

  it('never throws: malformed and unexpected messages come back as unknown', () => {
    for (const text of ['', '{', 'null', '42', '[1,2]', '"text"', '{"code":1,"data":{"ld":1,"type":"tick"}}', '{"code":1,"data":{"s":"A","ld":"abc","type":"tick"}}', '{"code":1,"data":{"s":"A","ld":-1,"type":"tick"}}', '{"resAc":"weird"}', '{"hello":1}', '{"code":1,"data":{"s":"A"}}']) {
      expect(parseFeedMessage(text).kind, text).toBe('unknown');
    }
  });

  it('passes on a server notice that is neither answer nor data', () => {
    expect(parseFeedMessage('{"code":0,"msg":"cannot be resolved action"}')).toEqual({ kind: 'notice', ok: false, msg: 'cannot be resolved action' });
  });
});
