import { DomainError } from '../../../platform/errors';
import { compileSegmentRule, longestWithinDays, parseSegmentRule } from './segment-rule';

const field = (value: unknown): string | undefined => {
  try {
    parseSegmentRule(value);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return (error as DomainError).options.errors?.[0]?.field;
  }
};

describe('analytics segment rules', () => {
  it('accepts the documented conditions and nesting', () => {
    const rule = {
      all: [
        { event: { type: 'custom', name: 'signup', minCount: 1, withinDays: 90 } },
        { not: { any: [{ device: { in: ['tv'] } }, { channel: { in: ['ad', 'email'] } }] } },
        { property: { key: 'plan', equals: true } },
      ],
    };
    expect(parseSegmentRule(rule)).toBe(rule);
    expect(longestWithinDays(rule)).toBe(90);
  });

  it('refuses unknown shapes, values, depth and size, naming the rule', () => {
    expect(field({ all: [{ event: { type: 'page_view', minCount: 1 } }] })).toMatch(/^rule/);
    expect(field({ all: [{ channel: { in: ['tv'] } }] })).toMatch(/^rule/);
    expect(field({ any: [{ property: { key: "x'; DROP", equals: 1 } }] })).toMatch(/^rule/);
    expect(field({ all: [{ all: [{ all: [{ all: [{ device: { in: ['tv'] } }] }] }] }] })).toBe('rule');
    expect(field({ any: Array.from({ length: 21 }, () => ({ device: { in: ['tv'] } })) })).toMatch(/^rule/);
    expect(
      field({
        all: [
          { any: Array.from({ length: 11 }, () => ({ device: { in: ['tv'] } })) },
          { any: Array.from({ length: 10 }, () => ({ device: { in: ['tv'] } })) },
        ],
      }),
    ).toBe('rule');
  });

  it('compiles to aggregates with every value bound, never inlined', () => {
    const params: unknown[] = [];
    const now = new Date('2026-11-20T04:00:00Z');
    const sql = compileSegmentRule(
      {
        any: [
          { event: { type: 'purchase', minCount: 2, withinDays: 7 } },
          { not: { property: { key: 'plan', equals: "pro'--" } } },
        ],
      },
      { now, lookbackStart: new Date(now.getTime() - 30 * 86_400_000), params },
    );
    expect(sql).not.toContain('purchase');
    expect(sql).not.toContain("'--");
    expect(sql).not.toContain('plan');
    expect(sql).toContain('count(*) FILTER');
    expect(sql).toContain('NOT');
    expect(params).toEqual([
      'purchase',
      new Date(now.getTime() - 7 * 86_400_000),
      2,
      'plan',
      JSON.stringify("pro'--"),
      new Date(now.getTime() - 30 * 86_400_000),
    ]);
  });
});
