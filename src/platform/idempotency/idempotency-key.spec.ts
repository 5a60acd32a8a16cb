import { DomainError } from '../errors';
import { canonicalJson, parseIdempotencyKey, requestFingerprint } from './idempotency-key';

const fieldOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return (error as DomainError).options.errors?.[0]?.field;
  }
  throw new Error('expected a validation error');
};

describe('parseIdempotencyKey', () => {
  it('takes a bare key (Stripe) and a structured-field string (IETF draft) as the same key', () => {
    expect(parseIdempotencyKey('8e03978e-40d5-43e8-bc93-6894a57f9324')).toBe(
      '8e03978e-40d5-43e8-bc93-6894a57f9324',
    );
    expect(parseIdempotencyKey('"8e03978e-40d5-43e8-bc93-6894a57f9324"')).toBe(
      '8e03978e-40d5-43e8-bc93-6894a57f9324',
    );
    expect(parseIdempotencyKey('"a \\"quoted\\" \\\\ key"')).toBe('a "quoted" \\ key');
    expect(parseIdempotencyKey('order 42: retry')).toBe('order 42: retry');
    expect(parseIdempotencyKey('x'.repeat(255))).toHaveLength(255);
  });

  it.each([
    ['empty', ''],
    ['empty quoted', '""'],
    ['too long', 'x'.repeat(256)],
    ['non-ASCII', '订单-1'],
    ['a control character', 'a\tb'],
    ['an unterminated quote', '"abc'],
    ['a bad escape', '"a\\nb"'],
  ])('refuses %s, naming the header', (_, value) => {
    expect(fieldOf(() => parseIdempotencyKey(value))).toBe('Idempotency-Key');
  });

  it('refuses the header sent twice', () => {
    expect(fieldOf(() => parseIdempotencyKey(['a', 'b']))).toBe('Idempotency-Key');
    expect(fieldOf(() => parseIdempotencyKey('a, b', 2))).toBe('Idempotency-Key');
  });
});

describe('requestFingerprint', () => {
  it('ignores key order and whitespace of the body', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}',
    );
    expect(requestFingerprint('POST', '/api/v1/x', { a: 1, b: 2 })).toBe(
      requestFingerprint('post', '/api/v1/x', JSON.parse('{ "b": 2,  "a": 1 }')),
    );
  });

  it('tells apart method, path, query and body', () => {
    const base = requestFingerprint('POST', '/api/v1/x', { a: 1 });
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(requestFingerprint('PUT', '/api/v1/x', { a: 1 })).not.toBe(base);
    expect(requestFingerprint('POST', '/api/v1/y', { a: 1 })).not.toBe(base);
    expect(requestFingerprint('POST', '/api/v1/x?dry=1', { a: 1 })).not.toBe(base);
    expect(requestFingerprint('POST', '/api/v1/x', { a: 2 })).not.toBe(base);
    expect(requestFingerprint('POST', '/api/v1/x', { a: 1, b: null })).not.toBe(base);
    expect(requestFingerprint('POST', '/api/v1/x', undefined)).toBe(
      requestFingerprint('POST', '/api/v1/x', null),
    );
  });

  it('keeps a __proto__ member of a body as data', () => {
    const body = JSON.parse('{"__proto__": {"x": 1}, "a": 1}');
    expect(canonicalJson(body)).toBe('{"__proto__":{"x":1},"a":1}');
  });
});
