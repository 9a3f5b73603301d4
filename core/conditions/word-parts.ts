/** Pieces of the condition words (core/conditions/*.ts `words`): durations and bar series. */
import { formatNumber } from '../numbers';

export { formatNumber };

/** `5m`, `1h`, `90s`: in alert texts. */
export function shortDuration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** `5 min`, `1 h`, `90 s`: on the dashboard. */
export function spacedDuration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

interface BarFields {
  interval: string;
  session?: string | undefined;
  evaluate?: string | undefined;
}

/** In an alert: `1m bars`, with the session when one is given and the forming bar when judged on it. */
export function barsFired(c: BarFields): string {
  const session = c.session === undefined ? '' : ` ${c.session === 'any' ? 'all-hours' : c.session}`;
  return `${c.interval}${session} bars${c.evaluate === 'forming' ? ' (forming)' : ''}`;
}

/** On a rule: ` on 1m bars`, with the session and the forming bar when the condition says so. */
export function barsRule(c: BarFields): string {
  const session = c.session === 'extended' ? ', extended hours' : c.session === 'any' ? ', all hours' : '';
  return ` on ${c.interval} bars${session}${c.evaluate === 'forming' ? ', forming bar' : ''}`;
}
