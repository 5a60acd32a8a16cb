import { FastifyRequest } from 'fastify';
import { DomainError, ErrorCode } from '../errors';

/**
 * How deep a JSON body may nest. No request of the API nests beyond a handful of levels; a limit far
 * above that and far below what recursive code (class-transformer, validators, fingerprinting) can
 * survive keeps a 5,000-level body from reaching them as a stack overflow.
 */
export const MAX_JSON_DEPTH = 32;

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The deepest nesting of a JSON text, read character by character without parsing (so without recursion). */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const byte = text.charCodeAt(i);
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      if (++depth > limit) return true;
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      depth--;
    }
  }
  return false;
}

type Done = (error: Error | null, body?: unknown) => void;
type JsonParser<B> = (request: FastifyRequest, body: B, done: Done) => void;

/** Wraps Fastify's own JSON parser (which keeps its prototype-poisoning checks) with the depth limit. */
export function depthLimitedJsonParser(defaultParser: JsonParser<string>): JsonParser<Buffer> {
  return (request, raw, done) => {
    const body = raw.toString('utf8');
    if (jsonDepthExceeds(body, MAX_JSON_DEPTH)) {
      done(
        new DomainError(ErrorCode.NestingTooDeep, `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels`),
      );
      return;
    }
    defaultParser(request, body, done);
  };
}
