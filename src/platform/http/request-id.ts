import { randomUUID } from 'node:crypto';
import { IncomingMessage } from 'node:http';

const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Honours a caller's `X-Request-Id` when it is a sane token (so ids can't inject into logs), else
 * mints one. Stored on the raw request too, for code that sees only the Node request.
 */
export function requestIdFor(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  const value = Array.isArray(incoming) ? incoming[0] : incoming;
  const id = value && ACCEPTABLE.test(value) ? value : randomUUID();
  (req as IncomingMessage & { id?: string }).id = id;
  return id;
}
