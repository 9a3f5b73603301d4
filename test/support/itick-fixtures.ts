/**
 * iTick's documented message shapes as replay fixtures (test/fixtures/itick/README.md says what
 * each file holds and where it comes from). Reading only: the fixture server that plays them over
 * a socket is itick-fixture-server.ts, so unit tests can use these without starting anything.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Market } from '../../core/rule-model/market';

export const ITICK_FIXTURE_DIR = fileURLToPath(new URL('../fixtures/itick/', import.meta.url));

/** A trade price the client must publish (`null`: unknowable or not in the frame). */
export interface ExpectedPrice {
  symbol: string;
  price: number;
  time: number;
  tradeVolume?: number | null;
  dayVolume?: number | null;
  prevClose?: number | null;
  newSession?: boolean;
  source?: 'tick' | 'quote';
}

export interface ExpectedBar {
  symbol: string;
  period: string;
  kType: number;
  time: number;
  open?: number;
  high?: number;
  low?: number;
  close: number;
  volume: number;
  turnover?: number;
}

export interface ExpectedLog {
  level: 'debug' | 'info' | 'warn' | 'error';
  contains: string;
  count?: number;
  rateLimited?: boolean;
}

/** The `expect` block: what a correct client concludes (only the keys relevant to the fixture appear). */
export interface FixtureExpect {
  prices?: ExpectedPrice[];
  authenticated?: boolean;
  subscribed?: string[];
  subscribeError?: string;
  errorCode?: string;
  serverCloses?: boolean;
  reconnect?: string;
  action?: string;
  bisect?: { request: string[]; invalid: string[]; valid: string[] };
  ruleStatus?: Record<string, string>;
  unmatched?: number;
  logs?: ExpectedLog[];
  depth?: { symbol: string; bestAsk: number; bestBid: number; levels: number };
  bars?: ExpectedBar[];
  pong?: { params: string; matchesPing: boolean };
  ignoredRepeats?: number;
  neverNegativeVolume?: boolean;
  changeFromPrevClosePct?: number;
}

export interface ItickFixture {
  /** The file name, e.g. `current-stock-quote.json`. */
  file: string;
  generation: 'current' | 'legacy';
  class: Market;
  describes: string;
  setup: {
    url: string;
    auth?: 'header' | 'message';
    subscriptions?: string[];
    clientSends?: Record<string, unknown>[];
    clientSendsLater?: Record<string, unknown>[];
    headers?: Record<string, string>;
  };
  /** The server's frames, in order. */
  messages: Record<string, unknown>[];
  expect: FixtureExpect;
  notes?: string;
}

export function readItickFixture(file: string): ItickFixture {
  const parsed = JSON.parse(readFileSync(path.join(ITICK_FIXTURE_DIR, file), 'utf8')) as Omit<ItickFixture, 'file'>;
  return { ...parsed, file };
}

/** Every WebSocket fixture (`current-*`, `legacy-*`; the `rest-*` ones are HTTP bodies). */
export function webSocketFixtures(): ItickFixture[] {
  return readdirSync(ITICK_FIXTURE_DIR)
    .filter((file) => /^(current|legacy)-.*\.json$/.test(file))
    .sort()
    .map(readItickFixture);
}

/** A frame that carries data (tick, quote, depth, kline), not an answer. */
export const isDataFrame = (frame: Record<string, unknown>) => frame.resAc === undefined && typeof frame.data === 'object' && frame.data !== null;
