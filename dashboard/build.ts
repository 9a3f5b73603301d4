/**
 * Builds the web dashboard with Vite, defined once for its three callers:
 * - the local stack: {@link ensureDashboardBuilt} builds into dashboard/dist when it is missing or
 *   its inputs changed (a fingerprint of the sources), so `npm start` stays quick;
 * - the CDK stack's asset bundling (lib/constructs/dashboard-site.ts) runs this file as a script:
 *   `tsx dashboard/build.ts --out-dir <dir>`;
 * - `npm run dashboard:build`.
 *
 * The build is static and the same for every deployment: the API URLs come from `config.json`,
 * fetched at load (written by the local stack, or by the CDK deployment at deploy time).
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { InlineConfig, Plugin } from 'vite';
import * as z from 'zod';
import { conditionSchema } from '../core/rule-model';
import { conditionTypeSpecs } from './src/condition-specs';

export const DASHBOARD_ROOT = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(DASHBOARD_ROOT, '..');
export const DEFAULT_OUT_DIR = path.join(DASHBOARD_ROOT, 'dist');
/** Written beside the build by {@link ensureDashboardBuilt}: the fingerprint of the inputs it was built from. */
const FINGERPRINT_FILE = '.build-fingerprint';

/** What the bundle is made of: the dashboard's own files, the pure domain it imports, the locked dependencies. */
const INPUTS = ['dashboard', 'core', 'ingest-task/src/price-snapshot.ts', 'package-lock.json'];
/** Build output (and the staging folders of a build in progress) is no input. */
const ignored = (entry: string) => entry === 'node_modules' || entry.startsWith('dist') || entry.startsWith('.');

const CONDITION_TYPES_MODULE = 'virtual:condition-types';

/** `import conditionTypes from 'virtual:condition-types'`: the rule form's condition fields (src/condition-specs.ts). */
function conditionTypesPlugin(): Plugin {
  const resolved = `\0${CONDITION_TYPES_MODULE}`;
  return {
    name: 'stock-alerts-condition-types',
    resolveId: (source) => (source === CONDITION_TYPES_MODULE ? resolved : undefined),
    load: (id) => {
      if (id !== resolved) return undefined;
      const schema = z.toJSONSchema(conditionSchema, { io: 'input', unrepresentable: 'any' });
      return `export default ${JSON.stringify(conditionTypeSpecs(schema))};`;
    },
  };
}

export function viteConfig(outDir: string): InlineConfig {
  return {
    root: DASHBOARD_ROOT,
    configFile: false,
    // Relative asset URLs: the same build works at any path and host.
    base: './',
    publicDir: false,
    logLevel: 'warn',
    plugins: [conditionTypesPlugin()],
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: {
      outDir,
      emptyOutDir: true,
      assetsDir: 'assets',
      sourcemap: true,
      target: 'es2022',
      reportCompressedSize: false,
    },
  };
}

/** Builds into `outDir` (emptied first). */
export async function buildDashboard(outDir: string = DEFAULT_OUT_DIR): Promise<void> {
  const { build } = await import('vite');
  await build(viteConfig(outDir));
}

/** A hash of every input file's path and content: it changes exactly when a rebuild could. */
export function inputFingerprint(): string {
  const hash = createHash('sha256');
  const visit = (relative: string) => {
    const absolute = path.join(REPO_ROOT, relative);
    if (!existsSync(absolute)) return;
    if (statSync(absolute).isDirectory()) {
      for (const entry of readdirSync(absolute).sort()) if (!ignored(entry)) visit(path.join(relative, entry));
      return;
    }
    hash.update(relative).update('\0').update(readFileSync(absolute)).update('\0');
  };
  for (const input of INPUTS) visit(input);
  return hash.digest('hex');
}

/**
 * Builds `outDir` unless it already holds a build of the current inputs. Safe to call from
 * several processes at once (tests start stacks in parallel): one builds under a lock file, the
 * others wait and find it fresh; the build goes to a temporary folder and is moved into place.
 */
export async function ensureDashboardBuilt(outDir: string = DEFAULT_OUT_DIR): Promise<{ built: boolean }> {
  const fingerprint = inputFingerprint();
  const fresh = () => existsSync(path.join(outDir, 'index.html')) && readText(path.join(outDir, FINGERPRINT_FILE)) === fingerprint;
  if (fresh()) return { built: false };
  const release = await lock(outDir);
  try {
    if (fresh()) return { built: false };
    const staging = `${outDir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      await buildDashboard(staging);
      writeFileSync(path.join(staging, FINGERPRINT_FILE), fingerprint);
      rmSync(outDir, { recursive: true, force: true });
      renameSync(staging, outDir);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    return { built: true };
  } finally {
    release();
  }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** A lock held by another build longer than this is taken as left behind by a killed process. */
const STALE_LOCK_MS = 180_000;

async function lock(outDir: string): Promise<() => void> {
  const name = createHash('sha256').update(path.resolve(outDir)).digest('hex').slice(0, 16);
  const file = path.join(tmpdir(), `stock-alerts-dashboard-${name}.lock`);
  mkdirSync(path.dirname(file), { recursive: true });
  for (const deadline = Date.now() + STALE_LOCK_MS + 10_000; ; ) {
    try {
      closeSync(openSync(file, 'wx'));
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > STALE_LOCK_MS) {
        try {
          unlinkSync(file);
        } catch {
          // Another waiter removed it first.
        }
        continue;
      }
      if (Date.now() > deadline) throw new Error(`the dashboard build lock ${file} is held too long: remove it if no build runs`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

// As a script: `tsx dashboard/build.ts [--out-dir DIR]` builds (always) into DIR, default dashboard/dist.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { values } = parseArgs({ options: { 'out-dir': { type: 'string' } } });
  const outDir = path.resolve(values['out-dir'] ?? DEFAULT_OUT_DIR);
  try {
    if (values['out-dir'] === undefined) {
      rmSync(path.join(outDir, FINGERPRINT_FILE), { force: true });
      await ensureDashboardBuilt(outDir);
    } else {
      await buildDashboard(outDir);
    }
  } catch (error) {
    console.error(`dashboard build failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
