/**
 * How the delivery queues and the notifier behind them are set up, defined once for the CDK stack
 * (lib/constructs/alert-delivery.ts) and the local stack (local/stack.ts). A plain module: the
 * local stack imports it without pulling in aws-cdk-lib.
 */

/**
 * Attempts per delivery before the notifier records it as `failed` (DELIVERY_MAX_ATTEMPTS). Each
 * send is one attempt; the queue hands a failed one out again after 1 s, 3 s, 9 s, 27 s, 81 s and
 * 243 s (DELIVERY_RETRY_BASE_MS × 3ⁿ), so a destination may be down for about six minutes and
 * still get its alert.
 */
export const DELIVERY_MAX_ATTEMPTS = 7;
/** The first wait before a failed delivery is handed out again (DELIVERY_RETRY_BASE_MS); ×3 per attempt. */
export const DEFAULT_RETRY_BASE_MS = 1_000;
/**
 * The longest a send waits in the invocation for its pacing slot (DELIVERY_MAX_PACE_WAIT_MS):
 * further slots go back to the queue for the whole seconds to them (SQS delays are whole
 * seconds) and wait out the rest when they come back, so a busy chat holds up an invocation for
 * at most this long.
 */
export const DEFAULT_MAX_PACE_WAIT_MS = 1_000;

/** A destination's circuit breaker (functions/notifier/destination-lanes.ts). */
export interface LaneSettings {
  /** Retryable failures in a row that open a destination's lane. */
  failuresToOpen: number;
  /** How long a lane stays open the first time (doubles per failed probe). */
  openMs: number;
  /** The longest a lane stays open. */
  maxOpenMs: number;
}

/** DELIVERY_LANE_FAILURES, DELIVERY_LANE_OPEN_SECONDS, DELIVERY_LANE_MAX_OPEN_SECONDS. */
export const DEFAULT_LANE_SETTINGS: LaneSettings = { failuresToOpen: 3, openMs: 10_000, maxOpenMs: 300_000 };
/**
 * Receives before SQS gives up on a message: the notifier's own attempts plus two, so a message
 * only reaches the dead-letter queue when the notifier could not even record the failure (e.g. it
 * crashed or timed out twice), which is exactly what the DLQ alarm should report.
 */
export const MAX_RECEIVE_COUNT = DELIVERY_MAX_ATTEMPTS + 2;
/**
 * The notifier's timeout. A batch of up to ten messages, sent concurrently, one attempt each; the
 * slowest send is Telegram's, up to 10 s (docs/notifications.md). A minute covers that with room.
 */
export const NOTIFIER_TIMEOUT_SECONDS = 60;
/** AWS's guidance for SQS event sources: a visibility timeout of at least six times the function's timeout. */
export const DELIVERY_VISIBILITY_TIMEOUT_SECONDS = NOTIFIER_TIMEOUT_SECONDS * 6;
