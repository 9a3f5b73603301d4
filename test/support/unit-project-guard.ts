/**
 * The unit project's setup file: inside a unit test nothing may listen on a socket or start a
 * child process (a browser and DynamoDB Local's Java are child processes too). The attempt throws
 * where it happens, and the file fails after its tests even if the test swallowed the error. A
 * file that fails here is misclassified: vitest.config.ts says how the split is made and how to
 * mark a file as an integration test.
 */
import childProcess, { ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { afterAll } from 'vitest';

/** Where the guard keeps the attempts it blocked (test/test-split.test.ts reads and clears it). */
const BLOCKED_KEY = Symbol.for('stock-alerts.unit-project-guard.blocked');

type GuardedGlobal = typeof globalThis & { [BLOCKED_KEY]?: string[] };

const blocked = ((globalThis as GuardedGlobal)[BLOCKED_KEY] ??= []);

const misclassified = (what: string) =>
  new Error(
    `${what} in a unit test: unit tests start no server, browser or child process. ` +
      'This file belongs with the integration tests (see vitest.config.ts: the split, and the `// test-split: integration` marker).',
  );

function refuse(what: string): never {
  blocked.push(what);
  throw misclassified(what);
}

const INSTALLED = Symbol.for('stock-alerts.unit-project-guard.installed');
const guarded = globalThis as GuardedGlobal & { [INSTALLED]?: true };

if (guarded[INSTALLED] === undefined) {
  guarded[INSTALLED] = true;
  // Every server (http, https, tls, net, ws) listens through net.Server; every child process
  // (spawn, exec, execFile, fork) starts through ChildProcess#spawn.
  net.Server.prototype.listen = function listen(): never {
    refuse('net.Server#listen');
  };
  dgram.Socket.prototype.bind = function bind(): never {
    refuse('dgram.Socket#bind');
  };
  // Node's own method, left out of @types/node.
  (ChildProcess.prototype as unknown as { spawn: () => never }).spawn = function spawn(): never {
    refuse('child_process (ChildProcess#spawn)');
  };
  // The synchronous variants bypass ChildProcess.
  childProcess.spawnSync = () => refuse('child_process.spawnSync');
  childProcess.execSync = () => refuse('child_process.execSync');
  childProcess.execFileSync = () => refuse('child_process.execFileSync');
  syncBuiltinESMExports();
}

afterAll(() => {
  const attempts = blocked.splice(0);
  if (attempts.length > 0) throw misclassified(`${attempts.join(', ')} (attempted during the tests)`);
});
