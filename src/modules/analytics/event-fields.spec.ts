import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import fc from 'fast-check';
import { TrackedEventDto } from './event.dto';
import { fieldRefusals } from './event-fields';

/** The fields class-validator refuses on the documented DTO, as the request pipe would judge them. */
function dtoRefusedFields(event: Record<string, unknown>): string[] {
  const errors = validateSync(plainToInstance(TrackedEventDto, event), {
    whitelist: true,
    forbidNonWhitelisted: true,
  });
  return errors.map((e) => e.property).sort();
}

const handRefusedFields = (event: Record<string, unknown>) =>
  fieldRefusals(event)
    .map((r) => r.field)
    .sort();

/** Values that are right for some fields and wrong for others: every field gets every kind. */
const anyValue = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.uuid(),
  fc.constantFrom('page_view', 'custom', 'purchase', 'conversion', 'search', 'mobile', 'nope', ''),
  fc.constantFrom(
    '2026-12-03T08:00:00Z',
    '2026-12-03T08:00:00.123+08:00',
    '2026-02-30T00:00:00Z',
    'yesterday',
  ),
  fc.constantFrom(
    'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
    'a0eebc99-9c0b-0ef8-bb6d-6bb9bd380a11',
    'zh-CN',
    'x',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ minLength: 95, maxLength: 140 }),
  fc.constantFrom('😀'.repeat(60), '😀'.repeat(101), 'a'.repeat(2049)),
  fc.integer({ min: -5, max: 200_000 }),
  fc.constantFrom(0, 1, 1.5, -1, 1e18, Number.MAX_SAFE_INTEGER),
  fc.boolean(),
  fc.constant({ a: 1 }),
  fc.constant([1, 2]),
);

const FIELD_NAMES = [
  'eventId',
  'type',
  'name',
  'occurredAt',
  'anonymousId',
  'userId',
  'sessionId',
  'url',
  'path',
  'referrer',
  'utmSource',
  'utmMedium',
  'utmCampaign',
  'utmTerm',
  'utmContent',
  'channel',
  'deviceType',
  'os',
  'browser',
  'screenWidth',
  'screenHeight',
  'locale',
  'amount',
  'socialAccountId',
  'campaignId',
  'adId',
  'properties',
  'surprise',
];

const eventArbitrary = fc
  .record(Object.fromEntries(FIELD_NAMES.map((name) => [name, anyValue])), { requiredKeys: [] })
  .map((event) => Object.fromEntries(Object.entries(event).filter(([, value]) => value !== undefined)));

describe('event field rules', () => {
  it('refuse exactly the fields the documented DTO refuses', () => {
    fc.assert(
      fc.property(eventArbitrary, (event) => {
        expect(handRefusedFields(event)).toEqual(dtoRefusedFields(event));
      }),
      { numRuns: 5_000, seed: 20261203 },
    );
  });

  it('accept a complete valid event and require what the type needs', () => {
    const valid = {
      eventId: '0b5d2a4e-7c1f-4d8e-9a53-2f6c1e8b7d90',
      type: 'purchase',
      occurredAt: '2026-12-03T08:00:00Z',
      anonymousId: 'a',
      amount: 100,
    };
    expect(handRefusedFields(valid)).toEqual([]);
    expect(handRefusedFields({ ...valid, amount: undefined })).toEqual(['amount']);
    expect(handRefusedFields({ ...valid, type: 'custom', amount: undefined })).toEqual(['name']);
    expect(dtoRefusedFields({ ...valid, type: 'custom', amount: undefined })).toEqual(['name']);
  });
});
