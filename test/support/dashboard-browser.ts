/**
 * Debian's Chromium driven by playwright-core for the dashboard's browser tests: never a browser
 * download (`npx playwright install` cannot work here), the flags this machine needs (no sandbox
 * as root, no background networking on a closed network), and every console error, page error
 * and failed request kept so a test can require there were none.
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Where `apt-get install chromium` puts it; CHROMIUM_PATH overrides. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface BrowserProblems {
  /** Console messages of type error, page errors (uncaught exceptions) and failed requests. */
  readonly all: string[];
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: install Debian's (apt-get install -y --no-install-recommends chromium) or set CHROMIUM_PATH`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** A page that records what went wrong in it. */
export async function watchedPage(context: BrowserContext): Promise<{ page: Page; problems: BrowserProblems }> {
  const page = await context.newPage();
  const all: string[] = [];
  page.on('console', (message) => {
    // The location names the resource for "Failed to load resource" errors.
    if (message.type() === 'error') all.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => all.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => all.push(`request failed: ${request.method()} ${request.url()} (${request.failure()?.errorText ?? 'unknown'})`));
  return { page, problems: { all } };
}

/**
 * Where screenshots go: DASHBOARD_SCREENSHOTS_DIR (`npm run screenshots` sets docs/screenshots),
 * else a temporary folder, so the test always exercises taking them.
 */
export function screenshotDir(): string {
  const wanted = process.env.DASHBOARD_SCREENSHOTS_DIR;
  if (wanted === undefined || wanted === '') return mkdtempSync(path.join(tmpdir(), 'stock-alerts-screenshots-'));
  mkdirSync(wanted, { recursive: true });
  return path.resolve(wanted);
}
