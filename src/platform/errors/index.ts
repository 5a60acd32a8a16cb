export * from './domain.error';
export * from './error-code';
export * from './problem-details';
