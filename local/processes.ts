/**
 * Process management of the local stack: what was started is stopped again (last first, every
 * stop run even if one fails), child processes are spawned with their output read line by line
 * and stopped with SIGTERM then SIGKILL, and the entry point stops everything on SIGINT/SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';

/** Stops what was started, last first; every stop runs even if one fails. */
export class Stoppers {
  private readonly stops: Array<() => Promise<unknown>> = [];

  /** Stopped before everything added earlier. */
  add(stop: () => Promise<unknown>): void {
    this.stops.push(stop);
  }

  async stopAll(): Promise<void> {
    while (this.stops.length > 0) {
      const stop = this.stops.pop() as () => Promise<unknown>;
      await stop().catch(() => undefined);
    }
  }
}

/** Thrown by {@link throwIfStopped} when a stop was asked for during a start. */
export class StartAbortedError extends Error {
  override readonly name = 'StartAbortedError';
}

/** Ends a start between two steps once `signal` is aborted (a Ctrl-C during start-up). */
export function throwIfStopped(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new StartAbortedError('stopped during start-up');
}

export interface ChildOptions {
  cwd: string;
  /** The child's whole environment. */
  env: Readonly<Record<string, string | undefined>>;
  /** Each non-empty line of the child's stdout and stderr. */
  onLine: (line: string) => void;
}

/** Runs a TypeScript module in a child Node.js process (through tsx). */
export function spawnTypeScript(module: string, options: ChildOptions): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', module], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const reader = () => {
    let buffered = '';
    return (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line !== '') options.onLine(line);
        newline = buffered.indexOf('\n');
      }
    };
  };
  child.stdout?.on('data', reader());
  child.stderr?.on('data', reader());
  return child;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export type StopSignal = 'SIGINT' | 'SIGTERM';

/**
 * From now on SIGINT and SIGTERM abort the returned signal and run `stop` once; the process then
 * exits (0 when `stop` resolved, 1 when it failed) only after `stop` has finished, so every port is
 * closed and every child has exited by the time it is gone. Install it before starting anything:
 * a signal that arrives first would otherwise end the process at once and leave children behind.
 */
export function stopOnSignals(stop: (signal: StopSignal) => Promise<void>): AbortSignal {
  const controller = new AbortController();
  const onSignal = (signal: StopSignal) => {
    if (controller.signal.aborted) return;
    controller.abort();
    stop(signal).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  return controller.signal;
}
