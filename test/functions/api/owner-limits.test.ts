/** The symbol limit's decision, without I/O. */
import { describe, expect, it } from 'vitest';
import { LimitExceededError, requireSymbolRoom } from '../../../functions/api/owner-limits';

describe('requireSymbolRoom', () => {
  it('lets a symbol already watched through at the limit, and refuses one more, naming the limit and field', () => {
    const watched = new Set(['AAPL$US', 'MSFT$US']);
    expect(() => requireSymbolRoom(watched, 'AAPL$US', 2)).not.toThrow();
    expect(() => requireSymbolRoom(watched, 'TSLA$US', 3)).not.toThrow();
    let error: unknown;
    try {
      requireSymbolRoom(watched, 'TSLA$US', 2);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(LimitExceededError);
    expect(error).toMatchObject({ limit: 'symbolsPerOwner', max: 2, path: 'symbol', message: expect.stringContaining('OWNER_SYMBOL_LIMIT') as unknown });
  });
});
