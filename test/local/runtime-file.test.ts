/** The running stack's runtime file: written whole, read back checked, removed only by the stack that wrote it. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readRuntimeFile, removeRuntimeFile, RUNTIME_FILE_NAME, RuntimeFileError, runtimeFilePath, writeRuntimeFile, type RuntimeInfo } from '../../local/runtime-file';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'stock-alerts-runtime-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const info = (pid: number): RuntimeInfo => ({ dynamodbEndpoint: 'http://127.0.0.1:8000', tableName: 'stock-alerts', region: 'us-east-1', apiUrl: 'http://127.0.0.1:3000', pid });

describe('runtime file', () => {
  it('lives in the data dir, and reads back what was written (none: null)', () => {
    const file = runtimeFilePath(path.join(dir, 'data'));
    expect(file).toBe(path.join(dir, 'data', RUNTIME_FILE_NAME));
    expect(readRuntimeFile(file)).toBeNull();
    writeRuntimeFile(file, info(process.pid));
    expect(readRuntimeFile(file)).toEqual(info(process.pid));
  });

  it('is removed by the process that wrote it, and left alone when another stack has replaced it', () => {
    const file = runtimeFilePath(dir);
    writeRuntimeFile(file, info(process.pid + 1));
    removeRuntimeFile(file);
    expect(existsSync(file)).toBe(true);
    writeRuntimeFile(file, info(process.pid));
    removeRuntimeFile(file);
    expect(existsSync(file)).toBe(false);
  });

  it('refuses a file by that name that is not a runtime file, saying what to do', () => {
    const file = runtimeFilePath(dir);
    writeFileSync(file, '{"dynamodbEndpoint":"nope"}');
    expect(() => readRuntimeFile(file)).toThrow(RuntimeFileError);
    expect(() => readRuntimeFile(file)).toThrow(`${file} is not a runtime file of the local stack: delete it (npm start writes it again)`);
    removeRuntimeFile(file);
    expect(existsSync(file)).toBe(true);
  });
});
