import { describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../../../core/rule-model';
import type { OwnerContext } from '../../../functions/shared/api-event';
import { mapKnownError } from '../../../functions/shared/error-handler';
import { notFound } from '../../../functions/shared/http-errors';
import { authorizedRoute } from '../../../functions/shared/route-middleware';
import { InvalidCursorError } from '../../../storage/cursor';
import { RuleQuotaExceededError } from '../../../storage/rules-repository';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
});

const context = { awsRequestId: 'req-1', functionName: 'test', getRemainingTimeInMillis: () => 1000 } as unknown as OwnerContext;
const event = (owner?: string) => ({ headers: {}, requestContext: { authorizer: owner === undefined ? undefined : { lambda: { owner } } } });

async function invoke(fail: () => never, owner = 'alice') {
  const handler = authorizedRoute().handler(async () => fail());
  return (await handler(event(owner) as never, context)) as { statusCode: number; body: string };
}

describe('error handler', () => {
  it('maps each documented error to its status and code', () => {
    expect(mapKnownError(new ValidationError([{ path: 'symbol', message: 'is required' }]))).toEqual({
      statusCode: 400,
      body: { error: { code: 'validation_error', message: 'symbol is required', details: [{ path: 'symbol', message: 'is required' }] } },
    });
    expect(mapKnownError(notFound())?.statusCode).toBe(404);
    expect(mapKnownError(new InvalidCursorError())?.body.error).toMatchObject({ code: 'validation_error', details: [{ path: 'cursor' }] });
    expect(mapKnownError(new RuleQuotaExceededError(10))?.body.error).toMatchObject({ code: 'quota_exceeded', message: expect.stringContaining('10') as unknown });
    expect(mapKnownError(new Error('boom'))).toBeNull();
  });

  it('answers anything else with a bare 500 that leaks neither message nor stack', async () => {
    const response = await invoke(() => {
      throw new Error('connect to sa_secret_key failed at /var/task/x.js:1');
    });

    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toEqual({ error: { code: 'internal_error', message: 'internal error; quote request id req-1 when reporting it' } });
  });

  it('answers 401 when a route runs without an owner from the authorizer', async () => {
    const handler = authorizedRoute().handler(async () => ({ statusCode: 200 }));
    const response = (await handler(event() as never, context)) as { statusCode: number; body: string };
    expect(response.statusCode).toBe(401);
    expect(JSON.parse(response.body).error.code).toBe('unauthorized');
  });
});
