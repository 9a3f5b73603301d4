/**
 * The ingest task, composed: iTick connections → batcher → evaluator, driven by the watchlist,
 * reporting through the heartbeat, and (optionally) feeding live prices to open dashboards.
 * Everything outside the process comes in as a port ({@link WatchlistSource}, {@link HeartbeatSink},
 * {@link EvaluatorInvoker}, {@link PriceObserver}); main.ts picks the adapters, tests pass fakes or
 * local servers.
 */
import { countInRegularSession } from '../../core/engine/sessions';
import { normalizeSymbol } from '../../core/rule-model';
import { Batcher, type BatcherOptions } from './batcher';
import type { IngestConfig } from './config';
import type { EvaluatorInvoker } from './evaluator-invoker';
import { HeartbeatWriter, type Heartbeat, type HeartbeatSink } from './heartbeat';
import { ItickConnection, type ItickConnectionOptions } from './itick-connection';
import { errorMessage, type IngestLogger } from './logger';
import { planSubscriptions } from './subscription-plan';
import { TickRate } from './tick-rate';

export interface WatchlistSource {
  /** Symbols that have at least one active rule. */
  list(): Promise<string[]>;
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

export interface IngestTaskOptions {
  config: Pick<IngestConfig, 'itick' | 'batch' | 'watchlistRefreshMs' | 'heartbeat'>;
  watchlist: WatchlistSource;
  heartbeatSinks: readonly HeartbeatSink[];
  invoker: EvaluatorInvoker;
  logger: IngestLogger;
  /** Live prices for dashboards; unset: none are published. */
  prices?: PriceObserver;
  /** Connection timings (ping, backoff …) other than iTick's defaults; tests shorten them. */
  connection?: Partial<Omit<ItickConnectionOptions, 'url' | 'token' | 'logger' | 'handlers' | 'index'>>;
  /** Batcher tuning other than the settings (retry backoff, clock). */
  batcher?: Partial<Pick<BatcherOptions, 'retry' | 'now' | 'random'>>;
}

export interface IngestTaskStats {
  heartbeat: Heartbeat;
  batcher: ReturnType<Batcher['stats']>;
  connections: ReturnType<ItickConnection['status']>[];
}

/**
 * @example
 * const task = new IngestTask({ config, watchlist, heartbeatSinks: [sink], invoker, logger });
 * task.start();
 * process.once('SIGTERM', () => void task.stop(8_000).then(() => process.exit(0)));
 */
export class IngestTask {
  private readonly batcher: Batcher;
  /** By index; a gap where a connection beyond the first has nothing to watch. */
  private readonly connections: (ItickConnection | undefined)[] = [];
  private readonly heartbeatWriter: HeartbeatWriter;
  private readonly tickRate = new TickRate();
  private plan: string[][] = [];
  private watched = new Set<string>();
  private unwatched: string[] = [];
  private invalid = new Set<string>();
  private refreshTimer: NodeJS.Timeout | undefined;
  private refreshFailing = false;
  private stopping: Promise<{ complete: boolean; pendingTicks: number }> | undefined;

  constructor(private readonly options: IngestTaskOptions) {
    const { batch, heartbeat } = options.config;
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
    this.connection(0).start();
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
      unmatched: 0,
      unmatchedSymbols: [],
      unreadable: 0,
      invalidSymbols: [],
      markets: [],
      updatedAt: now,
    };
  }

  stats(): IngestTaskStats {
    return { heartbeat: this.heartbeat(), batcher: this.batcher.stats(), connections: this.open().map((connection) => connection.status()) };
  }

  private open(): ItickConnection[] {
    return this.connections.filter((connection): connection is ItickConnection => connection !== undefined);
  }

  private connection(index: number): ItickConnection {
    let connection = this.connections[index];
    if (connection === undefined) {
      const { itick } = this.options.config;
      connection = new ItickConnection({
        ...this.options.connection,
        url: itick.url,
        token: itick.token,
        logger: this.options.logger,
        index,
        handlers: {
          onTrade: (symbol, price, at, volume) => {
            this.batcher.addTrade(symbol, price, at, volume);
            this.options.prices?.trade(symbol, price, at);
          },
          onQuote: (symbol, last, prevClose, at) => {
            this.batcher.addQuote(symbol, last, prevClose, at);
            this.options.prices?.quote(symbol, last, prevClose, at);
          },
          onSubscribing: (symbols) => {
            for (const symbol of symbols) this.batcher.markReset(symbol);
          },
        },
      });
      this.connections[index] = connection;
    }
    return connection;
  }

  /** Reads the watchlist and brings the connections' subscriptions to it; then again after WATCHLIST_REFRESH_MS. */
  private async refresh(): Promise<void> {
    try {
      const listed = await this.options.watchlist.list();
      if (this.stopping !== undefined) return;
      if (this.refreshFailing) this.options.logger.info('watchlist readable again');
      this.refreshFailing = false;
      this.follow(listed);
    } catch (error) {
      if (!this.refreshFailing) this.options.logger.warn('could not read the watchlist; keeping the current subscriptions', { error: errorMessage(error) });
      this.refreshFailing = true;
    }
    if (this.stopping === undefined) this.refreshTimer = setTimeout(() => void this.refresh(), this.options.config.watchlistRefreshMs);
  }

  private follow(listed: readonly string[]): void {
    const wanted = new Set<string>();
    for (const raw of listed) {
      const symbol = normalizeSymbol(raw);
      if (symbol !== null) wanted.add(symbol);
      else if (!this.invalid.has(raw)) {
        this.invalid.add(raw);
        this.options.logger.warn('ignoring a watched symbol that is not CODE$REGION', { symbol: raw });
      }
    }
    const { itick } = this.options.config;
    const plan = planSubscriptions(wanted, this.plan, { connections: itick.connections, maxPerConnection: itick.maxSymbolsPerConnection });
    plan.connections.forEach((symbols, index) => {
      // Connection 0 stays open even with nothing to watch: it proves the token and the network
      // early. The others exist only while they have symbols, each one counts against the key.
      if (symbols.length === 0 && index > 0) {
        void this.connections[index]?.stop();
        this.connections[index] = undefined;
        return;
      }
      const connection = this.connection(index);
      connection.setSymbols(symbols);
      connection.start();
    });
    for (const symbol of this.watched) {
      if (wanted.has(symbol)) continue;
      this.batcher.retire(symbol);
      this.options.prices?.forget(symbol);
    }
    if (plan.unwatched.join() !== this.unwatched.join() && plan.unwatched.length > 0) {
      this.options.logger.error("the iTick plan's symbol limit is reached: these symbols are not watched", {
        unwatched: plan.unwatched,
        limitPerConnection: itick.maxSymbolsPerConnection,
        connections: itick.connections,
      });
    }
    this.plan = plan.connections;
    this.watched = wanted;
    this.unwatched = plan.unwatched;
  }
}

async function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
