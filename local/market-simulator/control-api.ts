/**
 * The simulator's control interface over HTTP, for a simulator running inside another process
 * (the local stack under an end-to-end test, `npm start`). Symbols are the project's canonical
 * ones (`AAPL$US`, `crypto:BTCUSDT$BA`), for any market:
 *
 * - `POST /control/script` `{"symbol","prices":[...],"startAt"?,"stepMs"?,"volume"?}` sends exactly
 *   those trades (tick times from `startAt`, default now, `stepMs` apart);
 * - `POST /control/quote` `{"symbol","prevClose"?,"last"?}` a quote;
 * - `POST /control/session` `{"symbol","prevClose"?}` starts a new trading day (the running volume drops to 0);
 * - `POST /control/klines` `{"symbol","kType","bars":[{"t","o","h","l","c","v"}]}` or
 *   `{"symbol","kType","closes":[...],"startAt"}` the kline history to serve;
 * - `GET /control/stats` the stats and the subscribed symbols.
 *
 * Loopback only, like the simulator itself.
 */
import { K_TYPE_MS, type Kline } from './kline-history';

/** What the control interface drives. */
export interface ControlTarget {
  script(symbol: string, prices: readonly number[], options: { volume?: number; startAt?: number; stepMs?: number }): number;
  quote(symbol: string, fields: { last?: number; prevClose?: number }): number;
  newSession(symbol: string, prevClose?: number): void;
  setKlines(symbol: string, kType: number, bars: readonly Kline[]): void;
  stats(): object;
  subscribedSymbols(): string[];
}

type Reply = (status: number, body: unknown) => void;

const numberOr = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
/** Only the fields that are set, so that optional fields stay absent rather than `undefined`. */
const defined = <T extends Record<string, number | undefined>>(fields: T) =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as { [K in keyof T]?: number };

/** Answers a `/control/…` request; unknown routes get 404. */
export function serveControl(route: string, body: Record<string, unknown>, reply: Reply, target: ControlTarget): void {
  const symbol = typeof body.symbol === 'string' && body.symbol.trim() !== '' ? body.symbol : undefined;
  switch (route) {
    case 'POST /control/script': {
      const prices = Array.isArray(body.prices) ? body.prices.filter((p): p is number => typeof p === 'number' && p > 0) : [];
      if (symbol === undefined || prices.length === 0) return reply(400, { code: 0, msg: 'needs "symbol" and "prices" (positive numbers)' });
      const sent = target.script(symbol, prices, defined({ volume: numberOr(body.volume), stepMs: numberOr(body.stepMs), startAt: numberOr(body.startAt) }));
      return reply(200, { code: 1, subscribers: sent });
    }
    case 'POST /control/klines': {
      const kType = numberOr(body.kType) ?? 1;
      const size = K_TYPE_MS.get(kType);
      if (symbol === undefined || size === undefined) return reply(400, { code: 0, msg: 'needs "symbol" and a known "kType"' });
      let bars: Kline[];
      if (Array.isArray(body.closes)) {
        const startAt = numberOr(body.startAt);
        if (startAt === undefined) return reply(400, { code: 0, msg: '"closes" needs "startAt" (epoch ms of the first bar)' });
        bars = body.closes.filter((c): c is number => typeof c === 'number' && c > 0).map((c, i) => ({ t: startAt + i * size, o: c, h: c, l: c, c, v: 100, tu: c * 100 }));
      } else if (Array.isArray(body.bars)) {
        bars = body.bars.flatMap((b: unknown) => {
          const bar = b as Record<string, unknown>;
          const [t, c] = [numberOr(bar.t), numberOr(bar.c)];
          if (t === undefined || c === undefined) return [];
          const v = numberOr(bar.v) ?? 0;
          return [{ t, o: numberOr(bar.o) ?? c, h: numberOr(bar.h) ?? c, l: numberOr(bar.l) ?? c, c, v, tu: c * v }];
        });
      } else {
        return reply(400, { code: 0, msg: 'needs "bars" or "closes"' });
      }
      target.setKlines(symbol, kType, bars);
      return reply(200, { code: 1, bars: bars.length });
    }
    case 'POST /control/quote': {
      if (symbol === undefined) return reply(400, { code: 0, msg: 'needs "symbol"' });
      return reply(200, { code: 1, subscribers: target.quote(symbol, defined({ last: numberOr(body.last), prevClose: numberOr(body.prevClose) })) });
    }
    case 'POST /control/session': {
      if (symbol === undefined) return reply(400, { code: 0, msg: 'needs "symbol"' });
      target.newSession(symbol, numberOr(body.prevClose));
      return reply(200, { code: 1 });
    }
    case 'GET /control/stats':
      return reply(200, { code: 1, data: { ...target.stats(), subscribed: target.subscribedSymbols() } });
    default:
      return reply(404, { code: 0, msg: 'not found' });
  }
}
