/** The rule model: schemas and types shared by the API, the engine, the evaluator and the docs. */
export * from './alert';
export * from './channels';
export * from './conditions';
export * from './market';
export * from './rule';
export * from './symbol';
export * from './validation';
