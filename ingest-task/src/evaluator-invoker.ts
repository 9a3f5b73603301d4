/**
 * Hands a batch to the evaluator Lambda and reads its answer.
 *
 * The port, {@link EvaluatorInvoker}, is what the batcher depends on; {@link createLambdaEvaluatorInvoker}
 * is the adapter over @aws-sdk/client-lambda's synchronous Invoke (RequestResponse). The endpoint
 * is a setting so that the local stack can point it at local/lambda-invoke-server.ts.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { batchResultSchema, type BatchEvent, type BatchResult } from '../../core/feed';
import { LOCAL_CREDENTIALS } from '../../core/local-credentials';

export interface EvaluatorInvoker {
  /** Resolves with the evaluator's answer; rejects on any failure (transport, function error, timeout, bad answer). */
  invoke(event: BatchEvent): Promise<BatchResult>;
}

/** The evaluator ran and threw, or answered something that is not a batch result. */
export class EvaluatorError extends Error {
  override readonly name = 'EvaluatorError';
}

export interface LambdaEvaluatorOptions {
  functionName: string;
  /** An invocation that has not answered after this long is abandoned (and retried by the batcher). */
  timeoutMs: number;
  /** `LAMBDA_ENDPOINT`; `undefined` for the real Lambda service. */
  endpoint?: string | undefined;
  region?: string | undefined;
  /** A client to use instead of a new one. */
  client?: LambdaClient;
}

/** Creates the Lambda client the invoker uses: no SDK retries, the batcher owns the retry policy. */
export function createLambdaClient(endpoint: string | undefined, region: string | undefined): LambdaClient {
  return new LambdaClient({
    // The SDK's own retries would hold a shard's batch while its ticks could already be merged
    // into the retry; one attempt per call keeps a single, visible retry policy (batcher.ts).
    maxAttempts: 1,
    ...(region === undefined ? {} : { region }),
    ...(endpoint === undefined ? {} : { endpoint, credentials: LOCAL_CREDENTIALS, region: region ?? 'us-east-1' }),
  });
}

/**
 * Invokes the evaluator synchronously with the batch as payload.
 * @example
 * const invoker = createLambdaEvaluatorInvoker({ functionName: 'evaluator', timeoutMs: 10_000 });
 * const result = await invoker.invoke(event); // result.state goes with the shard's next batch
 */
export function createLambdaEvaluatorInvoker(options: LambdaEvaluatorOptions): EvaluatorInvoker {
  const client = options.client ?? createLambdaClient(options.endpoint, options.region);
  const decoder = new TextDecoder();
  return {
    async invoke(event) {
      const response = await client.send(
        new InvokeCommand({
          FunctionName: options.functionName,
          InvocationType: 'RequestResponse',
          Payload: Buffer.from(JSON.stringify(event)),
        }),
        { abortSignal: AbortSignal.timeout(options.timeoutMs) },
      );
      const text = response.Payload === undefined ? '' : decoder.decode(response.Payload);
      if (response.FunctionError !== undefined) {
        throw new EvaluatorError(`evaluator failed (${response.FunctionError}): ${describeFunctionError(text)}`);
      }
      let answer: unknown;
      try {
        answer = JSON.parse(text);
      } catch {
        throw new EvaluatorError('evaluator answered with something that is not JSON');
      }
      const result = batchResultSchema.safeParse(answer);
      if (!result.success) throw new EvaluatorError(`evaluator answer is not a batch result: ${result.error.issues[0]?.message ?? 'invalid'}`);
      return result.data;
    },
  };
}

/** Lambda's error payload is `{"errorType","errorMessage","trace"}`; the first two make a log line. */
function describeFunctionError(text: string): string {
  try {
    const error = JSON.parse(text) as { errorType?: unknown; errorMessage?: unknown };
    return `${String(error.errorType ?? 'Error')}: ${String(error.errorMessage ?? '')}`.slice(0, 500);
  } catch {
    return text.slice(0, 500);
  }
}
