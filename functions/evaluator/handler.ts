/** The evaluator Lambda's entry (evaluator-function.ts), configured from its environment at cold start. */
import { loadEvaluatorConfig } from '../shared/config';
import { createEvaluatorHandler } from './evaluator-function';

export const handler = createEvaluatorHandler(loadEvaluatorConfig());
