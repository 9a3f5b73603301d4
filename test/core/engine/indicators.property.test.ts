/**
 * The engine's incremental indicators agree with a well-known library (`trading-signals`) to 1e-9
 * on long random series: on every closed bar, and on the forming bar at every intrabar price
 * (the library's `replace`, which recomputes its last input, is exactly "the forming bar's price
 * as the last close").
 */
import fc from 'fast-check';
import { BollingerBands, EMA, MACD, RSI, SMA } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import {
  closedAverage,
  closedBand,
  closeIndicator,
  formingAverage,
  formingBand,
  formingHistogram,
  formingRsi,
  newIndicator,
  ringNeeded,
  type BollingerState,
  type EmaState,
  type IndicatorState,
  type MacdState,
  type RsiState,
  type SmaState,
} from '../../../core/engine/indicators';

const emaStep = (price: number, previous: number | null, k: number) => price * k + (previous ?? price) * (1 - k);

/** The MACD line and signal line with `price` as the forming close, the engine's arithmetic (compared with the reference library). */
function formingMacd(ind: MacdState, price: number): { macd: number; signal: number } | null {
  if (ind.count + 1 < ind.slow) return null;
  const macd = emaStep(price, ind.fastEma, 2 / (ind.fast + 1)) - emaStep(price, ind.slowEma, 2 / (ind.slow + 1));
  return { macd, signal: emaStep(macd, ind.signalEma, 2 / (ind.signal + 1)) };
}

// Series of up to 1,500 bars make each run long: a fifth of the engine property tests' runs.
const RUNS = Math.ceil(Number(process.env.PROPERTY_RUNS ?? 500) / 5);
const TIMEOUT_MS = 180_000;

/** Bars as lists of trade prices (the last one is the close): a random walk with flat stretches. */
const barsArb = fc
  .array(
    fc.record({
      steps: fc.array(fc.oneof(fc.constant(0), fc.double({ min: -1.5, max: 1.5, noNaN: true })), { minLength: 1, maxLength: 4 }),
    }),
    { minLength: 30, maxLength: 1500 },
  )
  .map((bars) => {
    let price = 100;
    return bars.map(({ steps }) =>
      steps.map((step) => {
        price = Math.max(1, price + step);
        return price;
      }),
    );
  });

function close(a: number | null | undefined, b: number | null | undefined): void {
  if (a === null || a === undefined || b === null || b === undefined) {
    expect(a ?? null).toBe(b ?? null);
    return;
  }
  expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
}

/** Feeds every bar to our state and to the library, comparing after each intrabar price and each close. */
function compare(
  key: string,
  bars: number[][],
  lib: { add(p: number): unknown; replace(p: number): unknown },
  forming: (ind: IndicatorState, price: number) => void,
  closed: (ind: IndicatorState) => void,
): void {
  const ind = newIndicator(key) as IndicatorState;
  const ring: number[] = [];
  for (const prices of bars) {
    prices.forEach((price, i) => {
      if (i === 0) lib.add(price);
      else lib.replace(price);
      forming(ind, price);
    });
    const last = prices[prices.length - 1] as number;
    ring.push(last);
    if (ring.length > ringNeeded(ind)) ring.shift();
    closeIndicator(ind, last, ring);
    closed(ind);
  }
}

describe('indicators match trading-signals to 1e-9', () => {
  it('RSI (Wilder), closed and forming', () => {
    fc.assert(
      fc.property(barsArb, fc.integer({ min: 2, max: 30 }), (bars, period) => {
        const lib = new RSI(period);
        compare(`rsi:${period}`, bars, lib, (ind, p) => close(formingRsi(ind as RsiState, p), lib.getResult()), (ind) => close((ind as RsiState).value, lib.getResult()));
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT_MS);

  it('EMA, closed and forming', () => {
    fc.assert(
      fc.property(barsArb, fc.integer({ min: 1, max: 60 }), (bars, period) => {
        const lib = new EMA(period);
        compare(`ema:${period}`, bars, lib, (ind, p) => close(formingAverage(ind as EmaState, p), lib.getResult()), (ind) => close(closedAverage(ind as EmaState, 0), lib.getResult()));
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT_MS);

  it('SMA, closed and forming', () => {
    fc.assert(
      fc.property(barsArb, fc.integer({ min: 1, max: 60 }), (bars, period) => {
        const lib = new SMA(period);
        compare(`sma:${period}`, bars, lib, (ind, p) => close(formingAverage(ind as SmaState, p), lib.getResult()), (ind) => close(closedAverage(ind as SmaState, 0), lib.getResult()));
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT_MS);

  it('MACD line, signal line and histogram, closed and forming', () => {
    const params = fc
      .tuple(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 15 }))
      .map(([fast, extra, signal]) => ({ fast, slow: fast + extra, signal }));
    fc.assert(
      fc.property(barsArb, params, (bars, { fast, slow, signal }) => {
        const lib = new MACD(new EMA(fast), new EMA(slow), new EMA(signal));
        const check = (ours: { macd: number; signal: number } | null, hist: number | null, stable: boolean) => {
          const theirs = lib.getResult();
          close(ours?.macd, theirs?.macd);
          close(ours?.signal, theirs?.signal);
          // The histogram is usable (not null) only once the signal line has `signal` values.
          if (hist !== null) close(hist, theirs?.histogram);
          expect(hist !== null).toBe(stable);
        };
        let signalInputs = 0;
        compare(
          `macd:${fast}:${slow}:${signal}`,
          bars,
          lib,
          (ind, p) => {
            const m = ind as MacdState;
            check(formingMacd(m, p), formingHistogram(m, p), m.count + 1 >= slow && signalInputs + 1 >= signal);
          },
          (ind) => {
            const m = ind as MacdState;
            signalInputs = m.signalCount;
            const line = m.fastEma === null || m.slowEma === null || m.count < slow ? null : { macd: m.fastEma - m.slowEma, signal: m.signalEma as number };
            check(line, m.hist, m.signalCount >= signal);
          },
        );
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT_MS);

  it('Bollinger bands, closed and forming', () => {
    fc.assert(
      fc.property(barsArb, fc.integer({ min: 2, max: 60 }), fc.double({ min: 0.5, max: 4, noNaN: true }), (bars, period, k) => {
        const lib = new BollingerBands(period, k);
        const check = (band: { mean: number; sd: number } | null) => {
          const theirs = lib.getResult();
          close(band?.mean, theirs?.middle);
          close(band === null ? null : band.mean + k * band.sd, theirs?.upper);
          close(band === null ? null : band.mean - k * band.sd, theirs?.lower);
        };
        compare(`bb:${period}`, bars, lib, (ind, p) => check(formingBand(ind as BollingerState, p)), (ind) => check(closedBand(ind as BollingerState, 0)));
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT_MS);
});
