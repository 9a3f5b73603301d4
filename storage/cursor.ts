/**
 * Opaque pagination cursors. A cursor holds only the sort key of the last item of a page; the
 * partition always comes from the caller (the authenticated owner), so a forged cursor can move
 * within the caller's own data and nowhere else.
 */

/** Raised for a cursor this service did not issue (or issued for another listing). */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  constructor() {
    super('cursor is not valid: pass nextCursor from the previous page unchanged');
  }
}

const VERSION = 1;
const MAX_CURSOR_LENGTH = 1_024;

export function encodeCursor(sortKey: string): string {
  return Buffer.from(JSON.stringify({ v: VERSION, k: sortKey }), 'utf8').toString('base64url');
}

/** The sort key inside `cursor`, which must start with `prefix` (the listing it was issued for). */
export function decodeCursor(cursor: string, prefix: string): string {
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new InvalidCursorError();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (typeof decoded !== 'object' || decoded === null) throw new InvalidCursorError();
  const { v, k } = decoded as { v?: unknown; k?: unknown };
  if (v !== VERSION || typeof k !== 'string' || !k.startsWith(prefix) || k.length === prefix.length) {
    throw new InvalidCursorError();
  }
  return k;
}
