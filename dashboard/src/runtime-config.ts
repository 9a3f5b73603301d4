/**
 * Where the dashboard finds the system: `config.json` beside index.html, fetched at load, so one
 * build serves every deployment. The local stack serves it from its own settings; the CDK stack
 * writes it at deploy time from the deployed APIs' URLs (lib/constructs/dashboard-site.ts).
 */

import type { RuntimeConfig } from '../config-json';

export type { RuntimeConfig };

function urlField(value: unknown, name: string, protocols: readonly string[]): string {
  if (typeof value !== 'string' || !URL.canParse(value)) throw new Error(`config.json: ${name} must be a URL`);
  const url = new URL(value);
  if (!protocols.includes(url.protocol)) throw new Error(`config.json: ${name} must be a ${protocols.join(' or ')} URL`);
  return value.replace(/\/+$/, '');
}

export function parseRuntimeConfig(value: unknown): RuntimeConfig {
  if (typeof value !== 'object' || value === null) throw new Error('config.json must hold a JSON object');
  const fields = value as Record<string, unknown>;
  return {
    apiUrl: urlField(fields.apiUrl, 'apiUrl', ['https:', 'http:']),
    webSocketUrl: urlField(fields.webSocketUrl, 'webSocketUrl', ['wss:', 'ws:']),
  };
}

export async function loadRuntimeConfig(): Promise<RuntimeConfig> {
  // Never cached: a redeployed API must reach open tabs on their next load.
  const response = await fetch('config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json answered HTTP ${response.status}`);
  return parseRuntimeConfig(await response.json());
}
