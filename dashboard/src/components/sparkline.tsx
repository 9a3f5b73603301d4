/** A small trend line of the recent path (SVG, no library): what a glance at a row needs. */
import { formatSigned } from '../format';

export interface SparklineProps {
  symbol: string;
  points: ReadonlyArray<readonly [number, number]>;
  /** Points drawn at most: the most recent ones. */
  last?: number;
  /** What shows before there are two points. */
  emptyText?: string;
}

const WIDTH = 96;
const HEIGHT = 32;

export function Sparkline({ symbol, points, last = 300, emptyText }: SparklineProps) {
  const shown = points.slice(-last);
  if (shown.length < 2) {
    return <span class="sparkline-empty">{emptyText ?? (shown.length === 0 ? 'waiting for prices' : 'gathering…')}</span>;
  }
  const prices = shown.map(([, price]) => price);
  const low = Math.min(...prices);
  const high = Math.max(...prices);
  const span = high - low || 1;
  const first = shown[0] as readonly [number, number];
  const final = shown.at(-1) as readonly [number, number];
  const coordinates = shown
    .map(([second, price]) => {
      const x = ((second - first[0]) / Math.max(1, final[0] - first[0])) * WIDTH;
      const y = HEIGHT - 2 - ((price - low) / span) * (HEIGHT - 4);
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
  const move = ((final[1] - first[1]) / first[1]) * 100;
  const minutes = Math.max(1, Math.round((final[0] - first[0]) / 60));
  const trend = move > 0 ? 'up' : move < 0 ? 'down' : 'flat';
  return (
    <svg class={`sparkline ${trend}`} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width={WIDTH} height={HEIGHT} role="img" aria-label={`${symbol} over the last ${minutes} min: ${formatSigned(move, '%')}`}>
      <polyline points={coordinates} fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round" />
    </svg>
  );
}
