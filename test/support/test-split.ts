/**
 * Which test files are unit tests and which are integration tests, decided from their source
 * (vitest.config.ts says why the line is drawn where it is).
 *
 * A *launch point* is source that starts something outside the test's own process: a network
 * server, a browser or a child process (DynamoDB Local's Java, `npm start`, tsx, esbuild, openssl).
 * A test file is an integration test when it, or any repository module it imports (transitively:
 * static and dynamic imports and requires, `import type` excepted), holds a launch point; every
 * other test file is a unit test. Over-approximating is the safe side: a file that only reaches a
 * launch point it never calls runs with the integration tests, never the reverse.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** Where test files are, as vitest's include pattern. */
export const TEST_FILE_PATTERN = 'test/**/*.test.ts';

/** Packages whose value imports start something: importing them is a launch point. */
export const LAUNCH_MODULES: ReadonlyMap<string, string> = new Map(Object.entries({
  'node:child_process': 'child processes',
  child_process: 'child processes',
  'node:cluster': 'child processes',
  cluster: 'child processes',
  'node:dgram': 'UDP sockets',
  dgram: 'UDP sockets',
  'playwright-core': 'a browser',
  playwright: 'a browser',
  '@playwright/test': 'a browser',
  'aws-ses-v2-local': 'the SES emulator (a server)',
  'amplify-dynamodb-simulator': 'DynamoDB Local (Java)',
  esbuild: "esbuild's service (a child process)",
  vite: 'the Vite build or dev server',
  'aws-cdk-lib/aws-lambda-nodejs': 'esbuild bundling at synth (child processes)',
}));

/** Calls (by function or method name) that start a server. */
const LAUNCH_CALLS: ReadonlyMap<string, string> = new Map([
  ['createServer', 'creates a server'],
  ['listen', 'listens on a socket'],
]);

/** Constructors that start a server. */
const LAUNCH_CONSTRUCTORS: ReadonlyMap<string, string> = new Map([['WebSocketServer', 'creates a WebSocket server']]);

/** A comment line that puts a file with the integration tests whatever its imports say. */
export const INTEGRATION_MARKER = /^\s*\/\/\s*test-split:\s*integration\b/m;

/**
 * Folders whose launch points do not count. lib/ is the CDK app: it starts processes only when
 * synthesis bundles assets (NodejsFunction's esbuild, the dashboard site's build), which
 * test/lib/stack-fixture.ts turns off unless a test asks with `bundle: true`, and that request is
 * itself a launch point.
 */
export const DEFERRED_FOLDERS: readonly string[] = ['lib/'];

/**
 * Files whose own launch points do not count: the guard test calls the launch APIs only to check
 * that the unit project's runtime guard (test/support/unit-project-guard.ts) blocks them.
 */
export const GUARD_FILES: readonly string[] = ['test/test-split.test.ts'];

export interface LaunchPoint {
  /** Repository-relative path of the module. */
  readonly module: string;
  /** 1-based line. */
  readonly line: number;
  /** What it starts, in words. */
  readonly what: string;
}

export interface ModuleFacts {
  /** Repository-relative paths of the repository modules it loads. */
  readonly imports: readonly string[];
  readonly launchPoints: readonly LaunchPoint[];
}

/** A launch point a test file reaches, and the import chain from the test file to it. */
export interface Reach {
  readonly chain: readonly string[];
  readonly launchPoint: LaunchPoint;
}

const toPosix = (p: string) => p.split(path.sep).join('/');

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts'];

/** The repository file a relative specifier names, the way TypeScript's "Bundler" resolution finds it. */
function resolveRelative(root: string, fromModule: string, specifier: string): string | undefined {
  const base = path.resolve(root, path.dirname(fromModule), specifier);
  const candidates = [
    base,
    ...SOURCE_EXTENSIONS.map((ext) => base + ext),
    ...SOURCE_EXTENSIONS.map((ext) => path.join(base, `index${ext}`)),
    ...(/\.[cm]?js$/.test(base) ? SOURCE_EXTENSIONS.map((ext) => base.replace(/\.[cm]?js$/, ext)) : []),
  ];
  for (const candidate of candidates) {
    if (!SOURCE_EXTENSIONS.includes(path.extname(candidate))) continue;
    if (existsSync(candidate) && statSync(candidate).isFile()) return toPosix(path.relative(root, candidate));
  }
  return undefined;
}

/** Whether an import declaration binds a value (not only types). */
function bindsValue(clause: ts.ImportClause | undefined): boolean {
  if (clause === undefined) return false; // `import 'x'`: runs the module, binds nothing
  if (clause.isTypeOnly) return false;
  if (clause.name !== undefined) return true;
  const bindings = clause.namedBindings;
  if (bindings === undefined) return false;
  if (ts.isNamespaceImport(bindings)) return true;
  return bindings.elements.some((element) => !element.isTypeOnly);
}

const nameOf = (expression: ts.Expression): string | undefined => {
  if (ts.isIdentifier(expression)) return expression.text;
  if (ts.isPropertyAccessExpression(expression)) return expression.name.text;
  return undefined;
};

/** `import(…)`, `require(…)` and `createRequire(…)(…)`. */
const isModuleLoad = (callee: ts.Expression) =>
  callee.kind === ts.SyntaxKind.ImportKeyword ||
  (ts.isIdentifier(callee) && callee.text === 'require') ||
  (ts.isCallExpression(callee) && nameOf(callee.expression) === 'createRequire');

