import { DomainError } from '../../platform/errors';
import { addCounts, CsatCounts, csatFigures, emptyCounts } from './csat-figures';
import { checkNps } from './satisfaction-surveys.service';

describe('csatFigures', () => {
  it('answers null for every ratio without a denominator', () => {
    expect(csatFigures(emptyCounts())).toEqual({
      sent: 0,
      answered: 0,
      responseRate: null,
      csatAverage: null,
      csat1: 0,
      csat2: 0,
      csat3: 0,
      csat4: 0,
      csat5: 0,
      npsAnswers: 0,
      promoters: 0,
      detractors: 0,
      nps: null,
    });
  });

  it('computes rate, average and NPS from counts, rounding once', () => {
    // Scores 5, 4, 4 of 7 sent; NPS answers 10, 9, 7, 3, 0 → 2 promoters, 2 detractors of 5.
    const figures = csatFigures({
      sent: 7,
      answered: 3,
      csatSum: 13,
      csat: [0, 0, 0, 2, 1],
      npsAnswers: 5,
      promoters: 2,
      detractors: 2,
    });
    expect(figures.responseRate).toBe(0.4286);
    expect(figures.csatAverage).toBe(4.33);
    expect(figures.nps).toBe(0);
    const skewed = csatFigures({ ...emptyCounts(), npsAnswers: 3, promoters: 0, detractors: 2 });
    expect(skewed.nps).toBe(-66.7);
  });

  it('adds counts group by group', () => {
    const a: CsatCounts = { ...emptyCounts(), sent: 2, answered: 1, csatSum: 5, csat: [0, 0, 0, 0, 1] };
    const b: CsatCounts = { ...emptyCounts(), sent: 1, answered: 1, csatSum: 1, csat: [1, 0, 0, 0, 0] };
    expect(csatFigures(addCounts(a, b))).toMatchObject({
      sent: 3,
      answered: 2,
      csatAverage: 3,
      csat1: 1,
      csat5: 1,
    });
  });
});

describe('checkNps', () => {
  const field = (f: () => void) => {
    try {
      f();
    } catch (error) {
      return (error as DomainError).options.errors?.[0]?.field;
    }
    return undefined;
  };

  it('refuses NPS when not asked and requires it when required', () => {
    expect(field(() => checkNps('off', 5))).toBe('nps');
    expect(field(() => checkNps('off', undefined))).toBeUndefined();
    expect(field(() => checkNps('optional', undefined))).toBeUndefined();
    expect(field(() => checkNps('optional', 0))).toBeUndefined();
    expect(field(() => checkNps('required', undefined))).toBe('nps');
    expect(field(() => checkNps('required', 10))).toBeUndefined();
  });
});
