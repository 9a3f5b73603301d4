/**
 * The ingest task, composed: iTick connections → batcher → evaluator, driven by the watchlist,
 * reporting through the heartbeat, and (optionally) feeding live prices to open dashboards.
 * Everything outside the process comes in as a port ({@link WatchlistSource}, {@link HeartbeatSink},
 * {@link EvaluatorInvoker}, {@link PriceObserver}, {@link InvalidSymbolSink}); main.ts picks the
 * adapters, tests pass fakes or local servers.
 *
 * Markets: the watched symbols are grouped by market (`crypto:BTCUSDT$BA` is crypto), and every
 * market in use gets connections of its own at its own URL (`ITICK_WS_URL_<CLASS>`), planned with
 * the plan's limits per market (subscription-plan.ts). The first stock connection stays open even
 * with nothing to watch: it proves the token and the network early. Every other connection exists
 * only while it has symbols, since each one counts against the key.
 *
 * Unknown symbols: a connection that finds symbols iTick does not know (E001) reports them; the
 * task records them through the {@link InvalidSymbolSink} (their rules then say
 * `invalid_symbol`, and the watchlist leaves them out, so they take no subscription slot). A
 * rule change clears the mark in storage; when a symbol shows up in the watchlist again after its
 * mark was written, iTick is asked again.
 */
import { countInRegularSession } from '../../core/engine/sessions';
import { marketOf, normalizeSymbol, type Market } from '../../core/rule-model';
import type { MarketHeartbeat } from '../../storage/heartbeat-repository';
import { marketUrls } from '../../core/rule-model/market';
import { Batcher, type BatcherOptions } from './batcher';
import type { IngestConfig } from './config';
import type { EvaluatorInvoker } from './evaluator-invoker';
import { HeartbeatWriter, type Heartbeat, type HeartbeatSink } from './heartbeat';
import { ItickConnection, type ConnectionStatus, type ItickConnectionOptions } from './itick-connection';
import { errorMessage, type IngestLogger } from './logger';
import { planMarkets } from './subscription-plan';
import { TickRate } from './tick-rate';

export interface WatchlistSource {
  /** Symbols to subscribe: at least one active rule, and not marked unknown to iTick. */
  list(): Promise<string[]>;
  /** The symbols with active rules that the last `list()` left out as unknown to iTick (for the heartbeat); optional. */
  invalid?(): readonly string[];
}

/** Records that iTick does not know a symbol, so its rules say `invalid_symbol` (storage-adapters.ts). */
export interface InvalidSymbolSink {
  markInvalid(symbol: string, message: string): Promise<void>;
}

/**
 * Sees every trade and quote beside the batcher (price-publisher.ts). Its calls sit on the
 * message path, so they must only record: publishing happens on its own timers.
 */
export interface PriceObserver {
  trade(symbol: string, price: number, at: number): void;
  quote(symbol: string, last: number | undefined, prevClose: number | undefined, at: number): void;
  /** The symbol is no longer watched. */
  forget(symbol: string): void;
  start(): void;
  stop(): Promise<void>;
}

/** The iTick settings the task uses; per-market URLs and ping timings fall back to their defaults when left out. */
export type IngestTaskItickSettings = Pick<IngestConfig['itick'], 'token' | 'url' | 'maxSymbolsPerConnection' | 'connections'> & {
  urls?: Partial<Record<Market, string>>;
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
};

export interface IngestTaskOptions {
  config: Pick<IngestConfig, 'batch' | 'watchlistRefreshMs' | 'heartbeat'> & { itick: IngestTaskItickSettings };
  watchlist: WatchlistSource;
  heartbeatSinks: readonly HeartbeatSink[];
  invoker: EvaluatorInvoker;
  logger: IngestLogger;
  /** Live prices for dashboards; unset: none are published. */
  prices?: PriceObserver;
  /** Where symbols iTick does not know are recorded; unset: they are only logged and shown in the heartbeat. */
  invalidSymbols?: InvalidSymbolSink;
  /** Connection timings (ping, backoff …) other than the defaults; tests shorten them. */
  connection?: Partial<Omit<ItickConnectionOptions, 'url' | 'token' | 'logger' | 'handlers' | 'index' | 'market'>>;
  /** Batcher tuning other than the settings (retry backoff, clock). */
  batcher?: Partial<Pick<BatcherOptions, 'retry' | 'now' | 'random'>>;
}

export interface IngestTaskStats {
  heartbeat: Heartbeat;
  batcher: ReturnType<Batcher['stats']>;
  connections: ConnectionStatus[];
}

/** The heartbeat keeps this many of the latest unmatched `s` values. */
const UNMATCHED_SYMBOLS_KEPT = 20;

