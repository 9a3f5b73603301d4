/** A bare WebSocket client for testing the market simulator's side of iTick's protocol. */
import WebSocket from 'ws';
import { eventually } from './eventually';

export interface RawClient {
  ws: WebSocket;
  /** Every message received, parsed. */
  messages: Record<string, unknown>[];
  /** Waits for the first message (from `from` on) that `match` accepts. */
  next(match: (message: Record<string, unknown>) => boolean, what: string, from?: number): Promise<Record<string, unknown>>;
  send(message: unknown): void;
  closed: Promise<number>;
  close(): Promise<void>;
}

export async function connectRaw(url: string, token?: string): Promise<RawClient> {
  const ws = new WebSocket(url, token === undefined ? {} : { headers: { token } });
  const messages: Record<string, unknown>[] = [];
  ws.on('message', (data: WebSocket.RawData) => messages.push(JSON.parse(data.toString()) as Record<string, unknown>));
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    messages,
    next: (match, what, from = 0) => eventually(() => messages.slice(from).find(match), what),
    send: (message) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
    closed,
    async close() {
      if (ws.readyState !== WebSocket.CLOSED) {
        ws.terminate();
        await closed;
      }
    },
  };
}

export const isData = (type: string) => (message: Record<string, unknown>) => (message.data as { type?: string } | undefined)?.type === type;
export const isAnswer = (resAc: string) => (message: Record<string, unknown>) => message.resAc === resAc;
