/**
 * Live prices for open dashboards: the ingest task sees every trade, so it keeps each symbol's
 * last price and posts throttled snapshots (price-snapshot.ts) to the dashboard connections that
 * watch the symbol (their watch items: storage/watches-repository.ts) through the WebSocket API's
 * management endpoint.
 *
 * Off the hot path: a trade only overwrites a few fields of its symbol's entry. Everything else
 * runs on timers: every `intervalMs` a round samples the moved symbols into a short history and
 * posts one message per connection holding its moved symbols (at most one snapshot per symbol per
 * connection per round); every `watchesRefreshMs` the watch list is read again (one Query). A
 * round whose posts are still running when the next is due is not overlapped: the next round is
 * skipped and its moves go out with the one after. Posts run `concurrency` at a time, each with a
 * timeout in the poster, so a slow API cannot hold memory or the event loop.
 *
 * A connection that gets a symbol for the first time also gets its recent history (one point per
 * second at most, `historyPoints` of them), so a chart that opens is not empty. A connection the
 * API reports gone (410) is dropped at once and its watches are deleted.
 */
import { errorMessage, type IngestLogger } from './logger';
import { priceSnapshot, type PriceSnapshot } from './price-snapshot';

export interface WatchSource {
  /** Every live (symbol, connection) watch. */
  list(): Promise<ReadonlyArray<{ symbol: string; connectionId: string }>>;
  /** Deletes a gone connection's watches. */
  forget(connectionId: string): Promise<void>;
}

export interface ConnectionPoster {
  /** Posts one message; `'gone'` when the connection no longer exists. Throws on any other failure. */
  post(connectionId: string, data: Uint8Array): Promise<'sent' | 'gone'>;
}

export interface PricePublisherOptions {
  watches: WatchSource;
  poster: ConnectionPoster;
  logger: IngestLogger;
  intervalMs: number;
  watchesRefreshMs: number;
  /** History points kept per symbol (one per second at most); default 300, five minutes. */
  historyPoints?: number;
  /** Posts in flight at once; default 8. */
  concurrency?: number;
  /** How long a gone connection is ignored if its watch items are still listed; default 15 minutes (the watch TTL). */
  goneMemoryMs?: number;
  now?: () => number;
}

export interface PricePublisherStats {
  symbols: number;
  watchedSymbols: number;
  connections: number;
  messagesSent: number;
  postFailures: number;
  connectionsGone: number;
  roundsSkipped: number;
}

/** API Gateway takes at most 128 KB per message; stay well below it. */
const MAX_MESSAGE_BYTES = 96 * 1024;

interface SymbolEntry {
  symbol: string;
  price: number;
  at: number;
  prevClose: number | undefined;
  /** Whether the price moved since the last round. */
  moved: boolean;
  /** A ring of [second, price] samples: `times[i]` epoch ms. */
  times: number[];
  prices: number[];
  head: number;
  /** Connections that already got this symbol (with its history). */
  informed: Set<string>;
}

/**
 * @example
 * const prices = new PricePublisher({ watches, poster, logger, intervalMs: 1_000, watchesRefreshMs: 2_000 });
 * prices.start();
 * prices.trade('AAPL$US', 201.5, Date.now());
 */
export class PricePublisher {
  private readonly entries = new Map<string, SymbolEntry>();
  private readonly moved = new Set<SymbolEntry>();
  /** symbol → connections watching it, from the last successful refresh. */
  private watchers = new Map<string, Set<string>>();
  private readonly gone = new Map<string, number>();
  private readonly historyPoints: number;
  private readonly concurrency: number;
  private readonly goneMemoryMs: number;
  private readonly now: () => number;
  private roundTimer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private publishing: Promise<void> | undefined;
  private refreshing: Promise<void> | undefined;
  private refreshFailing = false;
  private postFailing = false;
  private stopped = false;
  private readonly counters = { messagesSent: 0, postFailures: 0, connectionsGone: 0, roundsSkipped: 0 };

