/**
 * Every Lambda function of the system and its handler module (relative to the repository root;
 * each exports `handler`). The HTTP API's functions come from its route table
 * (functions/api/routes.ts); the others are listed here. The constructs build their functions
 * from this list and `npm run bundle-sizes` measures exactly these entries.
 */
import { AUTHORIZER, ROUTES } from '../functions/api/routes';

export const FUNCTION_ENTRIES = {
  evaluator: 'functions/evaluator/handler.ts',
  outboxSweeper: 'functions/evaluator/outbox-sweeper-handler.ts',
  notifier: 'functions/notifier/handler.ts',
  socketAuthorizer: 'functions/dashboard-socket/authorizer.ts',
  socketConnect: 'functions/dashboard-socket/connect.ts',
  socketDisconnect: 'functions/dashboard-socket/disconnect.ts',
  socketWatch: 'functions/dashboard-socket/watch.ts',
} as const;

/** A route's function name, from its operation id: `createRule`. */
export const routeFunctionName = (route: { operationId: string }) => route.operationId;

/** Name → entry of every function the stack deploys. */
export function allFunctionEntries(): Record<string, string> {
  return {
    apiAuthorizer: AUTHORIZER.entry,
    ...Object.fromEntries(ROUTES.map((route) => [routeFunctionName(route), route.entry])),
    ...FUNCTION_ENTRIES,
  };
}
