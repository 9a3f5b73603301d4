/**
 * The local stand-in for the dashboard's CloudFront distribution: serves the built dashboard
 * (dashboard/dist) on loopback with the same security headers and cache rules as in AWS
 * (dashboard/security-headers.ts), and `config.json` from the local stack's own URLs, as the CDK
 * deployment writes it from the deployed ones. GET and HEAD only; nothing outside the build, no
 * dotfiles.
 */
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { ASSET_CACHE_CONTROL, contentSecurityPolicy, ENTRY_CACHE_CONTROL, SECURITY_HEADERS } from '../dashboard/security-headers';
import type { RuntimeConfig } from '../dashboard/config-json';
import { listenOnLoopback } from './loopback-server';

export interface DashboardServerOptions {
  /** The build to serve. */
  distDir: string;
  /** What `config.json` answers; read per request. */
  config: () => RuntimeConfig;
  host?: string;
  /** 0 or unset: a free port. */
  port?: number;
}

export interface DashboardServer {
  /** e.g. `http://127.0.0.1:3001` */
  readonly url: string;
  /** The page's origin, for the HTTP API's CORS. */
  readonly origin: string;
  readonly port: number;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** The origin of an http(s) or ws(s) URL (both special schemes: `ws://127.0.0.1:4000`), as CSP's connect-src names it. */
const originOf = (url: string) => new URL(url).origin;

export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const host = options.host ?? '127.0.0.1';
  const root = path.resolve(options.distDir);

  const server = createServer((request, response) => {
    serve(request, response).catch(() => {
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', 'the local dashboard server failed');
      else response.destroy();
    });
  });

  function send(response: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
    const config = options.config();
    response.writeHead(status, {
      'Content-Type': type,
      'Content-Length': Buffer.byteLength(body),
      'Content-Security-Policy': contentSecurityPolicy([originOf(config.apiUrl), originOf(config.webSocketUrl)]),
      ...SECURITY_HEADERS,
      ...extra,
    });
    response.end(response.req.method === 'HEAD' ? undefined : body);
  }

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return send(response, 405, 'text/plain; charset=utf-8', 'method not allowed', { Allow: 'GET, HEAD' });
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://local').pathname);
    } catch {
      return send(response, 400, 'text/plain; charset=utf-8', 'bad path');
    }
    if (pathname === '/config.json') {
      return send(response, 200, CONTENT_TYPES['.json'] as string, JSON.stringify(options.config()), { 'Cache-Control': ENTRY_CACHE_CONTROL });
    }
    const relative = pathname === '/' ? 'index.html' : pathname.slice(1);
    const file = path.resolve(root, relative);
    const hidden = relative.split('/').some((part) => part.startsWith('.'));
    if (hidden || (file !== root && !file.startsWith(`${root}${path.sep}`))) return send(response, 404, 'text/plain; charset=utf-8', 'not found');
    const info = await stat(file).catch(() => undefined);
    if (info === undefined || !info.isFile()) return send(response, 404, 'text/plain; charset=utf-8', 'not found');
    const body = await readFile(file);
    const type = CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
    send(response, 200, type, body, { 'Cache-Control': relative.startsWith('assets/') ? ASSET_CACHE_CONTROL : ENTRY_CACHE_CONTROL });
  }

  let listening;
  try {
    listening = await listenOnLoopback(server, host, options.port ?? 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`port ${options.port} on ${host} is in use: stop what holds it or set DASHBOARD_PORT to another port`);
    }
    throw error;
  }
  const url = `http://${host}:${listening.port}`;
  return { url, origin: url, port: listening.port, close: () => listening.close() };
}
