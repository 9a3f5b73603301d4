/**
 * The local SES: aws-ses-v2-local (SES v1 and v2 APIs, a web page listing sent mail, the mail as
 * JSON at `GET /store`), started in-process on a free loopback port. The notifier's SES client is
 * pointed at `endpoint` (SES_ENDPOINT); `readMail` is what tests and the local stack read.
 *
 * The emulator keeps its mail in module state: every server started in one process shares one
 * store (a second server sees the first one's mail). Tests call `clearMail` in their setup.
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo, Socket } from 'node:net';
import type startEmulator from 'aws-ses-v2-local';

type StartEmulator = typeof startEmulator;

/**
 * The emulator's programmatic entry. Loaded with require: it is CommonJS with `exports.default`,
 * which an ESM default import resolves differently under Node (the whole exports object) and
 * under bundlers or tsx (the function).
 */
function emulatorEntry(): StartEmulator {
  const loaded = createRequire(import.meta.url)('aws-ses-v2-local') as { default?: unknown };
  if (typeof loaded.default !== 'function') throw new SesServerError('aws-ses-v2-local has no programmatic entry (is it installed?)');
  return loaded.default as StartEmulator;
}

export interface SesServerOptions {
  host?: string;
  /** 0 or unset: a free port. */
  port?: number;
}

/** One sent email as the emulator stores it. */
export interface SentMail {
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
  /** Epoch seconds. */
  at: number;
}

export interface SesServer {
  /** For the SES client (SES_ENDPOINT), e.g. `http://127.0.0.1:41234`. */
  readonly endpoint: string;
  /** The emulator's web page listing the mail. */
  readonly webPageUrl: string;
  readonly port: number;
  /** Sent mail, oldest first; `sinceEpochSeconds` keeps only mail sent from then on. */
  readMail(sinceEpochSeconds?: number): Promise<SentMail[]>;
  clearMail(): Promise<void>;
  /** Closes the server and its connections. Safe to call twice. */
  stop(): Promise<void>;
}

export class SesServerError extends Error {
  override readonly name = 'SesServerError';
}

/**
 * @example
 * const ses = await startSesServer();
 * const client = new SESClient({ endpoint: ses.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS }); // core/local-credentials.ts
 */
export async function startSesServer(options: SesServerOptions = {}): Promise<SesServer> {
  const host = options.host ?? '127.0.0.1';
  const server: Server = await emulatorEntry()({ host, port: options.port ?? 0 });
  // The emulator resolves even when listen failed (its callback receives the error): check.
  if (!server.listening) {
    server.close();
    throw new SesServerError(`the local SES could not listen on ${host}:${options.port ?? 0} (is the port in use?)`);
  }
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const port = (server.address() as AddressInfo).port;
  const base = `http://${host}:${port}`;
  let stopping: Promise<void> | undefined;

  return {
    endpoint: base,
    webPageUrl: `${base}/`,
    port,
    readMail: async (since) => {
      const response = await fetch(`${base}/store${since === undefined ? '' : `?since=${since}`}`);
      if (!response.ok) throw new SesServerError(`the local SES answered ${response.status} to GET /store`);
      const store = (await response.json()) as { emails: SentMail[] };
      return store.emails;
    },
    clearMail: async () => {
      const response = await fetch(`${base}/clear-store`, { method: 'POST' });
      if (!response.ok) throw new SesServerError(`the local SES answered ${response.status} to POST /clear-store`);
    },
    stop: () => {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return stopping;
    },
  };
}
