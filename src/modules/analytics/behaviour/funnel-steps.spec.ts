import { funnelStepErrors, parseFunnelSteps, stepLabel } from './funnel-steps';

describe('funnel steps', () => {
  it('needs a type or a custom name, and a name only on custom events', () => {
    expect(
      funnelStepErrors([{ type: 'page_view' }, { name: 'signup' }, { type: 'custom', name: 'x' }]),
    ).toEqual([]);
    expect(funnelStepErrors([{ path: '/cart' }, { type: 'click', name: 'x' }])).toEqual([
      { field: 'steps.0.type', message: expect.any(String) },
      { field: 'steps.1.name', message: 'only custom events have a name' },
    ]);
  });

  it('takes at most 10 scalar properties', () => {
    const many = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, i]));
    expect(funnelStepErrors([{ type: 'click', properties: many }]).map((e) => e.field)).toEqual([
      'steps.0.properties',
    ]);
    const nested = { a: { b: 1 } } as unknown as Record<string, string>;
    expect(funnelStepErrors([{ type: 'click', properties: nested }]).map((e) => e.field)).toEqual([
      'steps.0.properties.a',
    ]);
    expect(funnelStepErrors([{ type: 'click', properties: { 'a b': 'x' } }]).map((e) => e.field)).toEqual([
      'steps.0.properties',
    ]);
    expect(funnelStepErrors([{ type: 'click', properties: { plan: 'pro', n: 2, ok: true } }])).toEqual([]);
  });

  it('throws a 400 naming every bad field, else answers the filters', () => {
    expect(() => parseFunnelSteps([{}, {}])).toThrow(
      expect.objectContaining({
        status: 400,
        options: {
          errors: [
            expect.objectContaining({ field: 'steps.0.type' }),
            expect.objectContaining({ field: 'steps.1.type' }),
          ],
        },
      }),
    );
    expect(parseFunnelSteps([{ type: 'page_view', path: '/cart', label: 'Cart' }])).toEqual([
      { type: 'page_view', path: '/cart', name: undefined, properties: undefined },
    ]);
  });

  it('labels a step by its label, else its name or type and path', () => {
    expect(stepLabel({ type: 'page_view', path: '/cart' })).toBe('page_view /cart');
    expect(stepLabel({ name: 'signup' })).toBe('custom:signup');
    expect(stepLabel({ type: 'purchase', label: 'Bought' })).toBe('Bought');
  });
});