/**
 * A symbol whose mark was written is asked for again no sooner than this after it (when a rule
 * change brings it back): a watchlist that ignores the marks would otherwise cost a bisection on
 * every refresh.
 */
const INVALID_RETRY_MIN_MS = 60_000;

/** What the rules of a symbol iTick does not know say (`statusMessage`). */
export function invalidSymbolMessage(msg: string): string {
  const words = msg.trim().slice(0, 120);
  return `iTick does not know this symbol (${words === '' ? 'E001' : words})`;
}

interface InvalidMark {
  message: string;
  /** When the sink confirmed the write; `undefined` while it is being written or failed. */
  writtenAt: number | undefined;
  writing: boolean;
}

/**
 * @example
 * const task = new IngestTask({ config, watchlist, heartbeatSinks: [sink], invoker, logger });
 * task.start();
 * process.once('SIGTERM', () => void task.stop(8_000).then(() => process.exit(0)));
 */
export class IngestTask {
  private readonly batcher: Batcher;
  /** By market, by index; a gap where a connection has nothing to watch. */
  private readonly connections = new Map<Market, (ItickConnection | undefined)[]>();
  private readonly urls: Record<Market, string>;
  private readonly heartbeatWriter: HeartbeatWriter;
  private readonly tickRate = new TickRate();
  private plans = new Map<Market, string[][]>();
  private watched = new Set<string>();
  private unwatched: string[] = [];
  /** Watched values that are not symbols (warned about once each). */
  private unreadableWatched = new Set<string>();
  /** Symbols iTick refused as unknown, and whether their mark is stored. */
  private readonly invalidMarks = new Map<string, InvalidMark>();
  private markFailing = false;
  /** What connections closed for lack of symbols had counted, so the heartbeat's totals stay "since the task started". */
  private readonly retiredCounts = { unmatched: 0, unreadable: 0 };
  private refreshTimer: NodeJS.Timeout | undefined;
  private refreshFailing = false;
  private stopping: Promise<{ complete: boolean; pendingTicks: number }> | undefined;

  constructor(private readonly options: IngestTaskOptions) {
    const { batch, heartbeat, itick } = options.config;
    this.urls = marketUrls(itick.url, itick.urls ?? {});
    this.batcher = new Batcher({
      shards: batch.shards,
      windowMs: batch.windowMs,
      maxPoints: batch.maxPoints,
      backlogMaxPoints: batch.backlogMaxPoints,
      invoker: options.invoker,
      logger: options.logger,
      ...options.batcher,
    });
    this.heartbeatWriter = new HeartbeatWriter(options.heartbeatSinks, () => this.heartbeat(), heartbeat.intervalMs, options.logger);
  }

  start(): void {
    this.connection('stock', 0).start();
    void this.refresh();
    this.heartbeatWriter.start();
    this.options.prices?.start();
  }

  /**
   * Stops reading from iTick, hands everything gathered to the evaluator and writes a last
   * heartbeat. Resolves within about `timeoutMs` even when the evaluator does not answer.
   */
  stop(timeoutMs: number): Promise<{ complete: boolean; pendingTicks: number }> {
    this.stopping ??= (async () => {
      const deadline = Date.now() + timeoutMs;
      clearTimeout(this.refreshTimer);
      // Live prices first: they matter least, and their posts are bounded by a short timeout.
      await withTimeout(this.options.prices?.stop() ?? Promise.resolve(), Math.min(2_000, timeoutMs / 4));
      await Promise.all(this.open().map((connection) => connection.stop()));
      // Leave a moment for the last heartbeat after the drain.
      const drained = await this.batcher.drain(Math.max(0, deadline - Date.now() - 500));
      await withTimeout(this.heartbeatWriter.stop({ connected: false }), Math.max(100, deadline - Date.now()));
      return drained;
    })();
    return this.stopping;
  }

