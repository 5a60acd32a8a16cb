import { compareWindows, progressFraction, reached, weeklyMeans, weeklyNoise } from './goal-math';

describe('goal arithmetic', () => {
  it('measures noise on full weeks only', () => {
    const days = [...Array(7).fill(10), ...Array(7).fill(14), 100];
    expect(weeklyMeans(days)).toEqual([10, 14]);
    // Sample stddev of [10, 14]: sqrt(((10-12)^2 + (14-12)^2) / 1).
    expect(weeklyNoise(days)).toBeCloseTo(Math.sqrt(8), 10);
    expect(weeklyNoise(Array(13).fill(3))).toBeNull();
  });

  it('compares same-length windows against twice the noise', () => {
    const result = compareWindows([10, 12, 14], [20, 22, 24], 1.5);
    expect(result).toEqual({
      beforeMean: 12,
      afterMean: 22,
      change: 10,
      changeRate: 10 / 12,
      noiseThreshold: 3,
      significant: true,
    });
    expect(compareWindows([0, 0], [1, 1], null)).toMatchObject({ changeRate: null, significant: null });
    expect(compareWindows([5], [6], 1).significant).toBe(false);
    expect(() => compareWindows([1, 2], [1], 1)).toThrow();
  });

  it('reads progress in the direction of the goal', () => {
    expect(progressFraction(15, 10, 20)).toBe(0.5);
    expect(progressFraction(8, 10, 6)).toBe(0.5);
    expect(progressFraction(8, 10, 10)).toBeNull();
    expect(reached(20, 20, 'increase')).toBe(true);
    expect(reached(7, 6, 'decrease')).toBe(false);
  });
});
