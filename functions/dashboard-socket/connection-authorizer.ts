/**
 * The dashboard WebSocket API's `$connect` authorizer (a REQUEST authorizer, identity source
 * `route.request.header.Sec-WebSocket-Protocol`): allows a live API key offered as a subprotocol
 * (subprotocol.ts) and hands its owner to `$connect` and `$disconnect`. WebSocket authorizers
 * answer IAM policies; an unknown key is refused with `Unauthorized` (401). It runs on every
 * `$connect` (WebSocket authorizers have no result cache), so a revoked key opens nothing; its
 * key id goes to `$connect`, which records it so that `keys revoke` can close the key's sockets.
 *
 * Made for a table: authorizer.ts is the Lambda entry (the table from the environment), the local
 * stack passes its own.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { findApiKey } from '../../storage/api-keys-repository';
import type { Db } from '../../storage/dynamodb-client';
import { authorize } from '../authorizer/authorize';
import { logger } from '../shared/logger';
import { keyFromSubprotocols } from './subprotocol';

function header(event: APIGatewayRequestAuthorizerEvent, name: string): string | undefined {
  const entry = Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return entry?.[1] ?? undefined;
}

/** The authorizer's handler on a table. */
export function createSocketAuthorizerHandler(db: Db) {
  return middy<APIGatewayRequestAuthorizerEvent, APIGatewayAuthorizerResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      const key = keyFromSubprotocols(header(event, 'sec-websocket-protocol'));
      const context = key === undefined ? null : await authorize(`Bearer ${key}`, (k) => findApiKey(db, k));
      if (context === null) {
        logger.info('dashboard connection refused');
        throw new Error('Unauthorized');
      }
      return {
        principalId: context.owner,
        policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }] },
        context: { owner: context.owner, keyId: context.keyId },
      };
    });
}
