/**
 * Why an iTick REST call gave nothing, as a value callers can act on: the warm-up records
 * `reason` on the symbol ("warming from live data"), logs `kind`, and waits until `retryAt` when
 * there is one. Messages name the endpoint and symbol, never the token (it travels in a header,
 * never in a URL).
 */

export type RestFailureKind =
  /** No token configured, or its secret could not be read. */
  | 'no_token'
  /** This process's share of the budget is spent (or iTick paused it): the call was not made. */
  | 'budget'
  /** iTick answered 429: every caller now waits until `retryAt`. */
  | 'rate_limited'
  /** Any other HTTP status. */
  | 'http'
  | 'timeout'
  /** The connection failed (refused, reset, DNS). */
  | 'network'
  /** The answer was not one this client can read (no data, not JSON). */
  | 'answer';

export class ItickRestError extends Error {
  override readonly name = 'ItickRestError';

  constructor(
    readonly kind: RestFailureKind,
    message: string,
    /** When asking again may succeed (epoch ms), for `budget` and `rate_limited`. */
    readonly retryAt?: number,
    /** The HTTP status, for `http` and `rate_limited`. */
    readonly status?: number,
  ) {
    super(message);
  }

  /** Whether iTick was called at all (false: refused before, by the budget or for want of a token). */
  get called(): boolean {
    return this.kind !== 'no_token' && this.kind !== 'budget' && !(this.kind === 'rate_limited' && this.status === undefined);
  }

  /** A few words for a rule's "warming from live data" note. */
  get reason(): string {
    switch (this.kind) {
      case 'no_token':
        return 'no iTick token';
      case 'budget':
        return "iTick's REST budget is spent";
      case 'rate_limited':
        return this.status === undefined ? 'iTick asked every caller to wait (429)' : 'iTick answered 429 (too many requests)';
      case 'http':
        return `iTick answered ${this.status ?? 'an error'}`;
      case 'timeout':
        return 'iTick did not answer in time';
      case 'network':
        return 'iTick could not be reached';
      case 'answer':
        return "iTick's answer could not be read";
    }
  }
}

export const isItickRestError = (error: unknown): error is ItickRestError => error instanceof ItickRestError;
