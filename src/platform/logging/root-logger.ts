import pino, { Logger as Pino } from 'pino';
import { REDACTED_PATHS } from './redaction';

/** Nest's and our injection token for the process's one pino logger. */
export const ROOT_LOGGER = Symbol('daiyun.root-logger');

export type RootLogger = Pino;

/**
 * The process's one pino logger: JSON lines on stdout at `level`, secrets redacted. Built once, and
 * never specialised per request (no child loggers): pino redacts and serializes a child's bindings
 * when the child is made, which cost about 6 % of a request's CPU although nothing was written at
 * `warn`. Lines about a request carry its id as `reqId` instead, added when a line is written.
 */
export function createRootLogger(level: string): RootLogger {
  return pino({
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  });
}
