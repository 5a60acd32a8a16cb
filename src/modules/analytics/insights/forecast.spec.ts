import { detectPeriod, fitAndForecast, SEASON_LENGTH } from './forecast';

/** A deterministic pseudo-random stream (mulberry32), so the test data is the same every run. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WEEK = [0, 10, 20, 15, 5, -20, -30];

describe('forecast', () => {
  it('recovers a weekly season and trend, and most held-out points fall inside the interval', () => {
    const next = random(7);
    const series = Array.from({ length: 84 }, (_, i) => 200 + 0.5 * i + WEEK[i % 7] + (next() - 0.5) * 8);
    const history = series.slice(0, 70);
    const held = series.slice(70);
    expect(detectPeriod(history)).toBe(SEASON_LENGTH);
    const fit = fitAndForecast(history, held.length);
    expect(fit.model).toBe('holt_winters_additive');
    const inside = held.filter((v, i) => v >= fit.forecast[i].lower && v <= fit.forecast[i].upper).length;
    expect(inside / held.length).toBeGreaterThanOrEqual(0.8);
    // The fitted season orders the days as the generator did (day 70 is a generator day 0).
    const season = fit.seasonal!;
    const expectedOrder = [...WEEK.keys()].sort((a, b) => WEEK[a] - WEEK[b]);
    const fittedOrder = [...season.keys()].sort((a, b) => season[a] - season[b]);
    expect(fittedOrder).toEqual(expectedOrder);
  });

  it('falls back to a linear trend on less than two weeks, and the interval widens with the horizon', () => {
    const fit = fitAndForecast([10, 12, 14, 16, 18, 20, 23, 24, 26], 5);
    expect(fit.model).toBe('holt_linear');
    expect(fit.seasonal).toBeNull();
    expect(fit.forecast[0].value).toBeGreaterThan(26);
    const widths = fit.forecast.map((f) => f.upper - f.lower);
    for (let i = 1; i < widths.length; i++) expect(widths[i]).toBeGreaterThanOrEqual(widths[i - 1]);
  });

  it('finds no period in a flat or trend-only series', () => {
    expect(detectPeriod(Array.from({ length: 30 }, () => 5))).toBeNull();
    expect(detectPeriod(Array.from({ length: 30 }, (_, i) => 3 * i + 1))).toBeNull();
  });
});
