/** The outbox sweeper Lambda's entry (outbox-sweeper-function.ts), configured from its environment at cold start. */
import { loadEvaluatorConfig } from '../shared/config';
import { createOutboxSweeperHandler } from './outbox-sweeper-function';

export const handler = createOutboxSweeperHandler(loadEvaluatorConfig());
