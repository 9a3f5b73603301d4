/**
 * Warnings that could repeat on every batch (a REST budget spent for hundreds of symbols, an
 * unreadable answer) are logged at most once per `everyMs` per kind; the next line that goes out
 * says how many were held back since. Never silent, never a flood.
 */

export type LogLine = (message: string, details: Record<string, unknown>) => void;

/** Lines per kind at most once per this long, unless a caller says otherwise. */
export const DEFAULT_LOG_EVERY_MS = 10_000;

export class RateLimitedLog {
  private readonly kinds = new Map<string, { at: number; heldBack: number }>();

  constructor(
    private readonly write: LogLine,
    private readonly everyMs: number = DEFAULT_LOG_EVERY_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Logs the line unless one of its `kind` went out less than `everyMs` ago (then counts it). */
  line(kind: string, message: string, details: Record<string, unknown>): void {
    const now = this.now();
    const last = this.kinds.get(kind);
    if (last !== undefined && now - last.at < this.everyMs) {
      last.heldBack += 1;
      return;
    }
    this.write(message, last !== undefined && last.heldBack > 0 ? { ...details, heldBack: last.heldBack } : details);
    this.kinds.set(kind, { at: now, heldBack: 0 });
  }
}
