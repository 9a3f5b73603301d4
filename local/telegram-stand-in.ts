/**
 * A local stand-in for the Telegram Bot API: a node:http server on loopback that answers
 * `sendMessage` (and `getMe`) the way api.telegram.org does, keeps every message it accepted, and
 * optionally prints each one. The local stack points TELEGRAM_API_BASE at it when no
 * TELEGRAM_BOT_TOKEN is set; tests use it to see what the Telegram sender sent.
 *
 * Like the real API it accepts parameters as JSON, as a form or in the query string, answers
 * `{"ok":true,"result":{...}}` or `{"ok":false,"error_code","description"}`, and checks
 * `parse_mode: "HTML"` text the way Telegram does (known tags only, balanced, and only the
 * entities &lt; &gt; &amp; &quot; and numeric ones), so badly escaped text fails here too.
 * Tests can program the next answers to fail (429 with retry_after, 500, 403, 400, a dropped
 * connection, no answer at all).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback-server';
import { assertNever } from '../core/assert-never';

export interface TelegramStandInOptions {
  host?: string;
  /** 0 or unset: a free port. */
  port?: number;
  /** Called with one tidy line per accepted message (e.g. console.log); unset: silent. */
  print?: (line: string) => void;
  /** Only this bot token is accepted (401 otherwise); unset: any well-formed token. */
  token?: string;
  /** Clock for the receive timestamps (epoch ms), so rate-limit tests can use their own clock. */
  now?: () => number;
}

export interface ReceivedMessage {
  messageId: number;
  chatId: string;
  /** The text as sent (with markup). */
  text: string;
  /** What the user sees: tags removed, entities decoded. */
  plainText: string;
  parseMode: string | undefined;
  /** When it arrived, from `now` (epoch ms). */
  receivedAt: number;
  /** All parameters of the call. */
  parameters: Record<string, unknown>;
}

/** A programmed failure, used for the next matching request(s). */
export type TelegramFailure =
  | { kind: 'too_many_requests'; retryAfterSeconds: number }
  | { kind: 'server_error'; status?: number }
  | { kind: 'bot_blocked' }
  | { kind: 'chat_not_found' }
  /** The connection is closed without an answer. */
  | { kind: 'disconnect' }
  /** No answer until the server closes (for timeouts). */
  | { kind: 'hang' };

export interface TelegramStandIn {
  /** Give this as TELEGRAM_API_BASE, e.g. `http://127.0.0.1:41234`. */
  readonly apiBase: string;
  readonly port: number;
  /** Every accepted message, in arrival order. */
  readonly messages: readonly ReceivedMessage[];
  /** Accepted messages to one chat. */
  messagesTo(chatId: string): ReceivedMessage[];
  /** Requests received for sendMessage, accepted or not (failures included). */
  readonly requestCount: number;
  /** The next `times` sendMessage requests (optionally: to `chatId`) get `failure`. */
  failNext(failure: TelegramFailure, times?: number, chatId?: string): void;
  clear(): void;
  close(): Promise<void>;
}

interface Programmed {
  failure: TelegramFailure;
  remaining: number;
  chatId: string | undefined;
}

const TOKEN_PATTERN = /^\d+:[A-Za-z0-9_-]+$/;
const PATH = /^\/bot([^/]+)\/([A-Za-z]+)\/?$/;
const MAX_TEXT_LENGTH = 4096;

/**
 * @example
 * const telegram = await startTelegramStandIn({ print: console.log });
 * const sender = new TelegramSender({ botToken: '0:local', apiBase: telegram.apiBase, logger });
 */
