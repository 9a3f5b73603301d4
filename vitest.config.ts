/**
 * Two projects: `unit` and `integration` (`npm run test:unit`, `npm run test:integration`;
 * `vitest run` and `npm test` run both).
 *
 * A unit test runs entirely inside its test process: it listens on no socket (not even loopback)
 * and starts no child process, so no DynamoDB Local (Java), no local AWS stand-in, no `npm start`,
 * no browser, no esbuild or openssl. Everything else is an integration test. The line is "starts
 * something", not "touches I/O": those are what need Java and Chromium installed, cost seconds to
 * start, and flake under load.
 *
 * The split is computed here, on every run, from the test files' sources (test/support/test-split.ts):
 * a file is an integration test when it or any repository module it imports holds a launch point
 * (imports child_process, playwright, esbuild, vite, the SES emulator, …; calls `createServer` or
 * `listen`; constructs a WebSocketServer; injects `dynamodbEndpoint`; asks CDK to bundle with
 * `bundle: true`), or says `// test-split: integration`. New files are classified on their own; a
 * file added while `vitest` watches runs with the integration tests until the next start. The
 * unit project enforces the line at run time too (test/support/unit-project-guard.ts: listening
 * or spawning throws), and test/test-split.test.ts checks the split itself.
 */
import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';
// With an extension: Vite warns about extensionless imports in config files.
import { TEST_FILE_PATTERN, literalGlob, splitTestFiles } from './test/support/test-split.js';

const unitFiles = splitTestFiles(fileURLToPath(new URL('.', import.meta.url))).unit.map(literalGlob);

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: unitFiles,
          // The files share their worker processes and modules, each loaded once: 4–5× faster than
          // a fresh process per file (docs/benchmarks.md, "Test suite"). So a unit test neither
          // relies on fresh module state nor leaves global state behind; vi.stubEnv and
          // vi.stubGlobal are undone after each test.
          isolate: false,
          unstubEnvs: true,
          unstubGlobals: true,
          setupFiles: ['test/support/unit-project-guard.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: [TEST_FILE_PATTERN],
          exclude: [...configDefaults.exclude, ...unitFiles],
          // One DynamoDB Local for the whole run; test files isolate themselves by table name.
          globalSetup: ['test/support/integration-global-setup.ts'],
        },
      },
    ],
  },
});
