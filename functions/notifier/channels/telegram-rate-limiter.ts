/**
 * Telegram's published limits, kept in-process so one notifier instance does not run into 429s
 * (core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this):
 * - at most one message per second to one chat,
 * - at most 20 messages per minute to one group or channel (chat ids starting with `-` or `@`),
 * - about 30 messages per second overall.
 * The figures are the Telegram channel's (core/channels/telegram.ts `rateLimits`). Each limit is a
 * token bucket (burst = capacity, refilled evenly over the period), the same model
 * as python-telegram-bot's rate limiter. Messages to one chat leave in the order they were sent.
 * The limits hold per process: concurrent Lambda instances share nothing, which is why a 429 from
 * Telegram is still handled (see telegram-sender.ts).
 */
import type { BucketLimit } from '../../../core/channels/definition';
import { telegramChannel } from '../../../core/channels/telegram';
import type { Clock } from './delivery-clock';
import { TokenBucket } from './token-bucket';

export interface TelegramRateLimits {
  perChat: BucketLimit;
  perGroup: BucketLimit;
  overall: BucketLimit;
}

/** The Telegram channel's declared limits (core/channels/telegram.ts). */
export const TELEGRAM_RATE_LIMITS: TelegramRateLimits = telegramChannel.rateLimits.buckets;

/** Forget idle chats once this many are tracked (an idle bucket equals a new one). */
const PRUNE_ABOVE = 1_000;

export type Admission = { ok: true } | { ok: false; retryAfterMs: number };

export class TelegramRateLimiter {
  private readonly overall: TokenBucket;
  private readonly chats = new Map<string, TokenBucket[]>();
  /** Per chat, the tail of the queue of sends waiting for that chat (FIFO per chat). */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: TelegramRateLimits = TELEGRAM_RATE_LIMITS,
  ) {
    this.overall = new TokenBucket(limits.overall, clock.now());
  }

  /**
   * Waits until a message to `chatId` may leave and takes its tokens, unless that would be later
   * than `deadline`: then takes nothing and says how long to come back after.
   */
  async admit(chatId: string, deadline: number): Promise<Admission> {
    const previous = this.queues.get(chatId) ?? Promise.resolve();
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const mine = previous.then(() => done);
    this.queues.set(chatId, mine);
    await previous;
    try {
      const buckets = [...this.bucketsOf(chatId), this.overall];
      for (;;) {
        const now = this.clock.now();
        const wait = Math.max(...buckets.map((bucket) => bucket.waitMs(now)));
        if (wait === 0) {
          for (const bucket of buckets) bucket.take(now);
          return { ok: true };
        }
        if (now + wait > deadline) return { ok: false, retryAfterMs: wait };
        await this.clock.sleep(wait);
      }
    } finally {
      release();
      if (this.queues.get(chatId) === mine) this.queues.delete(chatId);
    }
  }

  /** Telegram answered 429 for this chat: nothing more to it until `retryAfterMs` has passed. */
  holdOff(chatId: string, retryAfterMs: number): void {
    const now = this.clock.now();
    for (const bucket of this.bucketsOf(chatId)) bucket.block(now + retryAfterMs, now);
  }

  private bucketsOf(chatId: string): TokenBucket[] {
    let buckets = this.chats.get(chatId);
    if (buckets === undefined) {
      if (this.chats.size >= PRUNE_ABOVE) this.prune();
      const now = this.clock.now();
      buckets = [new TokenBucket(this.limits.perChat, now)];
      if (isGroupChat(chatId)) buckets.push(new TokenBucket(this.limits.perGroup, now));
      this.chats.set(chatId, buckets);
    }
    return buckets;
  }

  private prune(): void {
    const now = this.clock.now();
    for (const [chatId, buckets] of this.chats) {
      if (!this.queues.has(chatId) && buckets.every((bucket) => bucket.isIdle(now))) this.chats.delete(chatId);
    }
  }
}

/** Groups, supergroups and channels have negative ids (or a public @name); users positive ones. */
export function isGroupChat(chatId: string): boolean {
  return chatId.startsWith('-') || chatId.startsWith('@');
}