  heartbeat(): Heartbeat {
    const statuses = this.open().map((connection) => connection.status());
    const refused = statuses.flatMap((status) => status.refused);
    const lastTicks = statuses.map((status) => status.lastTickAt).filter((at): at is number => at !== undefined);
    const now = Date.now();
    const batcher = this.batcher.stats();
    return {
      connected: statuses.length > 0 && statuses.every((status) => status.state === 'ready'),
      lastTickAt: lastTicks.length > 0 ? Math.max(...lastTicks) : null,
      ticksPerSecond: this.tickRate.sample(now, batcher.ticksAccepted),
      subscribed: statuses.reduce((sum, status) => sum + status.subscribed.length, 0),
      openSubscribed: countInRegularSession(statuses.flatMap((status) => status.subscribed), now),
      unwatched: [...new Set([...this.unwatched, ...refused])].sort(),
      lagMs: batcher.lagMs,
      unmatched: statuses.reduce((sum, status) => sum + status.unmatched, this.retiredCounts.unmatched),
      unmatchedSymbols: latestDistinct(statuses.flatMap((status) => status.unmatchedSymbols), UNMATCHED_SYMBOLS_KEPT),
      unreadable: statuses.reduce((sum, status) => sum + status.unreadable, this.retiredCounts.unreadable),
      invalidSymbols: [...new Set([...statuses.flatMap((status) => status.invalid), ...this.invalidMarks.keys(), ...(this.options.watchlist.invalid?.() ?? [])])].sort(),
      markets: marketHeartbeats(statuses),
      updatedAt: now,
    };
  }

  stats(): IngestTaskStats {
    return { heartbeat: this.heartbeat(), batcher: this.batcher.stats(), connections: this.open().map((connection) => connection.status()) };
  }

  private open(): ItickConnection[] {
    return [...this.connections.values()].flat().filter((connection): connection is ItickConnection => connection !== undefined);
  }

  private connection(market: Market, index: number): ItickConnection {
    const connections = this.connections.get(market) ?? [];
    this.connections.set(market, connections);
    let connection = connections[index];
    if (connection === undefined) {
      const { itick } = this.options.config;
      connection = new ItickConnection({
        ...(itick.pingIntervalMs === undefined ? {} : { pingIntervalMs: itick.pingIntervalMs }),
        ...(itick.pongTimeoutMs === undefined ? {} : { pongTimeoutMs: itick.pongTimeoutMs }),
        ...this.options.connection,
        url: this.urls[market],
        token: itick.token,
        logger: this.options.logger,
        market,
        index,
        handlers: {
          onTrade: (symbol, price, at, volume) => {
            this.batcher.addTrade(symbol, price, at, volume);
            this.options.prices?.trade(symbol, price, at);
          },
          onQuote: (symbol, last, prevClose, at) => {
            this.batcher.setPrevClose(symbol, prevClose);
            this.options.prices?.quote(symbol, last, prevClose, at);
          },
          onSubscribing: (symbols) => {
            for (const symbol of symbols) this.batcher.markReset(symbol);
          },
          onInvalidSymbols: (symbols, msg) => {
            for (const symbol of symbols) this.recordInvalid(symbol, invalidSymbolMessage(msg));
          },
        },
      });
      connections[index] = connection;
    }
    return connection;
  }

  /** Reads the watchlist and brings the connections' subscriptions to it; then again after WATCHLIST_REFRESH_MS. */
  private async refresh(): Promise<void> {
    const readAt = Date.now();
    try {
      const listed = await this.options.watchlist.list();
      if (this.stopping !== undefined) return;
      if (this.refreshFailing) this.options.logger.info('watchlist readable again');
      this.refreshFailing = false;
      this.follow(listed, readAt);
    } catch (error) {
      if (!this.refreshFailing) this.options.logger.warn('could not read the watchlist; keeping the current subscriptions', { error: errorMessage(error) });
      this.refreshFailing = true;
    }
    if (this.stopping === undefined) this.refreshTimer = setTimeout(() => void this.refresh(), this.options.config.watchlistRefreshMs);
  }

  private follow(listed: readonly string[], readAt: number): void {
    const wanted = new Set<string>();
    for (const raw of listed) {
      const symbol = normalizeSymbol(raw);
      if (symbol !== null) wanted.add(symbol);
      else if (!this.unreadableWatched.has(raw)) {
        this.unreadableWatched.add(raw);
        this.options.logger.warn('ignoring a watched symbol that is not CODE$REGION or MARKET:CODE$REGION', { symbol: raw });
      }
    }
    this.followInvalidMarks(wanted, readAt);
    const { itick } = this.options.config;
    const plans = planMarkets(wanted, this.plans, { connections: itick.connections, maxPerConnection: itick.maxSymbolsPerConnection });
    const kept = new Map<Market, string[][]>();
    const unwatched: string[] = [];
    for (const [market, plan] of plans) {
      plan.connections.forEach((symbols, index) => {
        // Stock connection 0 stays open even with nothing to watch: it proves the token and the
        // network early. The others exist only while they have symbols, each one counts against the key.
        if (symbols.length === 0 && !(market === 'stock' && index === 0)) {
          const connections = this.connections.get(market);
          const retired = connections?.[index];
          if (retired !== undefined) {
            const { unmatched, unreadable } = retired.status();
            this.retiredCounts.unmatched += unmatched;
            this.retiredCounts.unreadable += unreadable;
            void retired.stop();
          }
          if (connections !== undefined) connections[index] = undefined;
          return;
        }
        const connection = this.connection(market, index);
        connection.setSymbols(symbols);
        connection.start();
      });
      unwatched.push(...plan.unwatched);
      if (market === 'stock' || plan.connections.some((symbols) => symbols.length > 0)) kept.set(market, plan.connections);
    }
    for (const symbol of this.watched) {
      if (wanted.has(symbol)) continue;
      this.batcher.retire(symbol);
      this.options.prices?.forget(symbol);
    }
    unwatched.sort();
    if (unwatched.join() !== this.unwatched.join() && unwatched.length > 0) {
      this.options.logger.error("the iTick plan's symbol limit is reached: these symbols are not watched", {
        unwatched,
        limitPerConnection: itick.maxSymbolsPerConnection,
        connections: itick.connections,
      });
    }
    this.plans = kept;
    this.watched = wanted;
    this.unwatched = unwatched;
  }

