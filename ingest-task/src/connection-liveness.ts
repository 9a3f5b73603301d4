/**
 * The connection's liveness check: iTick's application-level ping (`{"ac":"ping","params":"<epoch
 * ms>"}`) every `intervalMs`, and its pong, which must echo the params within `timeoutMs`, else
 * the connection is dead. One ping in flight at a time; the round trip of the last answered one
 * is kept. It owns its two timers; the connection starts it once authenticated and stops it when
 * the socket closes.
 */
import { pingRequest } from './feed-protocol';

export interface LivenessOptions {
  intervalMs: number;
  timeoutMs: number;
  now: () => number;
  /** Sends a text frame on the socket. */
  send(text: string): void;
  /** No pong came in time: the connection is dead. */
  onDead(): void;
}

/**
 * @example
 * const liveness = new ConnectionLiveness({ intervalMs: 15_000, timeoutMs: 10_000, now: Date.now, send, onDead });
 * liveness.start();          // once authenticated
 * liveness.ponged(params);   // on every pong; false when it answers no ping of ours
 * liveness.stop();           // when the socket closes
 */
export class ConnectionLiveness {
  private pingTimer: NodeJS.Timeout | undefined;
  private pongTimer: NodeJS.Timeout | undefined;
  private sent: string | undefined;
  private sentAt = 0;
  /** Round trip of the last answered ping. */
  rttMs: number | undefined;

  constructor(private readonly options: LivenessOptions) {}

  start(): void {
    this.stop();
    this.pingTimer = setInterval(() => this.ping(), this.options.intervalMs);
  }

  stop(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    this.pingTimer = undefined;
    this.sent = undefined;
  }

  /** A pong arrived; `false` when it answers no ping in flight on this connection. */
  ponged(params: string | undefined): boolean {
    if (this.sent === undefined || params !== this.sent) return false;
    clearTimeout(this.pongTimer);
    this.rttMs = this.options.now() - this.sentAt;
    this.sent = undefined;
    return true;
  }

  private ping(): void {
    if (this.sent !== undefined) return;
    this.sentAt = this.options.now();
    this.sent = String(this.sentAt);
    this.options.send(pingRequest(this.sent));
    this.pongTimer = setTimeout(() => this.options.onDead(), this.options.timeoutMs);
  }
}
