/**
 * How every Lambda function is built, defined once. The stack's NodejsFunctions
 * (lib/constructs/app-function.ts) and `npm run bundle-sizes` (scripts/bundle-sizes.ts) both
 * derive their esbuild settings from {@link FUNCTION_BUNDLING}, so the sizes measured are the sizes
 * deployed.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

/** The repository root: function entries and the ingest image's build context are relative to it. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Node.js 22 everywhere: the ingest image is node:22-alpine too, so both halves run one runtime. */
export const FUNCTION_RUNTIME = Runtime.NODEJS_22_X;
/** Graviton: about 20 % cheaper per GB-second than x86 for the same work. */
export const FUNCTION_ARCHITECTURE = Architecture.ARM_64;

/**
 * ESM output has no `require`; a CommonJS module inside the bundle that requires a Node built-in
 * would hit esbuild's "Dynamic require is not supported" shim at run time, in AWS only. The banner
 * defines `require` so that can never happen.
 */
const CREATE_REQUIRE_BANNER = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

export const FUNCTION_BUNDLING = {
  target: 'node22',
  format: 'esm',
  minify: true,
  /** Source maps beside the bundle (NODE_OPTIONS=--enable-source-maps maps stack traces to the .ts lines). */
  sourceMap: true,
  /** Stack traces need the mappings, not the sources: keeps the .map small and the code out of it. */
  sourcesContent: false,
  /** Prefer packages' ESM builds, which esbuild can tree-shake. */
  mainFields: ['module', 'main'],
  /**
   * The Node.js 22 runtime ships the AWS SDK v3 and resolves it for ES modules; bundling it would
   * put 300–400 KB more in every function (measured by `npm run bundle-sizes`). The price: the
   * SDK version is the runtime's, not package-lock's. The code uses only long-stable operations.
   */
  externalModules: ['@aws-sdk/*'],
  banner: CREATE_REQUIRE_BANNER,
} as const;

/** The bundling props of a NodejsFunction. */
export function cdkBundlingOptions(): BundlingOptions {
  return {
    target: FUNCTION_BUNDLING.target,
    format: OutputFormat.ESM,
    minify: FUNCTION_BUNDLING.minify,
    sourceMap: FUNCTION_BUNDLING.sourceMap,
    sourcesContent: FUNCTION_BUNDLING.sourcesContent,
    mainFields: [...FUNCTION_BUNDLING.mainFields],
    externalModules: [...FUNCTION_BUNDLING.externalModules],
    banner: FUNCTION_BUNDLING.banner,
  };
}

/**
 * The same build through esbuild's API, as NodejsFunction runs it (`--bundle --platform=node`,
 * `index.mjs` for ESM). `externalModules` can be replaced to measure the alternative.
 */
export function esbuildOptions(entry: string, outdir: string, externalModules: readonly string[] = FUNCTION_BUNDLING.externalModules): BuildOptions {
  return {
    entryPoints: [path.join(REPO_ROOT, entry)],
    outfile: path.join(outdir, 'index.mjs'),
    bundle: true,
    platform: 'node',
    target: FUNCTION_BUNDLING.target,
    format: FUNCTION_BUNDLING.format,
    minify: FUNCTION_BUNDLING.minify,
    sourcemap: FUNCTION_BUNDLING.sourceMap,
    sourcesContent: FUNCTION_BUNDLING.sourcesContent,
    mainFields: [...FUNCTION_BUNDLING.mainFields],
    external: [...externalModules],
    banner: { js: FUNCTION_BUNDLING.banner },
    metafile: true,
    logLevel: 'error',
  };
}
