/**
 * The live dashboard: every alert goes to its owner's open dashboards through the WebSocket API's
 * management API (`PostToConnection`). Not a rule channel: nothing to choose, so no rule schema.
 */
import { defineAlertWideChannel } from './definition';

export const dashboardChannel = defineAlertWideChannel({
  type: 'dashboard',
  title: 'dashboard',
  destination: { kind: 'owner' },
  // PostToConnection's largest message.
  message: { body: { max: 128 * 1024, unit: 'bytes' } },
  rateLimits: { paced: false, why: "API Gateway's management API throttles (LimitExceededException, retried)" },
  queue: {},
});
