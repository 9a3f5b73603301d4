/**
 * Telegram alerts: Bot API `sendMessage` with `parse_mode: "HTML"` over the global fetch. One
 * request per send: pacing (1 a second per chat, ~30 a second per bot) and retries are the
 * delivery lane's, around the send (functions/notifier/deliver.ts), so that a chat that fails
 * never holds up the sends queued behind it.
 * - 429: a retryable failure with `retryAfterMs` (`parameters.retry_after`): the lane holds the
 *   chat off that long, and the queue hands the delivery out again after it.
 * - 5xx, network errors, timeouts: a retryable failure (the queue retries with backoff).
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

export type TelegramChannel = DeliveryChannelOf<'telegram'>;

export const TELEGRAM_API_BASE = 'https://api.telegram.org';

/** One attempt per send by default: retrying is the queue's (deliver.ts), so a failing chat never holds the invocation. */
export const TELEGRAM_RETRY: SendRetry = { maxAttempts: 1, initialMs: 300, maxMs: 2_000, budgetMs: 0 };

export interface TelegramSenderOptions {
  /** The bot's token (TELEGRAM_BOT_TOKEN). A secret. */
  botToken: string;
  /** TELEGRAM_API_BASE: the real API, or the local stand-in. */
  apiBase?: string;
  /** Per request. */
  timeoutMs?: number;
  retry?: Partial<SendRetry>;
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

  constructor(private readonly options: TelegramSenderOptions) {
    if (options.botToken === '') throw new Error('TelegramSender needs a bot token');
    this.url = `${(options.apiBase ?? TELEGRAM_API_BASE).replace(/\/+$/, '')}/bot${options.botToken}/sendMessage`;
    this.retry = { ...TELEGRAM_RETRY, ...options.retry };
    this.clock = options.clock ?? systemClock;
  }

  async send(channel: TelegramChannel, alert: DeliverableAlert): Promise<DeliveryResult> {
    const body = JSON.stringify({
      chat_id: channel.chatId,
      text: telegramImplementation.format(alert).text,
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
    });
    const { random, logger } = this.options;
    return sendWithRetries({ retry: this.retry, clock: this.clock, random, logger, what: 'telegram send' }, async (): Promise<AttemptOutcome> => {
      const outcome = await this.post(body);
      return outcome.kind === 'throttled' ? { kind: 'transient', error: outcome.error, retryAfterMs: outcome.retryAfterMs } : outcome;
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
