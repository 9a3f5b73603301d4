/**
 * When the feed counts as stale, decided once: `GET /health` (HEARTBEAT_STALE_SECONDS) and the
 * feed alarms (lib/constructs/monitoring.ts) judge the same heartbeat by the same numbers.
 */

/** A heartbeat older than this means the ingest task is not running (it writes one every 5 s). */
export const HEARTBEAT_STALE_SECONDS = 30;

/** During market hours, no trade on any watched symbol for this long means the feed is stuck. */
export const NO_TICKS_STALE_SECONDS = 600;

/** Evaluator lag (the oldest unacknowledged tick) past this is an outage: docs/ingest.md's suggestion. */
export const EVALUATOR_LAG_ALARM_SECONDS = 60;
