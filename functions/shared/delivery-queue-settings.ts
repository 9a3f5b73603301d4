/**
 * How the delivery queues and the notifier behind them are set up, defined once for the CDK stack
 * (lib/constructs/alert-delivery.ts) and the local stack (local/stack.ts). A plain module: the
 * local stack imports it without pulling in aws-cdk-lib.
 */

/** Attempts per delivery before the notifier records it as `failed` (DELIVERY_MAX_ATTEMPTS). */
export const DELIVERY_MAX_ATTEMPTS = 5;
/**
 * Receives before SQS gives up on a message: the notifier's own attempts plus two, so a message
 * only reaches the dead-letter queue when the notifier could not even record the failure (e.g. it
 * crashed or timed out twice), which is exactly what the DLQ alarm should report.
 */
export const MAX_RECEIVE_COUNT = DELIVERY_MAX_ATTEMPTS + 2;
/**
 * The notifier's timeout. A batch of up to ten messages, sent concurrently; the slowest send is
 * Telegram's: three attempts of up to 10 s plus 5 s of waiting (docs/notifications.md). A minute
 * covers that with room.
 */
export const NOTIFIER_TIMEOUT_SECONDS = 60;
/** AWS's guidance for SQS event sources: a visibility timeout of at least six times the function's timeout. */
export const DELIVERY_VISIBILITY_TIMEOUT_SECONDS = NOTIFIER_TIMEOUT_SECONDS * 6;