export async function startTelegramStandIn(options: TelegramStandInOptions = {}): Promise<TelegramStandIn> {
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const messages: ReceivedMessage[] = [];
  const programmed: Programmed[] = [];
  const hanging = new Set<ServerResponse>();
  let requestCount = 0;
  let nextMessageId = 1;

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) answer(response, 500, { ok: false, error_code: 500, description: 'Internal Server Error' });
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    // Not part of the Bot API: what the stand-in received, for a test running in another process.
    if (request.method === 'GET' && url.pathname === '/messages') {
      return answer(response, 200, { ok: true, result: messages.map(({ messageId, chatId, text, plainText, receivedAt }) => ({ messageId, chatId, text, plainText, receivedAt })) });
    }
    const match = PATH.exec(url.pathname);
    const body = await readBody(request);
    if (match === null) return answer(response, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token = '', method = ''] = match;
    if (!TOKEN_PATTERN.test(token) || (options.token !== undefined && token !== options.token)) {
      return answer(response, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    }
    let parameters: Record<string, unknown>;
    try {
      parameters = { ...Object.fromEntries(url.searchParams), ...parseParameters(request.headers['content-type'], body) };
    } catch {
      return answer(response, 400, { ok: false, error_code: 400, description: "Bad Request: can't parse JSON object" });
    }
    const botId = Number(token.split(':')[0]);
    switch (method.toLowerCase()) {
      case 'getme':
        return answer(response, 200, { ok: true, result: botUser(botId) });
      case 'sendmessage':
        requestCount++;
        return sendMessage(parameters, botId, request, response);
      default:
        return answer(response, 404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
    }
  }

  function sendMessage(parameters: Record<string, unknown>, botId: number, request: IncomingMessage, response: ServerResponse): void {
    const chatId = parameters.chat_id === undefined ? undefined : String(parameters.chat_id);
    const failure = takeFailure(chatId);
    if (failure !== undefined) return fail(failure, request, response);
    if (chatId === undefined || chatId === '') return answer(response, 400, badRequest('chat_id is empty'));
    if (!/^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$/.test(chatId)) return answer(response, 400, badRequest('chat not found'));
    const text = typeof parameters.text === 'string' ? parameters.text : parameters.text === undefined ? '' : String(parameters.text);
    const parseMode = typeof parameters.parse_mode === 'string' ? parameters.parse_mode : undefined;
    let plainText = text;
    if (parseMode !== undefined && parseMode !== '') {
      if (parseMode.toLowerCase() !== 'html') return answer(response, 400, badRequest(`unsupported parse_mode ${parseMode} (the stand-in knows HTML only)`));
      const parsed = parseTelegramHtml(text);
      if (!parsed.ok) return answer(response, 400, badRequest(`can't parse entities: ${parsed.error}`));
      plainText = parsed.text;
    }
    if (plainText.trim() === '') return answer(response, 400, badRequest('message text is empty'));
    if ([...plainText].length > MAX_TEXT_LENGTH) return answer(response, 400, badRequest('message is too long'));
    const message: ReceivedMessage = { messageId: nextMessageId++, chatId, text, plainText, parseMode, receivedAt: now(), parameters };
    messages.push(message);
    options.print?.(`[telegram] chat ${chatId}: ${plainText.replace(/\s*\n\s*/g, ' | ')}`);
    answer(response, 200, {
      ok: true,
      result: {
        message_id: message.messageId,
        from: botUser(botId),
        chat: /^-?\d+$/.test(chatId) ? { id: Number(chatId), type: chatId.startsWith('-') ? 'supergroup' : 'private' } : { id: -1, type: 'channel', username: chatId.slice(1) },
        date: Math.floor(message.receivedAt / 1000),
        text: plainText,
      },
    });
  }

  function takeFailure(chatId: string | undefined): TelegramFailure | undefined {
    const index = programmed.findIndex((p) => p.chatId === undefined || p.chatId === chatId);
    const entry = programmed[index];
    if (entry === undefined) return undefined;
    entry.remaining--;
    if (entry.remaining <= 0) programmed.splice(index, 1);
    return entry.failure;
  }

  function fail(failure: TelegramFailure, request: IncomingMessage, response: ServerResponse): void {
    switch (failure.kind) {
      case 'too_many_requests':
        return answer(response, 429, {
          ok: false,
          error_code: 429,
          description: `Too Many Requests: retry after ${failure.retryAfterSeconds}`,
          parameters: { retry_after: failure.retryAfterSeconds },
        });
      case 'server_error':
        return answer(response, failure.status ?? 500, { ok: false, error_code: failure.status ?? 500, description: 'Internal Server Error' });
      case 'bot_blocked':
        return answer(response, 403, { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' });
      case 'chat_not_found':
        return answer(response, 400, badRequest('chat not found'));
      case 'disconnect':
        request.socket.destroy();
        return;
      case 'hang':
        hanging.add(response);
        return;
      default:
        assertNever(failure, 'programmed Telegram failure');
    }
  }

  const listening = await listenOnLoopback(server, host, options.port ?? 0);
  const port = listening.port;
  let closing: Promise<void> | undefined;

  return {
    apiBase: `http://${host}:${port}`,
    port,
    messages,
    messagesTo: (chatId) => messages.filter((m) => m.chatId === chatId),
    get requestCount() {
      return requestCount;
    },
    failNext: (failure, times = 1, chatId) => {
      programmed.push({ failure, remaining: times, chatId });
    },
    clear: () => {
      messages.length = 0;
      programmed.length = 0;
      requestCount = 0;
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy();
        void listening.close().then(resolve);
      });
      return closing;
    },
  };
}

