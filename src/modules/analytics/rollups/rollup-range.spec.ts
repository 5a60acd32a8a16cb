import { daysBetween } from './rollup-builder';
import { rebuildDays } from './rollup-rebuilds.service';

describe('rollup rebuild ranges', () => {
  it('lists the days of a range inclusive, across months and a leap day', () => {
    expect(daysBetween('2028-02-27', '2028-03-01')).toEqual([
      '2028-02-27',
      '2028-02-28',
      '2028-02-29',
      '2028-03-01',
    ]);
    expect(daysBetween('2026-12-04', '2026-12-04')).toEqual(['2026-12-04']);
    expect(daysBetween('2026-12-05', '2026-12-04')).toEqual([]);
  });

  it('counts a range and refuses one backwards or over 1,830 days, naming `to`', () => {
    expect(rebuildDays({ from: '2026-11-01', to: '2026-11-30' })).toBe(30);
    expect(rebuildDays({ from: '2021-12-01', to: '2026-12-04' })).toBe(1830);
    for (const range of [
      { from: '2026-11-02', to: '2026-11-01' },
      { from: '2021-11-30', to: '2026-12-04' },
    ]) {
      expect(() => rebuildDays(range)).toThrow(
        expect.objectContaining({
          options: expect.objectContaining({ errors: [expect.objectContaining({ field: 'to' })] }),
        }),
      );
    }
  });
});
