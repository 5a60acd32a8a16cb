import { bucketIndex, durationFigures } from './duration-figures';

describe('durationFigures', () => {
  it('answers count, nearest-rank median and p90 of both clocks, rounded to 2 decimals', () => {
    // Ten tickets: working 1…10 minutes, wall clock ten times that plus a third of a minute.
    const items = Array.from({ length: 10 }, (_, i) => ({ working: i + 1, wallClock: (i + 1) * 10 + 1 / 3 }));
    expect(durationFigures(items)).toEqual({
      count: 10,
      // Nearest rank: ceil(0.5 × 10) = 5th and ceil(0.9 × 10) = 9th smallest.
      workingMinutes: { median: 5, p90: 9 },
      wallClockMinutes: { median: 50.33, p90: 90.33 },
    });
  });

  it('leaves tickets without a calendar out of the working figures only', () => {
    expect(
      durationFigures([
        { working: null, wallClock: 30 },
        { working: 12, wallClock: 40 },
      ]),
    ).toEqual({
      count: 2,
      workingMinutes: { median: 12, p90: 12 },
      wallClockMinutes: { median: 30, p90: 40 },
    });
  });

  it('answers nulls, not NaN, without tickets', () => {
    expect(durationFigures([])).toEqual({
      count: 0,
      workingMinutes: { median: null, p90: null },
      wallClockMinutes: { median: null, p90: null },
    });
  });
});

describe('bucketIndex', () => {
  it('finds the last bucket starting at or before the instant', () => {
    const starts = [100, 200, 300];
    expect([50, 100, 199, 200, 250, 300, 10_000].map((at) => bucketIndex(starts, at))).toEqual([
      -1, 0, 0, 1, 1, 2, 2,
    ]);
  });
});
