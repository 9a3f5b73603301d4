/**
 * A symbol's live price path (lightweight-charts) with its rules' levels drawn as lines: solid for
 * active rules, dashed for the others. The canvas says nothing to a screen reader, so the figure's
 * caption states the last price and every level in words.
 */
import { ColorType, createChart, LineSeries, LineStyle, type AutoscaleInfo, type IChartApi, type IPriceLine, type ISeriesApi, type Time, type UTCTimestamp } from 'lightweight-charts';
import { useEffect, useRef } from 'preact/hooks';
import type { Rule } from '../../../core/rule-model';
import { conditionLevels, conditionText, formatNumber, formatPrice, formatPriceChange, formatSigned, formatTime, priceDigits } from '../format';
import type { SymbolPrice } from '../price-book';

export interface PriceChartProps {
  symbol: string;
  price: SymbolPrice | undefined;
  rules: readonly Rule[];
}

const dark = () => window.matchMedia('(prefers-color-scheme: dark)').matches;
const timeText = (time: Time) => (typeof time === 'number' ? formatTime(time * 1000) : String(time));

interface Level {
  price: number;
  title: string;
  active: boolean;
}

function levelsOf(rules: readonly Rule[]): Level[] {
  return rules.flatMap((rule) =>
    conditionLevels(rule.condition).map((price) => ({ price, title: conditionText(rule.condition), active: rule.status === 'active' })),
  );
}

/** Levels this close to the price (a fraction of it) widen the scale so their lines show; farther ones would flatten the path. */
const NEAR_LEVEL = 0.1;

export function PriceChart({ symbol, price, rules }: PriceChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<{ api: IChartApi; series: ISeriesApi<'Line'>; lines: IPriceLine[]; digits: number | null } | null>(null);
  /** Read by the autoscale provider, which the chart calls on every redraw. */
  const levelPrices = useRef<number[]>([]);
  /** The whole path stays in view until the user pans or zooms. */
  const autoFit = useRef(true);

  useEffect(() => {
    if (container.current === null) return;
    const colors = dark() ? { text: '#d8dde6', grid: '#2a3140', line: '#5ab0ff' } : { text: '#1f2430', grid: '#e7eaf0', line: '#0b62d6' };
    const api = createChart(container.current, {
      autoSize: true,
      // The library's own logo link injects a <style> (refused by the page's CSP) and tells
      // TradingView the page's URL; the caption carries the attribution its license asks for.
      layout: { background: { type: ColorType.Solid, color: 'transparent' }, textColor: colors.text, attributionLogo: false },
      grid: { vertLines: { color: colors.grid }, horzLines: { color: colors.grid } },
      timeScale: { timeVisible: true, secondsVisible: true, tickMarkFormatter: (time: Time) => timeText(time) },
      localization: { timeFormatter: timeText },
      rightPriceScale: { scaleMargins: { top: 0.15, bottom: 0.15 } },
    });
    const series = api.addSeries(LineSeries, {
      color: colors.line,
      lineWidth: 2,
      priceLineVisible: true,
      lastValueVisible: true,
      autoscaleInfoProvider: (original: () => AutoscaleInfo | null) => {
        const info = original();
        if (info === null || info.priceRange === null) return info;
        let { minValue, maxValue } = info.priceRange;
        const middle = (minValue + maxValue) / 2;
        for (const level of levelPrices.current) {
          if (Math.abs(level - middle) > middle * NEAR_LEVEL) continue;
          minValue = Math.min(minValue, level);
          maxValue = Math.max(maxValue, level);
        }
        return { ...info, priceRange: { minValue, maxValue } };
      },
    });
    chart.current = { api, series, lines: [], digits: null };
    autoFit.current = true;
    const element = container.current;
    const stopFitting = () => (autoFit.current = false);
    for (const type of ['pointerdown', 'wheel', 'keydown'] as const) element.addEventListener(type, stopFitting, { passive: true });
    return () => {
      for (const type of ['pointerdown', 'wheel', 'keydown'] as const) element.removeEventListener(type, stopFitting);
      api.remove();
      chart.current = null;
    };
  }, [symbol]);

  const points = price?.points;
  // The price scale in the market's digits (forex 5, a coin below 1 more): the library's default is 2.
  const digits = price === undefined ? null : priceDigits(price.price, symbol);
  useEffect(() => {
    const current = chart.current;
    if (current === null || digits === null || current.digits === digits) return;
    current.series.applyOptions({ priceFormat: { type: 'price', precision: digits, minMove: 10 ** -digits } });
    current.digits = digits;
  }, [digits, symbol]);

  useEffect(() => {
    const current = chart.current;
    if (current === null) return;
    current.series.setData((points ?? []).map(([second, value]) => ({ time: second as UTCTimestamp, value })));
    if (autoFit.current) current.api.timeScale().fitContent();
  }, [points, symbol]);

  const levels = levelsOf(rules);
  const levelsKey = JSON.stringify(levels);
  useEffect(() => {
    const current = chart.current;
    if (current === null) return;
    levelPrices.current = levels.map((level) => level.price);
    for (const line of current.lines) current.series.removePriceLine(line);
    current.lines = levels.map((level) =>
      current.series.createPriceLine({
        price: level.price,
        color: level.active ? '#d97706' : '#8a8f98',
        lineWidth: 1,
        lineStyle: level.active ? LineStyle.Solid : LineStyle.Dashed,
        axisLabelVisible: true,
        title: level.title,
      }),
    );
    // levelsKey stands for levels: a new array each render, the same lines.
  }, [levelsKey, symbol]);

  return (
    <figure class="chart">
      <div ref={container} class="chart-canvas" data-testid="price-chart" />
      <figcaption>
        {price === undefined ? (
          <span>Waiting for {symbol}’s first price from the feed…</span>
        ) : (
          <span>
            Last <strong class="chart-last">{formatPrice(price.price, symbol)}</strong> at {formatTime(price.at)}
            {price.change !== null && ` (${formatPriceChange(price.change, price.price, symbol)}, ${formatSigned(price.changePct, '%')} on the previous close)`}.
          </span>
        )}
        {levels.length > 0 && (
          <span>
            {' '}
            Rule levels:{' '}
            {levels.map((level, i) => (
              <span key={i} class={level.active ? 'level active' : 'level'}>
                {formatNumber(level.price)} ({level.title}
                {level.active ? '' : ', not active'}){i < levels.length - 1 ? '; ' : '.'}
              </span>
            ))}
          </span>
        )}
        <span class="attribution">
          {' '}
          Chart:{' '}
          <a href="https://www.tradingview.com/" target="_blank" rel="noopener noreferrer">
            TradingView Lightweight Charts™
          </a>
          , © TradingView, Inc.
        </span>
      </figcaption>
    </figure>
  );
}
