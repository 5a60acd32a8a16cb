import { compileSegmentRule, parseSegmentRule } from './segment-rule';

describe('segment rules', () => {
  const now = new Date('2030-01-31T00:00:00Z');

  it('compiles to a predicate whose values are all bind parameters', () => {
    const rule = parseSegmentRule({
      any: [
        { all: [{ tier: { in: ['vip', 'key'] } }, { lifetimeValueFen: { gte: 100000 } }] },
        { tag: { has: '华东' } },
        { lastContact: { olderThanDays: 30 } },
        { created: { withinDays: 7 } },
      ],
    });
    const { sql, params } = compileSegmentRule(rule, { alias: 'c', now });
    expect(sql).toBe(
      '((c.tier = ANY(CAST(:seg0 AS text[])) AND c.lifetime_value_fen >= CAST(:seg1 AS bigint)) OR ' +
        ':seg2 = ANY(c.tags) OR (c.last_contact_at IS NULL OR c.last_contact_at < CAST(:seg3 AS timestamptz)) OR ' +
        'c.created_at >= CAST(:seg4 AS timestamptz))',
    );
    expect(params).toEqual({
      seg0: ['vip', 'key'],
      seg1: 100000,
      seg2: '华东',
      seg3: new Date('2030-01-01T00:00:00Z'),
      seg4: new Date('2030-01-24T00:00:00Z'),
    });
  });

  it.each([
    [{ all: [{ tier: { in: ['vip'] }, tag: { has: 'a' } }] }, 'rule.all[0]'],
    [{ all: [{ tier: { in: [] } }] }, 'rule.all[0]'],
    [{ all: [] }, 'rule'],
    ['vip', 'rule'],
  ])('refuses %j', (rule, field) => {
    expect(() => parseSegmentRule(rule)).toThrow(expect.objectContaining({ status: 400 }));
    try {
      parseSegmentRule(rule);
    } catch (error) {
      expect((error as { options: { errors: { field: string }[] } }).options.errors[0].field).toMatch(
        new RegExp(`^${field.replace(/[[\].]/g, '\\$&')}`),
      );
    }
  });
});
