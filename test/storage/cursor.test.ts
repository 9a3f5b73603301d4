import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, InvalidCursorError } from '../../storage/cursor';

describe('pagination cursor', () => {
  it('gives back the sort key it was made from', () => {
    fc.assert(fc.property(fc.string(), (rest) => decodeCursor(encodeCursor(`RULE#${rest}x`), 'RULE#') === `RULE#${rest}x`));
  });

  it('is URL-safe text that does not show the key in clear', () => {
    const cursor = encodeCursor('RULE#abc');
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain('RULE');
  });

  it('refuses cursors of another listing, of another version, and garbage', () => {
    const garbage = ['', '***', 'e30', encodeCursor('ALERT#2026'), encodeCursor('RULE#'), 'A'.repeat(2000), Buffer.from('{"v":2,"k":"RULE#a"}').toString('base64url')];
    for (const cursor of garbage) expect(() => decodeCursor(cursor, 'RULE#')).toThrow(InvalidCursorError);
  });

  it('never throws anything but InvalidCursorError on random input', () => {
    fc.assert(
      fc.property(fc.string(), (cursor) => {
        try {
          decodeCursor(cursor, 'RULE#');
        } catch (error) {
          return error instanceof InvalidCursorError;
        }
        return true;
      }),
    );
  });
});