  /** A connection found `symbol` unknown to iTick: remember it and record it, so its rules say so. */
  private recordInvalid(symbol: string, message: string): void {
    const mark: InvalidMark = { message, writtenAt: undefined, writing: false };
    this.invalidMarks.set(symbol, mark);
    this.writeMark(symbol, mark);
  }

  private writeMark(symbol: string, mark: InvalidMark): void {
    const sink = this.options.invalidSymbols;
    if (sink === undefined || mark.writing) return;
    mark.writing = true;
    sink.markInvalid(symbol, mark.message).then(
      () => {
        mark.writing = false;
        mark.writtenAt = Date.now();
        if (this.markFailing) this.options.logger.info('unknown symbols are recorded again');
        this.markFailing = false;
      },
      (error: unknown) => {
        mark.writing = false;
        // Retried on the next refresh; said once until it works again.
        if (!this.markFailing) this.options.logger.warn('could not record a symbol iTick does not know; retrying on every watchlist refresh', { symbol, error: errorMessage(error) });
        this.markFailing = true;
      },
    );
  }

  /**
   * Keeps the marks in step with the watchlist: a failed write is tried again; a symbol listed
   * again by a read that started after its mark was written had a rule change since (which
   * clears the mark in storage), so iTick is asked again; a mark whose symbol has no active rule
   * left is forgotten.
   */
  private followInvalidMarks(wanted: ReadonlySet<string>, readAt: number): void {
    if (this.invalidMarks.size === 0) return;
    const leftOut = this.options.watchlist.invalid === undefined ? undefined : new Set(this.options.watchlist.invalid());
    const heldInvalid = new Set(this.open().flatMap((connection) => connection.status().invalid));
    for (const [symbol, mark] of this.invalidMarks) {
      if (mark.writtenAt === undefined) {
        this.writeMark(symbol, mark);
        continue;
      }
      if (!wanted.has(symbol)) {
        if (leftOut !== undefined && !leftOut.has(symbol)) this.invalidMarks.delete(symbol);
        continue;
      }
      // A read that started before the write may still list it.
      if (readAt <= mark.writtenAt) continue;
      if (!heldInvalid.has(symbol)) {
        // It left the connection's set while its mark held, so the connection asks for it again by itself.
        this.invalidMarks.delete(symbol);
        continue;
      }
      if (readAt - mark.writtenAt < INVALID_RETRY_MIN_MS) continue;
      this.invalidMarks.delete(symbol);
      for (const connection of this.connections.get(marketOf(symbol)) ?? []) connection?.retryInvalid([symbol]);
    }
  }
}

/** Each market that has connections: whether all of them are authenticated, how many, and their subscribed symbols. */
function marketHeartbeats(statuses: readonly ConnectionStatus[]): MarketHeartbeat[] {
  const byMarket = new Map<Market, MarketHeartbeat>();
  for (const status of statuses) {
    const entry = byMarket.get(status.market) ?? { market: status.market, connected: true, connections: 0, subscribed: 0 };
    entry.connected &&= status.state === 'ready';
    entry.connections += 1;
    entry.subscribed += status.subscribed.length;
    byMarket.set(status.market, entry);
  }
  return [...byMarket.values()];
}

/** The last `limit` distinct values, each where it last occurs, newest last. */
function latestDistinct(values: readonly string[], limit: number): string[] {
  const seen = new Set<string>();
  const kept: string[] = [];
  for (let i = values.length - 1; i >= 0 && kept.length < limit; i -= 1) {
    const value = values[i] as string;
    if (seen.has(value)) continue;
    seen.add(value);
    kept.push(value);
  }
  return kept.reverse();
}

async function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
