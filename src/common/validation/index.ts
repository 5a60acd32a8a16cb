export * from './credit-code';
export * from './decorators';
export * from './phone';
export * from './resident-id';
export * from './transforms';
export * from './plain-text';
export * from './optional';
export * from './bounds';
