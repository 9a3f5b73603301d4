/**
 * `npm run bundle-sizes`: bundles every Lambda function exactly as the stack does (the options
 * come from lib/function-bundling.ts, the entries from lib/function-entries.ts) and prints a table
 * and, as its last line, one JSON object of the sizes. For comparison it also bundles each with
 * the AWS SDK inside (the alternative to using the runtime's SDK). Target: ≤ 300 KB of JavaScript
 * per function. Figures go to docs/benchmarks.md ("Lambda bundles").
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { esbuildOptions } from '../lib/function-bundling';
import { allFunctionEntries } from '../lib/function-entries';

const TARGET_BYTES = 300 * 1024;

interface BundleSize {
  entry: string;
  /** index.mjs, as deployed. */
  bytes: number;
  gzipBytes: number;
  mapBytes: number;
  /** The same function with @aws-sdk/* bundled instead of taken from the runtime. */
  withSdkBytes: number;
  /** The dependency that weighs most in the bundle, and its share. */
  largest: { name: string; bytes: number };
}

/** `node_modules/@scope/name/...` → `@scope/name`; own code → its top folder. */
function packageOf(input: string): string {
  const afterModules = input.split('node_modules/').pop() ?? input;
  if (afterModules === input) return input.split('/')[0] ?? input;
  const parts = afterModules.split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? afterModules);
}

function largestPackage(metafile: Metafile): { name: string; bytes: number } {
  const byPackage = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(input);
      byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
    }
  }
  const [name, bytes] = [...byPackage].sort((a, b) => b[1] - a[1])[0] ?? ['-', 0];
  return { name, bytes };
}

async function measure(entry: string, workdir: string): Promise<BundleSize> {
  const deployedDir = await mkdtemp(path.join(workdir, 'fn-'));
  const deployed = await build(esbuildOptions(entry, deployedDir));
  const code = await readFile(path.join(deployedDir, 'index.mjs'));
  const map = await readFile(path.join(deployedDir, 'index.mjs.map'));
  // esbuild's ESM shim for a CommonJS require: it throws at run time, in AWS only.
  if (code.includes('Dynamic require of')) throw new Error(`${entry}: the bundle contains a dynamic require shim`);
  const withSdkDir = await mkdtemp(path.join(workdir, 'sdk-'));
  await build(esbuildOptions(entry, withSdkDir, []));
  const withSdk = await readFile(path.join(withSdkDir, 'index.mjs'));
  return {
    entry,
    bytes: code.length,
    gzipBytes: gzipSync(code).length,
    mapBytes: map.length,
    withSdkBytes: withSdk.length,
    largest: largestPackage(deployed.metafile ?? { inputs: {}, outputs: {} }),
  };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

async function main(): Promise<number> {
  const workdir = await mkdtemp(path.join(tmpdir(), 'bundle-sizes-'));
  try {
    const sizes: Record<string, BundleSize> = {};
    for (const [name, entry] of Object.entries(allFunctionEntries())) sizes[name] = await measure(entry, workdir);

    const rows = Object.entries(sizes).map(([name, s]) => [
      name,
      s.entry,
      kb(s.bytes),
      kb(s.gzipBytes),
      kb(s.mapBytes),
      kb(s.withSdkBytes),
      `${s.largest.name} ${kb(s.largest.bytes)}`,
      s.bytes <= TARGET_BYTES ? 'yes' : 'NO',
    ]);
    const header = ['function', 'entry', 'index.mjs', 'gzip', '.map', 'with SDK', 'largest dependency', '≤ 300 KB'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
    console.log(line(header));
    console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
    for (const row of rows) console.log(line(row));
    console.log(JSON.stringify({ targetBytes: TARGET_BYTES, bundles: Object.fromEntries(Object.entries(sizes).map(([name, s]) => [name, { bytes: s.bytes, gzipBytes: s.gzipBytes, withSdkBytes: s.withSdkBytes }])) }));
    return 0;
  } finally {
    await rm(workdir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
