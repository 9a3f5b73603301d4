/** The notifier Lambda's entry (notifier-function.ts), configured from its environment at cold start. */
import { loadNotifierConfig } from '../shared/config';
import { createNotifierHandler } from './notifier-function';

export const handler = await createNotifierHandler(loadNotifierConfig());
