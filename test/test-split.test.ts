import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import config from '../vitest.config';
import { describeReach, findTestFiles, ImportGraph, literalGlob, moduleFacts, TEST_FILE_PATTERN } from './support/test-split';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const graph = new ImportGraph(ROOT);

interface ProjectTest {
  name?: string;
  include?: string[];
  exclude?: string[];
  setupFiles?: string | string[];
  globalSetup?: string | string[];
}

/** The inline projects of vitest.config.ts by name. */
function project(name: string): ProjectTest {
  for (const entry of config.test?.projects ?? []) {
    if (typeof entry === 'object' && 'test' in entry && entry.test?.name === name) return entry.test as ProjectTest;
  }
  throw new Error(`vitest.config.ts has no project named ${name}`);
}

const unglob = (pattern: string) => pattern.replace(/\\(.)/g, '$1');
const what = (source: string, module = 'test/example.test.ts') => moduleFacts(ROOT, module, source).launchPoints.map((p) => p.what);

describe('the unit / integration split (vitest.config.ts)', () => {
  const unit = project('unit');
  const integration = project('integration');
  const unitFiles = (unit.include ?? []).map(unglob);

  it('runs in the unit project no file that reaches a server, a browser or a child process', () => {
    expect(unitFiles.length).toBeGreaterThan(0);
    const offenders = unitFiles.flatMap((file) => graph.reaches(file).map(describeReach));
    expect(offenders).toEqual([]);
  });

  it('runs every other test file in the integration project, and each file in exactly one', () => {
    const all = findTestFiles(ROOT);
    for (const file of unitFiles) expect(all).toContain(file);
    expect(integration.include).toEqual([TEST_FILE_PATTERN]);
    expect(integration.exclude).toEqual(expect.arrayContaining(unitFiles.map(literalGlob)));
    const excludedFiles = (integration.exclude ?? []).filter((pattern) => pattern.startsWith('test/')).map(unglob);
    expect(new Set(excludedFiles)).toEqual(new Set(unitFiles));
    const integrationFiles = all.filter((file) => !unitFiles.includes(file));
    for (const file of integrationFiles) expect(graph.reaches(file), file).not.toEqual([]);
  });

  it('starts DynamoDB Local for the integration project only, and guards the unit project at run time', () => {
    expect(integration.globalSetup).toEqual(['test/support/integration-global-setup.ts']);
    expect(unit.globalSetup).toBeUndefined();
    expect(config.test?.globalSetup).toBeUndefined();
    expect(unit.setupFiles).toEqual(['test/support/unit-project-guard.ts']);
  });

  it('finds the servers, browsers and processes this repository starts', () => {
    const localServers = readdirSync(new URL('../local', import.meta.url)).filter((name) => name.endsWith('-server.ts'));
    expect(localServers.length).toBeGreaterThanOrEqual(5);
    const starters = [
      ...localServers.map((name) => `local/${name}`),
      'local/dynamodb-local.ts',
      'test/support/dynamodb.ts',
      'test/support/dashboard-browser.ts',
      ...findTestFiles(ROOT).filter((file) => file.startsWith('test/e2e/')),
    ];
    for (const module of starters) expect(graph.reaches(module), module).not.toEqual([]);
  });
});

describe('launch points in a module’s source', () => {
  it('counts value imports of child_process, playwright and the emulators: static, re-exported, dynamic or required', () => {
    expect(what("import { spawn } from 'node:child_process';")).toEqual(['imports node:child_process: child processes']);
    expect(what("import cp from 'child_process';")).toHaveLength(1);
    expect(what("export { chromium } from 'playwright-core';")).toHaveLength(1);
    expect(what("const { startServer } = await import('aws-ses-v2-local');")).toHaveLength(1);
    expect(what("import * as esbuild from 'esbuild';")).toHaveLength(1);
    expect(what("const ses = createRequire(import.meta.url)('aws-ses-v2-local');")).toHaveLength(1);
    expect(what("const { spawn } = require('node:child_process');")).toHaveLength(1);
  });

  it('does not count imports of types only, or modules that start nothing', () => {
    expect(what("import type { ChildProcess } from 'node:child_process';")).toEqual([]);
    expect(what("import { type ChildProcess } from 'node:child_process';")).toEqual([]);
    expect(what("import type { Browser } from 'playwright-core';")).toEqual([]);
    expect(what("import { request } from 'node:http';\nimport { isIP } from 'node:net';")).toEqual([]);
  });

  it('counts servers created, sockets listened on, WebSocket servers, the injected DynamoDB and CDK bundling', () => {
    expect(what('const server = http.createServer(handler);')).toEqual(['createServer(): creates a server']);
    expect(what('server.listen(0, "127.0.0.1");')).toEqual(['listen(): listens on a socket']);
    expect(what('const wss = new WebSocketServer({ port: 0 });')).toEqual(['new WebSocketServer(): creates a WebSocket server']);
    expect(what("const endpoint = inject('dynamodbEndpoint');")).toHaveLength(1);
    expect(what('stockAlertsStack({ bundle: true });')).toHaveLength(1);
    expect(what('stockAlertsStack({ bundle: false });')).toEqual([]);
  });

  it('ignores comments and strings, and method names that only look alike', () => {
    expect(what("// server.listen(0)\n/* createServer() */\nconst s = 'new WebSocketServer()';")).toEqual([]);
    expect(what('value.toString(); inject("otherKey"); emitter.on("listen", f);')).toEqual([]);
  });

  it('takes the marker comment as a launch point', () => {
    expect(what('import { it } from "vitest";\n// test-split: integration (starts a server the scan cannot see)\n')).toEqual(['marked `// test-split: integration`']);
  });

  it('does not count launch points in lib/, where CDK starts processes only to bundle', () => {
    expect(what("import { spawnSync } from 'node:child_process';", 'lib/constructs/example.ts')).toEqual([]);
  });

  it('follows relative imports, .js and index files included, and names the chain', () => {
    const facts = moduleFacts(ROOT, 'test/example.test.ts', "import { a } from './support/dynamodb';\nimport b from './support/test-split.js';\nimport c from 'vitest';");
    expect(facts.imports).toEqual(['test/support/dynamodb.ts', 'test/support/test-split.ts']);
    const chains = graph.reaches('test/support/dynamodb.ts').map((reach) => reach.chain.join(' → '));
    expect(chains).toContain('test/support/dynamodb.ts → local/dynamodb-local.ts');
  });
});

describe('the unit project’s run-time guard (test/support/unit-project-guard.ts)', () => {
  const blocked = () => {
    const key = Symbol.for('stock-alerts.unit-project-guard.blocked');
    const list = (globalThis as { [key: symbol]: string[] | undefined })[key] ?? [];
    return list.splice(0);
  };

  it('refuses to listen on a socket', () => {
    const server = net.createServer();
    expect(() => server.listen(0, '127.0.0.1')).toThrow(/in a unit test: unit tests start no server/);
    expect(blocked()).toEqual(['net.Server#listen']);
  });

  it('refuses to start a child process, asynchronously or not', () => {
    expect(() => spawn(process.execPath, ['--version'])).toThrow(/belongs with the integration tests/);
    expect(() => spawnSync(process.execPath, ['--version'])).toThrow(/belongs with the integration tests/);
    expect(blocked()).toEqual(['child_process (ChildProcess#spawn)', 'child_process.spawnSync']);
  });
});
