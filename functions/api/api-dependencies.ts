/**
 * The adapters of the API functions for a configuration, created once per Lambda instance (at
 * cold start, by each route file) and reused by every invocation.
 */
import type { Db } from '../../storage/dynamodb-client';
import type { ApiConfig } from '../shared/config';
import { openDb } from '../shared/database';
import { checkWebhookUrl } from '../shared/webhook-url-policy';
import { createAlertsService, type AlertsService } from './alerts-service';
import { createRulesService, type RulesService } from './rules-service';

/** What the route handlers (route-handlers.ts) call. */
export interface ApiServices {
  rulesService: RulesService;
  alertsService: AlertsService;
}

/** The services on one table client; one call per Lambda instance (or per local stack). */
export function createApiServices(config: ApiConfig, db: Db = openDb(config)): ApiServices {
  return {
    rulesService: createRulesService({
      db,
      ruleQuota: config.ruleQuota,
      ownerSymbolLimit: config.ownerSymbolLimit,
      checkWebhookUrl: (url) => checkWebhookUrl(url, { allowLoopback: config.allowLoopbackWebhooks, allowedPorts: config.webhookAllowedPorts }),
      now: () => new Date(),
    }),
    alertsService: createAlertsService({ db }),
  };
}
