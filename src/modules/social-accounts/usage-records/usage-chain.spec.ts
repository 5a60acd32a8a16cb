import {
  canonicalJson,
  canonicalRecord,
  chainHash,
  ChainedFields,
  dateFromMicros,
  GENESIS_HASH,
  isoFromMicros,
  microsOf,
  normalizeDetails,
} from './usage-chain';

// The vector in docs/social-accounts.md, computed there with Python's json and hashlib.
const FIELDS: ChainedFields = {
  accountId: '8F14E45F-CEEA-467F-A0E6-7C9E5B1D2A10',
  seq: 1,
  brandOrgId: '2b1f7c3e-5d4a-4e8b-9c6d-0a1b2c3d4e5f',
  actorOrgId: '2b1f7c3e-5d4a-4e8b-9c6d-0a1b2c3d4e5f',
  agencyOrgId: null,
  actorUserId: '3c2d1e0f-6a5b-4c7d-8e9f-1a2b3c4d5e6f',
  apiKeyId: null,
  action: 'account.created',
  ip: '203.0.113.7',
  requestId: 'req-1',
  occurredAtMicros: '1768032000123000',
  details: { handle: '品牌官方', z: [1, true, null], 'a"b': 'line\nbreak', '😀': 1, '\uffff': 2 },
};

describe('usage chain canonical form', () => {
  it('writes the fields in a fixed order, ids in lower case, keys by code point, no whitespace', () => {
    expect(canonicalRecord(FIELDS)).toBe(
      '["daiyun-usage-v1","8f14e45f-ceea-467f-a0e6-7c9e5b1d2a10","1","2b1f7c3e-5d4a-4e8b-9c6d-0a1b2c3d4e5f",' +
        '"2b1f7c3e-5d4a-4e8b-9c6d-0a1b2c3d4e5f",null,"3c2d1e0f-6a5b-4c7d-8e9f-1a2b3c4d5e6f",null,' +
        '"account.created","203.0.113.7","req-1","1768032000123000",' +
        '{"a\\"b":"line\\nbreak","handle":"品牌官方","z":[1,true,null],"\uffff":2,"😀":1}]',
    );
  });

  it('hashes SHA-256(prev_hash || canonical text) as an independent implementation does', () => {
    expect(chainHash(GENESIS_HASH, FIELDS)).toBe(
      '082a18f1d4cbab838c4099bcb907ed065d1c030ed72ebf34a63038fac420d680',
    );
  });

  it('sorts nested keys and refuses numbers that would not survive a round trip', () => {
    expect(canonicalJson({ b: { d: 1, c: 2 }, a: [] })).toBe('{"a":[],"b":{"c":2,"d":1}}');
    expect(() => canonicalJson({ price: 1.5 })).toThrow(/only integers/);
    expect(() => canonicalJson({ big: 2 ** 60 })).toThrow(/only integers/);
  });
});

describe('normalizeDetails', () => {
  it('gives what the jsonb column will hold: no undefined members, dates as text', () => {
    const details = normalizeDetails({
      a: undefined,
      b: null,
      at: new Date('2026-01-10T00:00:00.000Z'),
      list: [1, 'x'],
    } as unknown as Record<string, unknown>);
    expect(details).toEqual({ b: null, at: '2026-01-10T00:00:00.000Z', list: [1, 'x'] });
    expect(normalizeDetails(undefined)).toEqual({});
  });

  it('replaces what PostgreSQL cannot store in jsonb (NUL, lone surrogates) with U+FFFD', () => {
    expect(normalizeDetails({ 'k\u0000': 'a\u0000b\ud800c😀' })).toEqual({ 'k\ufffd': 'a\ufffdb\ufffdc😀' });
  });
});

describe('time helpers', () => {
  it('keeps every microsecond when converting', () => {
    expect(microsOf(new Date('2026-01-10T08:00:00.123Z'))).toBe('1768032000123000');
    expect(isoFromMicros('1768032000123456')).toBe('2026-01-10T08:00:00.123456Z');
    expect(isoFromMicros('-1')).toBe('1969-12-31T23:59:59.999999Z');
    expect(dateFromMicros('1768032000123456').toISOString()).toBe('2026-01-10T08:00:00.123Z');
  });
});
