import { Inject, Injectable, LoggerService } from '@nestjs/common';
import { Level } from 'pino';
import { ROOT_LOGGER, RootLogger } from './root-logger';

const STACK_TRACE = /\n\s*at /;

/**
 * Nest's logger (`new Logger('Context')` anywhere, and the framework's own lines) written through the
 * root pino logger. The context becomes `module`; an object first argument is merged into the line,
 * an Error becomes `err`. Disabled levels cost one comparison: nothing is built for them.
 */
@Injectable()
export class AppLogger implements LoggerService {
  constructor(@Inject(ROOT_LOGGER) private readonly root: RootLogger) {}

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: Level, message: unknown, rest: unknown[]): void {
    if (!this.root.isLevelEnabled(level)) return;
    // Nest passes the context (the name given to `new Logger(name)`) as the last argument.
    const fields: Record<string, unknown> = {};
    let params = rest;
    if (rest.length > 0) {
      fields.module = rest[rest.length - 1];
      params = rest.slice(0, -1);
    }
    if (message instanceof Error) {
      fields.err = message;
      this.root[level](fields, message.message);
    } else if (message !== null && typeof message === 'object') {
      Object.assign(fields, message);
      this.root[level](fields, ...(params as [string]));
    } else if (level === 'error' && typeof params[0] === 'string' && STACK_TRACE.test(params[0])) {
      // Nest's own exception handlers call error(message, stack): keep the stack as an error.
      const err = new Error(String(message));
      err.stack = params[0];
      fields.err = err;
      this.root[level](fields, String(message));
    } else {
      this.root[level](fields, String(message), ...params);
    }
  }
}
