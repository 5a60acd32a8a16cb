import { createHash } from 'node:crypto';
import { DomainError } from '../errors';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

const MAX_KEY_LENGTH = 255;
/** Printable ASCII, space included (RFC 8941 sf-string characters, unescaped). */
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;
/** An RFC 8941 sf-string, as the IETF draft writes the header: `"…"`, with `\"` and `\\` escapes. */
const SF_STRING = /^"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"$/;

const invalid = (message: string) => DomainError.validation(IDEMPOTENCY_KEY_HEADER, message);

/**
 * The key of an `Idempotency-Key` header value. Accepts both forms clients send: Stripe's bare token
 * (`Idempotency-Key: 5f1c…`) and the IETF draft's structured-field string (`Idempotency-Key: "5f1c…"`),
 * which name the same key. The key must be 1–255 printable ASCII characters; anything else, and the
 * header sent more than once, is refused (400) rather than guessed at, since a key that silently
 * changed would not protect the retry it was meant for.
 */
export function parseIdempotencyKey(value: string | string[], occurrences = 1): string {
  if (Array.isArray(value) || occurrences > 1) throw invalid('must be sent once');
  let key = value;
  if (key.startsWith('"')) {
    const quoted = SF_STRING.exec(key);
    if (!quoted) throw invalid('must be 1–255 printable ASCII characters, or a valid quoted string');
    key = quoted[1].replace(/\\(["\\])/g, '$1');
  }
  if (key.length === 0 || key.length > MAX_KEY_LENGTH || !PRINTABLE_ASCII.test(key)) {
    throw invalid(`must be 1–${MAX_KEY_LENGTH} printable ASCII characters`);
  }
  return key;
}

/** JSON with object keys sorted at every level, so that key order and whitespace don't make a new request. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return inner;
    const source = inner as Record<string, unknown>;
    // No prototype, so that a `__proto__` member of a body is kept as data.
    const sorted = Object.create(null) as Record<string, unknown>;
    for (const name of Object.keys(source).sort()) sorted[name] = source[name];
    return sorted;
  });
}

/**
 * SHA-256 (hex) of the canonical request: method, request target (path and query string, as sent) and
 * the parsed body as canonical JSON. Two requests with one key are "the same request" exactly when
 * their fingerprints are equal.
 */
export function requestFingerprint(method: string, target: string, body: unknown): string {
  const canonical = `${method.toUpperCase()}\n${target}\n${canonicalJson(body ?? null)}`;
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}
