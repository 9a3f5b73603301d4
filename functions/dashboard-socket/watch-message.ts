/**
 * What a dashboard sends on its WebSocket (the API's `$default` route; route selection reads
 * `action`): `{"action":"watch","symbols":["AAPL$US", …]}` replaces the symbols whose live prices
 * the connection gets, and renews them (dashboards resend it every few minutes, see
 * storage/watches-repository.ts). An empty list stops the prices. docs/dashboard.md has the protocol.
 */
import * as z from 'zod';
import { formatPath, symbolSchema } from '../../core/rule-model';
import { MAX_WATCHED_SYMBOLS } from '../../storage/watches-repository';

export const watchMessageSchema = z.strictObject({
  action: z.literal('watch'),
  symbols: z.array(symbolSchema).max(MAX_WATCHED_SYMBOLS, { error: `must hold at most ${MAX_WATCHED_SYMBOLS} symbols` }),
});

/** `{"action":"watch","symbols":[...]}` as a dashboard sends it. */
export type WatchMessage = z.input<typeof watchMessageSchema>;

export type ParsedSocketMessage = { ok: true; message: z.output<typeof watchMessageSchema> } | { ok: false; error: string };

/** Reads one message body; never throws (a bad message is the sender's problem, not a failed invocation). */
export function parseSocketMessage(body: string | undefined): ParsedSocketMessage {
  let value: unknown;
  try {
    value = JSON.parse(body ?? '');
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  const parsed = watchMessageSchema.safeParse(value);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, error: `${formatPath(issue?.path ?? []) || 'message'}: ${issue?.message ?? 'is not valid'}` };
}