/** The imports and launch points of one module's source. */
export function moduleFacts(root: string, module: string, source: string): ModuleFacts {
  const file = ts.createSourceFile(module, source, ts.ScriptTarget.Latest, false, module.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const imports = new Set<string>();
  const launchPoints: LaunchPoint[] = [];
  const at = (node: ts.Node, what: string) =>
    launchPoints.push({ module, line: file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1, what });

  const loads = (node: ts.Node, specifier: string, bindsAValue: boolean) => {
    if (specifier.startsWith('.')) {
      const resolved = resolveRelative(root, module, specifier);
      if (resolved !== undefined) imports.add(resolved);
      return;
    }
    const launched = LAUNCH_MODULES.get(specifier);
    if (launched !== undefined && bindsAValue) at(node, `imports ${specifier}: ${launched}`);
  };

  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      if (!node.importClause?.isTypeOnly) loads(node, node.moduleSpecifier.text, bindsValue(node.importClause));
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      if (!node.isTypeOnly) loads(node, node.moduleSpecifier.text, true);
    } else if (ts.isCallExpression(node)) {
      const [first] = node.arguments;
      if (isModuleLoad(node.expression)) {
        if (first !== undefined && ts.isStringLiteralLike(first)) loads(node, first.text, true);
      } else {
        const name = nameOf(node.expression);
        const launched = name === undefined ? undefined : LAUNCH_CALLS.get(name);
        if (launched !== undefined) at(node, `${name}(): ${launched}`);
        if (name === 'inject' && first !== undefined && ts.isStringLiteralLike(first) && first.text === 'dynamodbEndpoint') {
          at(node, "inject('dynamodbEndpoint'): DynamoDB Local from the integration project's globalSetup");
        }
      }
    } else if (ts.isNewExpression(node)) {
      const name = nameOf(node.expression);
      const launched = name === undefined ? undefined : LAUNCH_CONSTRUCTORS.get(name);
      if (launched !== undefined) at(node, `new ${name}(): ${launched}`);
    } else if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name) && node.name.text === 'bundle' && node.initializer.kind === ts.SyntaxKind.TrueKeyword) {
      at(node, 'bundle: true: CDK bundles the assets (esbuild and the dashboard build as child processes)');
    }
    ts.forEachChild(node, visit);
  };
  visit(file);

  const marker = INTEGRATION_MARKER.exec(source);
  if (marker !== null) {
    const line = source.slice(0, marker.index + marker[0].length).split('\n').length;
    launchPoints.push({ module, line, what: 'marked `// test-split: integration`' });
  }

  const deferred = DEFERRED_FOLDERS.some((folder) => module.startsWith(folder)) || GUARD_FILES.includes(module);
  return { imports: [...imports], launchPoints: deferred ? [] : launchPoints };
}

interface CachedFacts {
  readonly mtimeMs: number;
  readonly size: number;
  readonly facts: ModuleFacts;
}

const PARSED = Symbol.for('stock-alerts.test-split.parsed');

/**
 * Parsed modules by absolute path, kept for the process (vitest loads its config once per project)
 * and re-read when a file's mtime or size changes.
 */
const parsed = ((globalThis as { [PARSED]?: Map<string, CachedFacts> })[PARSED] ??= new Map());

/** The import graph of the repository's TypeScript modules, read lazily. */
export class ImportGraph {
  constructor(readonly root: string) {}

  facts(module: string): ModuleFacts {
    const file = path.join(this.root, module);
    const { mtimeMs, size } = statSync(file);
    const cached = parsed.get(file);
    if (cached !== undefined && cached.mtimeMs === mtimeMs && cached.size === size) return cached.facts;
    const facts = moduleFacts(this.root, module, readFileSync(file, 'utf8'));
    parsed.set(file, { mtimeMs, size, facts });
    return facts;
  }

  /** Every launch point the module reaches, each with the shortest import chain to it. */
  reaches(start: string): Reach[] {
    const parent = new Map<string, string | undefined>([[start, undefined]]);
    const queue = [start];
    const found: Reach[] = [];
    for (let module = queue.shift(); module !== undefined; module = queue.shift()) {
      const facts = this.facts(module);
      if (facts.launchPoints.length > 0) {
        const chain: string[] = [];
        for (let m: string | undefined = module; m !== undefined; m = parent.get(m)) chain.unshift(m);
        for (const launchPoint of facts.launchPoints) found.push({ chain, launchPoint });
      }
      for (const next of facts.imports) {
        if (parent.has(next)) continue;
        parent.set(next, module);
        queue.push(next);
      }
    }
    return found;
  }
}

/** Every test file under test/ (TEST_FILE_PATTERN), repository-relative, sorted. */
export function findTestFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const relative = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(relative);
      else if (entry.isFile() && entry.name.endsWith('.test.ts')) found.push(relative);
    }
  };
  walk('test');
  return found.sort();
}

/** A reach in words: `a.test.ts → b.ts → c.ts:12 imports node:child_process: child processes`. */
export const describeReach = ({ chain, launchPoint }: Reach) => `${chain.join(' → ')}:${launchPoint.line} ${launchPoint.what}`;

export interface TestSplit {
  /** Test files that reach no launch point. */
  readonly unit: readonly string[];
  /** Test files that do, each with the first launch point it reaches. */
  readonly integration: ReadonlyArray<{ readonly file: string; readonly because: string }>;
}

/** Splits the test files under `root` into unit and integration tests. */
export function splitTestFiles(root: string, files: readonly string[] = findTestFiles(root)): TestSplit {
  const graph = new ImportGraph(root);
  const unit: string[] = [];
  const integration: Array<{ file: string; because: string }> = [];
  for (const file of files) {
    const [first] = graph.reaches(file);
    if (first === undefined) unit.push(file);
    else integration.push({ file, because: describeReach(first) });
  }
  return { unit, integration };
}

/** A file path as a glob pattern that matches only that file. */
export const literalGlob = (file: string) => file.replace(/[*?[\]{}()!+@]/g, '\\$&');
