/**
 * Telegram alerts: Bot API `sendMessage` with `parse_mode: "HTML"` over the global fetch.
 * - Rate limits: telegram-rate-limiter.ts, in-process, before every request.
 * - 429: waits `parameters.retry_after` and retries, while that fits the send's budget; otherwise
 *   hands back a retryable failure with `retryAfterMs` so the queue redelivers later.
 * - 5xx, network errors, timeouts: a few retries with jittered backoff inside the budget.
 * - Other 4xx (chat not found, bot blocked, bad token): not retryable, with Telegram's description.
 * The bot token is part of the URL; it never appears in results or logs (errors are redacted).
 */
import type { DeliverableAlert } from '../../../core/delivery/deliverable-alert';
import type { Random } from '../../../core/retry';
import type { ChannelImplementation, DeliveryChannelOf } from './channel-implementation';
import { systemClock, type Clock } from './delivery-clock';
import type { DeliveryLogger } from './delivery-logger';
import { failure, type ChannelSender, type DeliveryResult } from './delivery-result';
import { telegramText } from './message-formats';
import { sendWithRetries, type AttemptOutcome, type SendRetry } from './send-retries';
import { telegramBotToken } from './telegram-bot-token';
import { TELEGRAM_RATE_LIMITS, TelegramRateLimiter, type TelegramRateLimits } from './telegram-rate-limiter';

export type TelegramChannel = DeliveryChannelOf<'telegram'>;

export const TELEGRAM_API_BASE = 'https://api.telegram.org';

export const TELEGRAM_RETRY: SendRetry = { maxAttempts: 3, initialMs: 300, maxMs: 2_000, budgetMs: 5_000 };

export interface TelegramSenderOptions {
  /** The bot's token (TELEGRAM_BOT_TOKEN). A secret. */
  botToken: string;
  /** TELEGRAM_API_BASE: the real API, or the local stand-in. */
  apiBase?: string;
  /** Per request. */
  timeoutMs?: number;
  retry?: Partial<SendRetry>;
  rateLimits?: TelegramRateLimits;
  clock?: Clock;
  /** Jitter source in [0, 1). */
  random?: Random;
  logger?: DeliveryLogger;
}

/** Telegram's answer to a method call (core.telegram.org/bots/api#making-requests). */
interface BotApiAnswer {
  ok?: boolean;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

type Attempt =
  | { kind: 'sent' }
  | { kind: 'throttled'; retryAfterMs: number; error: string }
  | { kind: 'transient'; error: string }
  | { kind: 'rejected'; error: string };

/** The Telegram channel's formatter and sender (functions/notifier/channels/registry.ts). */
export const telegramImplementation = {
  format: (alert) => ({ text: telegramText(alert) }),
  createSender: async ({ config, logger }) => {
    const token = await telegramBotToken(config);
    return token === undefined ? null : new TelegramSender({ botToken: token, apiBase: config.telegramApiBase, logger });
  },
  unconfigured: failure(false, 'Telegram is not configured on this deployment (no bot token)'),
} satisfies ChannelImplementation<'telegram'>;

/**
 * @example
 * const telegram = new TelegramSender({ botToken: config.telegramBotToken, apiBase: config.telegramApiBase, logger });
 * await telegram.send({ type: 'telegram', chatId: '123456789' }, alert);
 */
export class TelegramSender implements ChannelSender<TelegramChannel> {
  private readonly url: string;
  private readonly retry: SendRetry;
  private readonly clock: Clock;
  private readonly limiter: TelegramRateLimiter;

  constructor(private readonly options: TelegramSenderOptions) {
    if (options.botToken === '') throw new Error('TelegramSender needs a bot token');
    this.url = `${(options.apiBase ?? TELEGRAM_API_BASE).replace(/\/+$/, '')}/bot${options.botToken}/sendMessage`;
    this.retry = { ...TELEGRAM_RETRY, ...options.retry };
    this.clock = options.clock ?? systemClock;
    this.limiter = new TelegramRateLimiter(this.clock, options.rateLimits ?? TELEGRAM_RATE_LIMITS);
  }

  async send(channel: TelegramChannel, alert: DeliverableAlert): Promise<DeliveryResult> {
    const body = JSON.stringify({
      chat_id: channel.chatId,
      text: telegramImplementation.format(alert).text,
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
    });
    const { random, logger } = this.options;
    return sendWithRetries({ retry: this.retry, clock: this.clock, random, logger, what: 'telegram send' }, async (deadline): Promise<AttemptOutcome> => {
      const admission = await this.limiter.admit(channel.chatId, deadline);
      if (!admission.ok) {
        const error = `Telegram rate limit: chat ${channel.chatId} is busy, retry in ${admission.retryAfterMs} ms`;
        return { kind: 'rejected', retryable: true, error, retryAfterMs: admission.retryAfterMs };
      }
      const outcome = await this.post(body);
      if (outcome.kind !== 'throttled') return outcome;
      // A 429 is waited out by the limiter, which also keeps other sends to the chat back.
      this.limiter.holdOff(channel.chatId, outcome.retryAfterMs);
      return { kind: 'transient', error: outcome.error, retryAfterMs: outcome.retryAfterMs, waitsItself: true };
    });
  }

  private async post(body: string): Promise<Attempt> {
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    let response: Response;
    let answer: BotApiAnswer;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      answer = parseAnswer(await response.text());
    } catch (error) {
      if (error instanceof Error && error.name === 'TimeoutError') return { kind: 'transient', error: `Telegram did not answer within ${timeoutMs} ms` };
      return { kind: 'transient', error: this.redact(`Telegram unreachable: ${describeFetchError(error)}`) };
    }
    if (response.ok && answer.ok === true) return { kind: 'sent' };
    const status = answer.error_code ?? response.status;
    const description = answer.description ?? (response.statusText || 'no description');
    const error = this.redact(`Telegram ${status}: ${description}`);
    if (status === 429) {
      const seconds = answer.parameters?.retry_after;
      return { kind: 'throttled', retryAfterMs: (typeof seconds === 'number' && seconds >= 0 ? seconds : 1) * 1000, error };
    }
    if (status >= 500 || response.status >= 500) return { kind: 'transient', error };
    const movedTo = answer.parameters?.migrate_to_chat_id;
    return { kind: 'rejected', error: movedTo === undefined ? error : `${error} (the group's new chat id is ${movedTo})` };
  }

  /** Removes the bot token, raw or URL-encoded, from a text that may quote the request URL. */
  private redact(text: string): string {
    const token = this.options.botToken;
    return text.split(token).join('<redacted>').split(encodeURIComponent(token)).join('<redacted>');
  }
}

function parseAnswer(text: string): BotApiAnswer {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as BotApiAnswer) : {};
  } catch {
    return {};
  }
}

/** undici's "fetch failed" says little; the cause (ECONNREFUSED, other side closed) says what happened. */
function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return `${error.message} (${typeof code === 'string' ? `${code}: ` : ''}${cause.message})`;
  }
  return error.message;
}
