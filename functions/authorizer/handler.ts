/** The HTTP API authorizer's Lambda entry (api-authorizer.ts), on the table its environment names. */
import { loadStorageConfig } from '../shared/config';
import { openDb } from '../shared/database';
import { createApiAuthorizerHandler } from './api-authorizer';

export const handler = createApiAuthorizerHandler(openDb(loadStorageConfig()));