  constructor(private readonly options: PricePublisherOptions) {
    this.historyPoints = options.historyPoints ?? 300;
    this.concurrency = options.concurrency ?? 8;
    this.goneMemoryMs = options.goneMemoryMs ?? 15 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /** A trade: the hot path, a few assignments. */
  trade(symbol: string, price: number, at: number): void {
    const entry = this.entries.get(symbol) ?? this.create(symbol, price, at);
    entry.price = price;
    entry.at = at;
    entry.moved = true;
    this.moved.add(entry);
  }

  /** A quote: the previous close (for the change) and, before any trade, a last price. */
  quote(symbol: string, last: number | undefined, prevClose: number | undefined, at: number): void {
    let entry = this.entries.get(symbol);
    if (entry === undefined) {
      if (last === undefined) return;
      entry = this.create(symbol, last, at);
      entry.moved = true;
      this.moved.add(entry);
    }
    if (prevClose !== undefined && prevClose > 0 && prevClose !== entry.prevClose) {
      entry.prevClose = prevClose;
      entry.moved = true;
      this.moved.add(entry);
    }
  }

  /** The symbol is no longer subscribed: drop its price and history. */
  forget(symbol: string): void {
    const entry = this.entries.get(symbol);
    if (entry === undefined) return;
    this.entries.delete(symbol);
    this.moved.delete(entry);
  }

  start(): void {
    if (this.roundTimer !== undefined || this.stopped) return;
    void this.refreshWatches();
    this.refreshTimer = setInterval(() => void this.refreshWatches(), this.options.watchesRefreshMs);
    this.roundTimer = setInterval(() => void this.publish(), this.options.intervalMs);
  }

  /** Stops the timers and waits for the posts in flight (each bounded by the poster's timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.roundTimer);
    clearInterval(this.refreshTimer);
    await Promise.all([this.publishing, this.refreshing]);
  }

  stats(): PricePublisherStats {
    const connections = new Set<string>();
    for (const ids of this.watchers.values()) for (const id of ids) connections.add(id);
    return { symbols: this.entries.size, watchedSymbols: this.watchers.size, connections: connections.size, ...this.counters };
  }

  /** Reads the watch list again; on failure the last one stays. */
  refreshWatches(): Promise<void> {
    this.refreshing ??= this.readWatches().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** One round: sample the moved symbols, post each connection its snapshots. */
  async publish(): Promise<void> {
    if (this.publishing !== undefined) {
      this.counters.roundsSkipped += 1;
      return;
    }
    const outgoing = this.collect();
    if (outgoing.size === 0) return;
    this.publishing = this.postAll(outgoing).finally(() => (this.publishing = undefined));
    await this.publishing;
  }

  private create(symbol: string, price: number, at: number): SymbolEntry {
    const entry: SymbolEntry = { symbol, price, at, prevClose: undefined, moved: false, times: [], prices: [], head: 0, informed: new Set() };
    this.entries.set(symbol, entry);
    return entry;
  }

  private async readWatches(): Promise<void> {
    let listed: Awaited<ReturnType<WatchSource['list']>>;
    try {
      listed = await this.options.watches.list();
    } catch (error) {
      if (!this.refreshFailing) this.options.logger.warn('could not read the dashboards’ watches; keeping the last list', { error: errorMessage(error) });
      this.refreshFailing = true;
      return;
    }
    if (this.refreshFailing) this.options.logger.info('dashboards’ watches readable again');
    this.refreshFailing = false;
    const now = this.now();
    for (const [connectionId, until] of this.gone) if (until <= now) this.gone.delete(connectionId);
    const watchers = new Map<string, Set<string>>();
    for (const { symbol, connectionId } of listed) {
      if (this.gone.has(connectionId)) continue;
      let ids = watchers.get(symbol);
      if (ids === undefined) watchers.set(symbol, (ids = new Set()));
      ids.add(connectionId);
    }
    // A connection that stopped watching a symbol gets its history again if it watches it anew.
    for (const entry of this.entries.values()) {
      const ids = watchers.get(entry.symbol);
      for (const id of entry.informed) if (ids === undefined || !ids.has(id)) entry.informed.delete(id);
    }
    this.watchers = watchers;
  }

  /** Samples the moved symbols and gathers what each connection is due. Synchronous: no tick lands halfway. */
  private collect(): Map<string, PriceSnapshot[]> {
    for (const entry of this.moved) this.sample(entry);
    const outgoing = new Map<string, PriceSnapshot[]>();
    for (const [symbol, ids] of this.watchers) {
      const entry = this.entries.get(symbol);
      if (entry === undefined) continue;
      for (const id of ids) {
        const first = !entry.informed.has(id);
        if (!entry.moved && !first) continue;
        const snapshot = priceSnapshot(entry.symbol, entry.price, entry.prevClose, entry.at);
        let list = outgoing.get(id);
        if (list === undefined) outgoing.set(id, (list = []));
        list.push(first ? { ...snapshot, history: this.history(entry) } : snapshot);
        entry.informed.add(id);
      }
    }
    for (const entry of this.moved) entry.moved = false;
    this.moved.clear();
    return outgoing;
  }

  /** One history point per second of trade time: a later trade in the same second replaces it. */
  private sample(entry: SymbolEntry): void {
    const second = Math.floor(entry.at / 1000) * 1000;
    const size = entry.times.length;
    const lastIndex = size === 0 ? -1 : (entry.head - 1 + size) % size;
    const lastTime = lastIndex < 0 ? undefined : entry.times[lastIndex];
    if (lastTime !== undefined && second <= lastTime) {
      // Same second (or a late trade): the newest price stands for the second.
      entry.prices[lastIndex] = entry.price;
      return;
    }
    if (size < this.historyPoints) {
      entry.times.push(second);
      entry.prices.push(entry.price);
      entry.head = entry.times.length % this.historyPoints;
      return;
    }
    entry.times[entry.head] = second;
    entry.prices[entry.head] = entry.price;
    entry.head = (entry.head + 1) % this.historyPoints;
  }

  private history(entry: SymbolEntry): Array<[number, number]> {
    const size = entry.times.length;
    const start = size < this.historyPoints ? 0 : entry.head;
    const points: Array<[number, number]> = [];
    for (let i = 0; i < size; i++) {
      const index = (start + i) % size;
      points.push([entry.times[index] as number, entry.prices[index] as number]);
    }
    return points;
  }

  private async postAll(outgoing: Map<string, PriceSnapshot[]>): Promise<void> {
    const jobs: Array<{ connectionId: string; data: Uint8Array; symbols: string[] }> = [];
    for (const [connectionId, snapshots] of outgoing) {
      for (const chunk of chunks(snapshots)) jobs.push({ connectionId, ...chunk });
    }
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const job = jobs[next++] as (typeof jobs)[number];
        if (this.gone.has(job.connectionId)) continue;
        await this.post(job);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, jobs.length) }, worker));
  }

  private async post(job: { connectionId: string; data: Uint8Array; symbols: string[] }): Promise<void> {
    try {
      const outcome = await this.options.poster.post(job.connectionId, job.data);
      if (outcome === 'gone') return this.dropGone(job.connectionId);
      this.counters.messagesSent += 1;
      if (this.postFailing) this.options.logger.info('posting live prices works again');
      this.postFailing = false;
    } catch (error) {
      this.counters.postFailures += 1;
      // Missed: the connection gets these symbols again, with their history, in the next round.
      for (const symbol of job.symbols) this.entries.get(symbol)?.informed.delete(job.connectionId);
      if (!this.postFailing) this.options.logger.warn('could not post live prices to a dashboard', { error: errorMessage(error) });
      this.postFailing = true;
    }
  }

  private dropGone(connectionId: string): void {
    this.counters.connectionsGone += 1;
    this.gone.set(connectionId, this.now() + this.goneMemoryMs);
    for (const ids of this.watchers.values()) ids.delete(connectionId);
    for (const entry of this.entries.values()) entry.informed.delete(connectionId);
    this.options.watches.forget(connectionId).catch((error: unknown) => {
      // The watch items expire by TTL anyway; meanwhile `gone` keeps the connection skipped.
      this.options.logger.debug('could not delete a gone connection’s watches', { error: errorMessage(error) });
    });
  }
}

/** Splits one connection's snapshots into messages below {@link MAX_MESSAGE_BYTES}. */
function chunks(snapshots: readonly PriceSnapshot[]): Array<{ data: Uint8Array; symbols: string[] }> {
  const encoder = new TextEncoder();
  const out: Array<{ data: Uint8Array; symbols: string[] }> = [];
  let parts: string[] = [];
  let symbols: string[] = [];
  let size = 0;
  const flush = () => {
    if (parts.length === 0) return;
    out.push({ data: encoder.encode(`{"type":"prices","prices":[${parts.join(',')}]}`), symbols });
    parts = [];
    symbols = [];
    size = 0;
  };
  for (const snapshot of snapshots) {
    const text = JSON.stringify(snapshot);
    if (size + text.length > MAX_MESSAGE_BYTES) flush();
    parts.push(text);
    symbols.push(snapshot.symbol);
    size += text.length + 1;
  }
  flush();
  return out;
}

