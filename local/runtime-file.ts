/**
 * The running stack's runtime file: while `npm start` is up it names, in its data dir, the
 * DynamoDB it uses (embedded or not), the table and the region, so that other local tools (the
 * keys CLI) reach that stack with no setting of their own. Written once the stack is up, removed
 * when it stops; a file left by a stack that was killed is told apart by its endpoint not answering.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as z from 'zod';

/** The runtime file's name inside the data dir (LOCAL_DATA_DIR). */
export const RUNTIME_FILE_NAME = 'running-stack.json';

const runtimeInfoSchema = z.object({
  dynamodbEndpoint: z.url({ protocol: /^https?$/ }),
  tableName: z.string().min(1),
  region: z.string().min(1),
  apiUrl: z.url({ protocol: /^https?$/ }),
  /** The dashboard WebSocket API's management endpoint: `keys revoke` closes the key's dashboards through it. */
  websocketManagementEndpoint: z.url({ protocol: /^https?$/ }).optional(),
  pid: z.number().int().positive(),
});

/** What a running stack tells other local tools. */
export type RuntimeInfo = z.infer<typeof runtimeInfoSchema>;

export const runtimeFilePath = (dataDir: string) => path.join(dataDir, RUNTIME_FILE_NAME);

/** A file by that name that is not a runtime file; the message says what to do. */
export class RuntimeFileError extends Error {
  override readonly name = 'RuntimeFileError';
}

/** Writes the file whole (through a rename), so a reader never sees half of it. */
export function writeRuntimeFile(file: string, info: RuntimeInfo): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const staging = `${file}.${process.pid}.tmp`;
  writeFileSync(staging, `${JSON.stringify(info, null, 2)}\n`);
  renameSync(staging, file);
}

/**
 * Removes the file if it is still this process's (a later stack on the same data dir may have
 * replaced it).
 */
export function removeRuntimeFile(file: string): void {
  let owner: number | undefined;
  try {
    owner = readRuntimeFile(file)?.pid;
  } catch {
    return; // not a runtime file: not ours to remove
  }
  if (owner === process.pid) rmSync(file, { force: true });
}

/** The file's contents; null when there is none. Throws when it exists but is not a runtime file. */
export function readRuntimeFile(file: string): RuntimeInfo | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const parsed = runtimeInfoSchema.safeParse(value);
  if (!parsed.success) throw new RuntimeFileError(`${file} is not a runtime file of the local stack: delete it (npm start writes it again)`);
  return parsed.data;
}
