import { EncodedBatch, encodeEventRow } from './event-store';
import { EventRow } from './event.types';

const row = (overrides: Partial<EventRow> = {}): EventRow => ({
  eventId: '6f1c2a4e-8d3b-4c1a-9e2f-0a1b2c3d4e5f',
  occurredAt: new Date('2026-12-03T08:00:00.123Z'),
  type: 'page_view',
  name: null,
  anonymousId: 'anon-1',
  userId: null,
  sessionId: null,
  url: null,
  path: null,
  referrer: null,
  referrerHost: null,
  utmSource: null,
  utmMedium: null,
  utmCampaign: null,
  utmTerm: null,
  utmContent: null,
  channel: 'direct',
  deviceType: null,
  os: null,
  browser: null,
  screenWidth: null,
  screenHeight: null,
  locale: null,
  amountFen: null,
  socialAccountId: null,
  campaignId: null,
  adId: null,
  properties: {},
  ...overrides,
});

/** COPY text format read back by hand: fields split on tabs, `\N` null, backslash escapes undone. */
function decode(line: string): (string | null)[] {
  expect(line.endsWith('\n')).toBe(true);
  return line
    .slice(0, -1)
    .split('\t')
    .map((field) =>
      field === '\\N'
        ? null
        : field.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c),
    );
}

describe('encodeEventRow (COPY text format)', () => {
  it('writes the 28 columns in order, null as \\N, numbers and times as text', () => {
    const fields = decode(encodeEventRow(row({ amountFen: 1234, screenWidth: 390, type: 'purchase' })));
    expect(fields).toHaveLength(28);
    expect(fields[0]).toBe('6f1c2a4e-8d3b-4c1a-9e2f-0a1b2c3d4e5f');
    expect(fields[1]).toBe('2026-12-03T08:00:00.123Z');
    expect(fields[2]).toBe('purchase');
    expect(fields[3]).toBeNull();
    expect(fields[4]).toBe('anon-1');
    expect(fields[20]).toBe('390');
    expect(fields[23]).toBe('1234');
    expect(fields[27]).toBe('{}');
  });

  it('escapes backslashes, tabs, newlines and carriage returns so every value reads back exactly', () => {
    const tricky = 'a\\b\tc\nd\re \\N 李雷 👍';
    const properties = { note: tricky, nested: { n: null } };
    const fields = decode(encodeEventRow(row({ anonymousId: tricky, url: '\\N', properties })));
    expect(fields).toHaveLength(28);
    expect(fields[4]).toBe(tricky);
    expect(fields[7]).toBe('\\N');
    expect(JSON.parse(fields[27]!)).toEqual(properties);
  });

  it('uses the JSON the checks produced when the row carries it', () => {
    const fields = decode(encodeEventRow(row({ properties: { a: 1 }, propertiesJson: '{"a":1}' })));
    expect(fields[27]).toBe('{"a":1}');
  });
});

describe('EncodedBatch', () => {
  it('grows past its first Buffer, keeps one time per month, and starts empty again after clear', () => {
    const batch = new EncodedBatch(64);
    const rows = [
      row({ properties: { padding: 'x'.repeat(500) } }),
      row({ occurredAt: new Date('2026-12-31T23:59:59Z'), anonymousId: '李'.repeat(100) }),
      row({ occurredAt: new Date('2027-01-01T00:00:00Z') }),
    ];
    for (const r of rows) batch.add(r);
    expect(batch.count).toBe(3);
    expect(batch.data().toString('utf8')).toBe(rows.map(encodeEventRow).join(''));
    expect(batch.times().map((t) => t.occurredAt.toISOString())).toEqual([
      '2026-12-03T08:00:00.123Z',
      '2027-01-01T00:00:00.000Z',
    ]);
    batch.clear();
    expect(batch.count).toBe(0);
    expect(batch.data().length).toBe(0);
    expect(batch.times()).toEqual([]);
  });
});
