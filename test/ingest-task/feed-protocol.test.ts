import { describe, expect, it } from 'vitest';
import { parseFeedMessage } from '../../ingest-task/src/feed-protocol';
import { isDataFrame, readItickFixture, webSocketFixtures } from '../support/itick-fixtures';

describe('reading iTick messages', () => {
  it("puts an answer's error code in front of its words, so an E001 with an empty or reworded msg is still one", () => {
    expect(parseFeedMessage('{"code":"E001","resAc":"subscribe","msg":""}')).toEqual({ kind: 'subscribe', ok: false, msg: 'E001' });
    expect(parseFeedMessage('{"code":0,"errCode":"e003","resAc":"subscribe","msg":"limit"}')).toEqual({ kind: 'subscribe', ok: false, msg: 'E003 limit' });
    expect(parseFeedMessage('{"code":0,"resAc":"subscribe","msg":"E001 not found this produce"}')).toEqual({ kind: 'subscribe', ok: false, msg: 'E001 not found this produce' });
    expect(parseFeedMessage('{"code":1,"resAc":"subscribe","msg":"subscribe Successfully"}')).toEqual({ kind: 'subscribe', ok: true, msg: 'subscribe Successfully' });
  });

  it('recognises the greeting, auth results and subscription answers', () => {
    expect(parseFeedMessage('{"code":1,"msg":"Connected Successfully"}')).toEqual({ kind: 'greeting', msg: 'Connected Successfully' });
    expect(parseFeedMessage('{"code":1,"resAc":"auth","msg":"authenticated"}')).toEqual({ kind: 'auth', ok: true, msg: 'authenticated' });
    expect(parseFeedMessage('{"code":1,"resAc":"auth","msg":"authenticated","data":{"params":"9f3c****e61a"}}')).toEqual({ kind: 'auth', ok: true, msg: 'authenticated' });
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

  it("reads a tick's session (te: 0 regular, 1 pre-market, 2 after-hours) and ignores values outside the table", () => {
    const session = (te: string) => parseFeedMessage(`{"code":1,"data":{"s":"AAPL.US","ld":1,"te":${te},"type":"tick"}}`);
    expect(session('0')).toMatchObject({ session: 'regular' });
    expect(session('1')).toMatchObject({ session: 'pre-market' });
    expect(session('"2"')).toMatchObject({ session: 'after-hours' });
    expect(session('7')).toMatchObject({ session: undefined });
  });

  it('reads last price, previous close, running volume and trading status from a quote', () => {
    expect(parseFeedMessage('{"code":1,"data":{"s":"AAPL","r":"US","ld":191,"o":189,"h":192,"l":188,"p":"187.25","v":100000,"t":1700000000000,"ts":1,"type":"quote"}}')).toEqual({
      kind: 'quote',
      code: 'AAPL',
      region: 'US',
      last: 191,
      prevClose: 187.25,
      at: 1_700_000_000_000,
      dayVolume: 100_000,
      status: 'suspended',
    });
  });

  it('takes the previous close as ld − ch when a quote has no p, without float noise', () => {
    expect(parseFeedMessage('{"code":1,"data":{"s":"AAPL.US","ld":238.415,"ch":2.245,"chp":0.95,"t":1,"type":"quote"}}')).toMatchObject({ prevClose: 236.17 });
    expect(parseFeedMessage('{"code":1,"data":{"s":"AAPL.US","ld":238.415,"p":236.2,"ch":2.245,"t":1,"type":"quote"}}')).toMatchObject({ prevClose: 236.2 });
    expect(parseFeedMessage('{"code":1,"data":{"s":"AAPL.US","ld":238.415,"t":1,"type":"quote"}}')).toMatchObject({ prevClose: undefined });
  });

  it('infers the data type from its fields when `type` is missing', () => {
    expect(parseFeedMessage('{"code":1,"data":{"s":"AAPL","ld":190,"v":1,"t":1}}')).toMatchObject({ kind: 'tick' });
    expect(parseFeedMessage('{"code":1,"data":{"s":"AAPL","ld":190,"p":180,"t":1}}')).toMatchObject({ kind: 'quote' });
    expect(parseFeedMessage('{"code":1,"data":{"s":"AAPL","ld":190,"ch":1.5,"t":1}}')).toMatchObject({ kind: 'quote', prevClose: 188.5 });
    expect(parseFeedMessage('{"code":1,"data":{"s":"AAPL","a":[],"b":[]}}')).toEqual({ kind: 'ignored', type: 'depth' });
  });

  it('ignores depth data', () => {
    expect(parseFeedMessage('{"code":1,"data":{"s":"AAPL","r":"US","a":[{"po":1,"p":1,"v":1,"o":1}],"b":[],"type":"depth"}}')).toEqual({ kind: 'ignored', type: 'depth' });
  });

  it('reads a streamed bar, which comes with code 0, msg null and no type', () => {
    expect(parseFeedMessage('{"code":0,"msg":null,"data":{"s":"AAPL.US","t":"3","k":{"o":1,"h":"2","l":0.5,"c":1.5,"v":10,"tu":15,"t":1796397000000}}}')).toEqual({
      kind: 'kline',
      code: 'AAPL.US',
      region: undefined,
      kType: 3,
      period: '10m',
      bar: { at: 1_796_397_000_000, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10, turnover: 15 },
    });
    // A bar that cannot be read is not a price lost: ignored, not counted as unreadable.
    expect(parseFeedMessage('{"code":0,"data":{"s":"AAPL","t":1,"k":{"o":1}}}')).toEqual({ kind: 'ignored', type: 'kline' });
  });

  it('never throws: malformed and unexpected messages come back as unknown', () => {
    for (const text of [
      '',
      '{',
      'null',
      '42',
      '[1,2]',
      '"text"',
      '{"code":1,"data":{"ld":1,"type":"tick"}}',
      '{"code":1,"data":{"s":"A","ld":"abc","type":"tick"}}',
      '{"code":1,"data":{"s":"A","ld":-1,"type":"tick"}}',
      '{"code":1,"data":{"s":"A","ld":"x","type":"quote"}}',
      '{"resAc":"weird"}',
      '{"hello":1}',
      '{"code":1,"data":{"s":"A"}}',
    ]) {
      expect(parseFeedMessage(text).kind, text).toBe('unknown');
    }
  });

  it('passes on a server notice that is neither answer nor data', () => {
    expect(parseFeedMessage('{"code":0,"msg":"cannot be resolved action"}')).toEqual({ kind: 'notice', ok: false, msg: 'cannot be resolved action' });
  });
});

describe("reading every frame of iTick's documented shapes (test/fixtures/itick)", () => {
  const fixtures = webSocketFixtures();

  it('finds the WebSocket fixtures of both generations and every market', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(40);
    expect(new Set(fixtures.map((fixture) => fixture.generation))).toEqual(new Set(['current', 'legacy']));
    expect(new Set(fixtures.map((fixture) => fixture.class))).toEqual(new Set(['stock', 'forex', 'indices', 'crypto', 'future', 'fund']));
  });

  it.each(fixtures.map((fixture) => [fixture.file, fixture] as const))('%s: every frame is read, none is unknown', (_file, fixture) => {
    for (const frame of fixture.messages) {
      const message = parseFeedMessage(JSON.stringify(frame));
      expect(message.kind, JSON.stringify(frame)).not.toBe('unknown');
      if (!isDataFrame(frame)) continue;
      const data = frame.data as Record<string, unknown>;
      if (message.kind === 'tick') expect(message.price).toBe(Number(data.ld));
      if (message.kind === 'quote') expect(message.last).toBe(Number(data.ld));
    }
  });

  it('reads the quote sent with every number as a string like the one sent with numbers', () => {
    const data = (file: string) => parseFeedMessage(JSON.stringify(readItickFixture(file).messages.find(isDataFrame)));
    expect(data('current-stock-quote-strings.json')).toEqual(data('current-stock-quote.json'));
  });

  it('reads the bars of the kline frames as the fixtures expect, kType 3 being ten minutes', () => {
    for (const file of ['current-stock-kline.json', 'current-stock-kline-10m.json', 'legacy-stock-kline.json']) {
      const fixture = readItickFixture(file);
      const bars = fixture.messages.filter(isDataFrame).map((frame) => parseFeedMessage(JSON.stringify(frame)));
      expect(bars.map((bar) => (bar.kind === 'kline' ? { period: bar.period, kType: bar.kType, time: bar.bar.at, close: bar.bar.close, volume: bar.bar.volume } : bar))).toEqual(
        fixture.expect.bars?.map(({ period, kType, time, close, volume }) => ({ period, kType, time, close, volume })),
      );
    }
  });
});
