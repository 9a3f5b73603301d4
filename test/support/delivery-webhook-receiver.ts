/**
 * A webhook receiver for the webhook sender's tests: an http or https server on 127.0.0.1 (or
 * another local address, ::1 say) that records every request (headers and the exact body bytes) and answers as programmed.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { onTestFinished } from 'vitest';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** TLS server name the client asked for (https only). */
  servername: string | undefined;
}

export type ProgrammedAnswer = { status: number; headers?: Record<string, string>; body?: string; delayMs?: number } | { hang: true };

export interface WebhookReceiver {
  readonly port: number;
  readonly requests: ReceivedRequest[];
  /** The next requests get these answers, in order; afterwards 204. */
  answer(...answers: ProgrammedAnswer[]): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(tls?: { key: string; cert: string }, host = '127.0.0.1'): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const answers: ProgrammedAnswer[] = [];
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks),
        servername: (request.socket as Partial<TLSSocket>).servername || undefined,
      });
      const next = answers.shift() ?? { status: 204 };
      if ('hang' in next) return;
      const send = () => response.writeHead(next.status, next.headers).end(next.body ?? '');
      if (next.delayMs === undefined) send();
      else setTimeout(send, next.delayMs);
    });
  };
  const server = tls === undefined ? createHttpServer(handler) : createHttpsServer(tls, handler);
  const sockets = new Set<Socket>();
  server.on(tls === undefined ? 'connection' : 'secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    answer: (...next) => answers.push(...next),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A receiver on 127.0.0.1 for the current test, closed when the test finishes. */
export async function aWebhookReceiver(): Promise<WebhookReceiver> {
  const receiver = await startWebhookReceiver();
  onTestFinished(() => receiver.close());
  return receiver;
}