function botUser(botId: number) {
  return { id: botId, is_bot: true, first_name: 'stock-alerts (local)', username: 'stock_alerts_local_bot' };
}

function badRequest(description: string) {
  return { ok: false, error_code: 400, description: `Bad Request: ${description}` };
}

function answer(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseParameters(contentType: string | undefined, body: string): Record<string, unknown> {
  if (body === '') return {};
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(body));
  const parsed: unknown = JSON.parse(body);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
  return parsed as Record<string, unknown>;
}

/** Tags of Telegram's HTML style (core.telegram.org/bots/api#html-style), by the name that closes them. */
const TELEGRAM_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler', 'a', 'code', 'pre', 'blockquote', 'tg-emoji']);
const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

/**
 * Parses Telegram-style HTML the way the Bot API does, strictly: a `<` must open or close a
 * known tag, tags must nest, a `&` must start a known entity.
 */
export function parseTelegramHtml(html: string): { ok: true; text: string } | { ok: false; error: string } {
  const open: string[] = [];
  let text = '';
  for (let i = 0; i < html.length; ) {
    const char = html[i];
    if (char === '<') {
      const end = html.indexOf('>', i);
      if (end < 0) return { ok: false, error: `unclosed start tag at byte offset ${i}` };
      const tag = /^<(\/?)([a-z][a-z-]*)(\s[^<>]*)?>$/i.exec(html.slice(i, end + 1));
      const name = tag?.[2]?.toLowerCase();
      if (tag === null || name === undefined || !TELEGRAM_TAGS.has(name)) {
        return { ok: false, error: `unsupported start tag "${html.slice(i + 1, end).split(/\s/)[0] ?? ''}" at byte offset ${i}` };
      }
      if (tag[1] === '/') {
        if (open.pop() !== name) return { ok: false, error: `unmatched end tag at byte offset ${i}, expected "</${open.at(-1) ?? ''}>"` };
      } else {
        open.push(name);
      }
      i = end + 1;
    } else if (char === '&') {
      const entity = /^&(#\d{1,7}|#x[0-9a-f]{1,6}|[a-z]+);/i.exec(html.slice(i, i + 12));
      const name = entity?.[1];
      let decoded: string | undefined;
      if (name?.startsWith('#')) {
        const code = /^#x/i.test(name) ? parseInt(name.slice(2), 16) : Number(name.slice(1));
        decoded = code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
      } else if (name !== undefined) {
        decoded = NAMED_ENTITIES[name.toLowerCase()];
      }
      if (entity === null || decoded === undefined) return { ok: false, error: `character entity expected at byte offset ${i}` };
      text += decoded;
      i += entity[0].length;
    } else if (char === '>') {
      // Telegram tolerates a bare ">" but the docs ask for &gt;: the stand-in holds senders to the docs.
      return { ok: false, error: `unescaped ">" at byte offset ${i}` };
    } else {
      text += char;
      i++;
    }
  }
  if (open.length > 0) return { ok: false, error: `can't find end tag corresponding to start tag "${open.at(-1) ?? ''}"` };
  return { ok: true, text };
}
