/**
 * Starts AWS's DynamoDB Local (the jar shipped in the npm package amplify-dynamodb-simulator) on a
 * free loopback port and stops it again. Used by the local stack (`npm start`) and by every
 * integration test; nothing is downloaded at run time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

export interface DynamoDbLocalOptions {
  /** Keep the data in this folder instead of in memory. */
  dbPath?: string;
  /** Port to listen on; a free one is picked when unset. */
  port?: number;
  /** The java executable. */
  java?: string;
  /** JVM options; the default favours a fast start over peak speed, right for a local emulator. */
  javaOptions?: string[];
  /** How long to wait for the emulator to answer. */
  startTimeoutMs?: number;
}

export interface DynamoDbLocal {
  /** e.g. `http://127.0.0.1:41234`: pass it as the SDK's endpoint. */
  readonly endpoint: string;
  readonly port: number;
  /** Stops the JVM and resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

const DEFAULT_JAVA_OPTIONS = ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'];

/** A failure to start, phrased as one line that names the problem and the fix. */
export class DynamoDbLocalError extends Error {
  override readonly name = 'DynamoDbLocalError';
  constructor(
    message: string,
    /** The port was taken between picking it and the JVM binding it. */
    readonly portInUse = false,
  ) {
    super(message);
  }
}

/** The emulator folder inside the installed amplify-dynamodb-simulator package. */
export function emulatorDirectory(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
}

/** Asks the OS for a port that is free on 127.0.0.1 right now. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts DynamoDB Local and waits until it answers HTTP.
 * @example
 * const dynamo = await startDynamoDbLocal();
 * const doc = createDocumentClient({ endpoint: dynamo.endpoint });
 * await dynamo.stop();
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  // A picked port can be taken by someone else before the JVM binds it: try a few.
  const attempts = options.port === undefined ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await findFreePort());
    try {
      return await launch({ ...options, port });
    } catch (error) {
      const portTaken = error instanceof DynamoDbLocalError && error.portInUse;
      if (!portTaken || attempt >= attempts) throw error;
    }
  }
}

async function launch(options: DynamoDbLocalOptions & { port: number }): Promise<DynamoDbLocal> {
  const emulator = emulatorDirectory();
  const storage = options.dbPath === undefined ? ['-inMemory'] : ['-dbPath', options.dbPath];
  // -sharedDb: one database whatever the credentials and region of the client, so the CLI, the
  // handlers and the tests all see the same tables.
  const args = [
    ...(options.javaOptions ?? DEFAULT_JAVA_OPTIONS),
    `-Djava.library.path=${join(emulator, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(emulator, 'DynamoDBLocal.jar'),
    ...storage,
    '-sharedDb',
    '-disableTelemetry',
    '-port',
    String(options.port),
  ];
  const child = spawn(options.java ?? 'java', args, { cwd: emulator, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = collectOutput(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const failedToSpawn = new Promise<never>((_, reject) =>
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new DynamoDbLocalError(
          error.code === 'ENOENT'
            ? 'DynamoDB Local needs Java 17 or later, and `java` was not found: install a JRE (e.g. `apt-get install openjdk-17-jre-headless`) or set DYNAMODB_ENDPOINT to a running DynamoDB.'
            : `could not start DynamoDB Local with ${options.java ?? 'java'}: ${error.message}`,
        ),
      );
    }),
  );
  // A JVM must never outlive the process that started it, even when that process exits abruptly.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const endpoint = `http://127.0.0.1:${options.port}`;
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    const running = child.pid !== undefined && child.exitCode === null && child.signalCode === null;
    if (!running) return;
    child.kill('SIGTERM');
    const forced = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(forced);
  };

  const exitedEarly = exited.then((code) => {
    throw new DynamoDbLocalError(
      `DynamoDB Local exited during start-up (code ${code}): ${output.tail() || 'no output'}`,
      /address already in use|failed to bind/i.test(output.all()),
    );
  });
  // Both only matter during start-up; later (a normal stop) their rejections are expected.
  exitedEarly.catch(() => undefined);
  failedToSpawn.catch(() => undefined);
  const waiting = new AbortController();
  try {
    await Promise.race([waitUntilAnswering(endpoint, options.startTimeoutMs ?? 30_000, waiting.signal), failedToSpawn, exitedEarly]);
  } catch (error) {
    await stop();
    throw error;
  } finally {
    waiting.abort();
  }
  return { endpoint, port: options.port, stop };
}

function collectOutput(child: ChildProcess): { all(): string; tail(): string } {
  let text = '';
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return {
    all: () => text,
    tail: () =>
      text
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean)
        .slice(-3)
        .join(' | '),
  };
}

async function waitUntilAnswering(endpoint: string, timeoutMs: number, cancelled: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !cancelled.aborted) {
    try {
      // Any HTTP answer (DynamoDB Local says 400 to an unsigned GET) means it is up.
      await fetch(endpoint, { signal: AbortSignal.timeout(1_000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  if (cancelled.aborted) return;
  throw new DynamoDbLocalError(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms.`);
}
