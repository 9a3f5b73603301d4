/** The hand-over between the ingest task and the evaluator: batch event schema and path compression. */
export * from './batch-event';
export * from './path-compression';
