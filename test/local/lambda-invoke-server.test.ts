import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { startLambdaInvokeServer, type InvokeHandler, type LambdaInvokeServer } from '../../local/lambda-invoke-server';
import { eventually } from '../support/eventually';
import { LOCAL_AWS } from '../support/local-aws';

let server: LambdaInvokeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function clientFor(functions: Record<string, InvokeHandler>, timeoutMs?: number) {
  server = await startLambdaInvokeServer({ functions, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
  return new LambdaClient({ ...LOCAL_AWS, endpoint: server.url, maxAttempts: 1 });
}

const decode = (payload: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(payload)) as unknown;
const invoke = (name: string, payload: unknown, type?: 'Event' | 'DryRun') =>
  new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)), ...(type === undefined ? {} : { InvocationType: type }) });

describe('the local Lambda Invoke server', () => {
  it("runs the handler for the real Lambda client and answers with the handler's result", async () => {
    const seen: { event: unknown; context: Context }[] = [];
    const lambda = await clientFor({ evaluator: async (event, context) => (seen.push({ event, context }), { echoed: event }) });
    const response = await lambda.send(invoke('evaluator', { hello: 'world' }));
    expect(response.StatusCode).toBe(200);
    expect(response.FunctionError).toBeUndefined();
    expect(decode(response.Payload)).toEqual({ echoed: { hello: 'world' } });
    expect(seen[0]?.context).toMatchObject({ functionName: 'evaluator', awsRequestId: expect.any(String) });
    expect(seen[0]?.context.getRemainingTimeInMillis()).toBeGreaterThan(0);
  });

  it('resolves a function ARN or a qualified name to the function', async () => {
    const lambda = await clientFor({ evaluator: async () => 'ok' });
    expect(decode((await lambda.send(invoke('arn:aws:lambda:eu-west-1:123456789012:function:evaluator', {}))).Payload)).toBe('ok');
    expect(decode((await lambda.send(invoke('evaluator:live', {}))).Payload)).toBe('ok');
  });

  it('answers null for a handler that returns nothing', async () => {
    const lambda = await clientFor({ evaluator: async () => undefined });
    expect(decode((await lambda.send(invoke('evaluator', {}))).Payload)).toBeNull();
  });

  it("reports a thrown error as Lambda does: FunctionError Unhandled and the error payload", async () => {
    const lambda = await clientFor({
      evaluator: async () => {
        throw new TypeError('engine broke');
      },
    });
    const response = await lambda.send(invoke('evaluator', {}));
    expect(response.StatusCode).toBe(200);
    expect(response.FunctionError).toBe('Unhandled');
    expect(decode(response.Payload)).toMatchObject({ errorType: 'TypeError', errorMessage: 'engine broke', trace: expect.any(Array) });
  });

  it('fails a handler that runs past the timeout', async () => {
    const lambda = await clientFor({ slow: () => new Promise((resolve) => setTimeout(resolve, 1_000)) }, 50);
    const response = await lambda.send(invoke('slow', {}));
    expect(response.FunctionError).toBe('Unhandled');
    expect(decode(response.Payload)).toMatchObject({ errorMessage: expect.stringContaining('timed out') });
  });

  it('answers ResourceNotFoundException for an unknown function', async () => {
    const lambda = await clientFor({ evaluator: async () => 'ok' });
    await expect(lambda.send(invoke('nope', {}))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('accepts an Event invocation with 202 and runs the handler afterwards', async () => {
    const events: unknown[] = [];
    const lambda = await clientFor({ notifier: async (event) => void events.push(event) });
    const response = await lambda.send(invoke('notifier', { n: 1 }, 'Event'));
    expect(response.StatusCode).toBe(202);
    await eventually(() => events.length === 1, 'the async run');
    expect(events).toEqual([{ n: 1 }]);
  });
});
