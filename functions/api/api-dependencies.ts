/**
 * The adapters of the API functions, created once per Lambda instance (at cold start) from the
 * configuration and reused by every invocation.
 */
import { loadApiConfig } from '../shared/config';
import { openDb } from '../shared/database';
import { checkWebhookUrl } from '../shared/webhook-url-policy';
import { createAlertsService } from './alerts-service';
import { createRulesService } from './rules-service';

const config = loadApiConfig();
const db = openDb(config);

export const rulesService = createRulesService({
  db,
  ruleQuota: config.ruleQuota,
  checkWebhookUrl: (url) => checkWebhookUrl(url, { allowLoopback: config.allowLoopbackWebhooks }),
  now: () => new Date(),
});

export const alertsService = createAlertsService({ db });
