/**
 * Which table the keys CLI works on. Explicit settings win: with DYNAMODB_ENDPOINT or TABLE_NAME
 * set, the environment alone decides (DynamoDB Local, or AWS with its credentials). With neither,
 * a local stack that is running (`npm start`) is used through the runtime file it keeps in its
 * data dir (LOCAL_DATA_DIR), embedded DynamoDB Local or not; without such a file, AWS.
 */
import { ConfigError, loadStorageConfig, type StorageConfig } from '../functions/shared/config';
import type { Env } from '../functions/shared/env-settings';
import { readRuntimeFile, runtimeFilePath } from '../local/runtime-file';
import { localDataDir } from '../local/settings';
import { managementEndpointOf } from './dashboard-closer';


export interface StorageTarget {
  config: StorageConfig;
  /** How errors name it: `http://127.0.0.1:8000 (table stock-alerts)`, `AWS us-east-1 (table …)`, or with `, the running local stack`. */
  where: string;
  /** The runtime file it came from, when it is a running local stack's. */
  runtimeFile: string | null;
  /**
   * The dashboard WebSocket API's management endpoint, for `keys revoke`: WEBSOCKET_MANAGEMENT_ENDPOINT
   * (or the stack's `WebSocketUrl` output in it) when set, else the running local stack's; null when neither.
   */
  managementEndpoint: string | null;
}

/** A runtime file names a local stack whose DynamoDB does not answer: the stack was killed, or is still starting. */
export class StackNotRunningError extends Error {
  override readonly name = 'StackNotRunningError';
}

const isSet = (value: string | undefined) => value !== undefined && value !== '';

function managementEndpointSetting(value: string): string {
  try {
    return managementEndpointOf(value);
  } catch (error) {
    throw new ConfigError(`WEBSOCKET_MANAGEMENT_ENDPOINT: ${error instanceof RangeError ? error.message : `"${value}" is not a URL`}`);
  }
}

/** Whether anything answers HTTP at `endpoint` (DynamoDB answers an unsigned GET with 400). */
async function answers(endpoint: string, timeoutMs: number): Promise<boolean> {
  try {
    await fetch(endpoint, { signal: AbortSignal.timeout(timeoutMs) });
    return true;
  } catch {
    return false;
  }
}

/** Throws ConfigError for a bad setting, StackNotRunningError for a stale runtime file. */
export async function resolveStorageTarget(env: Env, options: { probeTimeoutMs?: number } = {}): Promise<StorageTarget> {
  const describe = (config: StorageConfig, note = '') => `${config.dynamodbEndpoint ?? `AWS ${config.region}`} (table ${config.tableName}${note})`;
  const explicit = isSet(env.DYNAMODB_ENDPOINT) || isSet(env.TABLE_NAME);
  const file = runtimeFilePath(localDataDir(env));
  const running = explicit ? null : readRuntimeFile(file);
  const setting = isSet(env.WEBSOCKET_MANAGEMENT_ENDPOINT) ? managementEndpointSetting(env.WEBSOCKET_MANAGEMENT_ENDPOINT ?? '') : null;
  if (running === null) {
    const config = loadStorageConfig(env);
    return { config, where: describe(config), runtimeFile: null, managementEndpoint: setting };
  }
  const config = loadStorageConfig({
    ...env,
    DYNAMODB_ENDPOINT: running.dynamodbEndpoint,
    TABLE_NAME: running.tableName,
    AWS_REGION: isSet(env.AWS_REGION) ? env.AWS_REGION : running.region,
  });
  if (!(await answers(running.dynamodbEndpoint, options.probeTimeoutMs ?? 2_000))) {
    throw new StackNotRunningError(
      `${file} names a local stack that is not running (its DynamoDB at ${running.dynamodbEndpoint} does not answer): start it (npm start), set DYNAMODB_ENDPOINT, or delete the file`,
    );
  }
  return { config, where: describe(config, ', the running local stack'), runtimeFile: file, managementEndpoint: setting ?? running.websocketManagementEndpoint ?? null };
}
