import { describe, expect, it } from 'vitest';
import { isGroupChat, TelegramRateLimiter } from '../../../../functions/notifier/channels/telegram-rate-limiter';
import { manualClock } from '../../../support/delivery-clocks';

/** Admits one message per entry of `chatIds`, one after the other, and says when each left. */
async function departures(limiter: TelegramRateLimiter, clock: { now(): number }, chatIds: string[]): Promise<number[]> {
  const times: number[] = [];
  for (const chatId of chatIds) {
    expect(await limiter.admit(chatId, Infinity)).toEqual({ ok: true });
    times.push(clock.now());
  }
  return times;
}

describe('the Telegram rate limiter', () => {
  it('lets one message per second go to a private chat', async () => {
    const clock = manualClock();
    const limiter = new TelegramRateLimiter(clock);
    expect(await departures(limiter, clock, ['7', '7', '7'])).toEqual([0, 1000, 2000]);
  });

  it('lets 30 messages go at once to different chats, then 30 per second', async () => {
    const clock = manualClock();
    const limiter = new TelegramRateLimiter(clock);
    const times = await departures(limiter, clock, Array.from({ length: 33 }, (_, i) => String(i + 1)));
    expect(times.slice(0, 30)).toEqual(Array(30).fill(0));
    expect(times.slice(30)).toEqual([34, 67, 100]);
  });

  it('holds a group to 20 messages per minute on top of one per second', async () => {
    const clock = manualClock();
    const limiter = new TelegramRateLimiter(clock);
    const times = await departures(limiter, clock, Array(31).fill('-1001234567890'));
    expect(times.slice(0, 29)).toEqual(Array.from({ length: 29 }, (_, i) => i * 1000));
    // By then the group bucket (20, refilled at one per 3 s) is empty.
    expect(times.slice(29)).toEqual([30_000, 33_000]);
  });

  it('refuses, without taking a token, a wait beyond the deadline', async () => {
    const clock = manualClock();
    const limiter = new TelegramRateLimiter(clock);
    await limiter.admit('9', Infinity);
    expect(await limiter.admit('9', clock.now() + 500)).toEqual({ ok: false, retryAfterMs: 1000 });
    expect(await limiter.admit('9', Infinity)).toEqual({ ok: true });
    expect(clock.now()).toBe(1000);
  });

  it('holds a chat off for as long as Telegram asked after a 429', async () => {
    const clock = manualClock();
    const limiter = new TelegramRateLimiter(clock);
    limiter.holdOff('5', 7_000);
    expect(await departures(limiter, clock, ['6', '5'])).toEqual([0, 7_000]);
  });

  it('knows groups and channels by their ids', () => {
    expect(isGroupChat('-1001234567890')).toBe(true);
    expect(isGroupChat('@stockalerts')).toBe(true);
    expect(isGroupChat('123456789')).toBe(false);
  });
});
