import { rate } from '../../platform/reports';
import { CsatFiguresDto } from './csat-report.dto';

/** Counts of one group as SQL sums them. */
export interface CsatCounts {
  sent: number;
  answered: number;
  csatSum: number;
  csat: [number, number, number, number, number];
  npsAnswers: number;
  promoters: number;
  detractors: number;
}

export const emptyCounts = (): CsatCounts => ({
  sent: 0,
  answered: 0,
  csatSum: 0,
  csat: [0, 0, 0, 0, 0],
  npsAnswers: 0,
  promoters: 0,
  detractors: 0,
});

export function addCounts(a: CsatCounts, b: CsatCounts): CsatCounts {
  return {
    sent: a.sent + b.sent,
    answered: a.answered + b.answered,
    csatSum: a.csatSum + b.csatSum,
    csat: a.csat.map((n, i) => n + b.csat[i]) as CsatCounts['csat'],
    npsAnswers: a.npsAnswers + b.npsAnswers,
    promoters: a.promoters + b.promoters,
    detractors: a.detractors + b.detractors,
  };
}

/**
 * The report's figures from counts (docs/satisfaction.md): response rate = answered / sent; CSAT average
 * = sum of scores / answers; NPS = 100 × (promoters − detractors) / NPS answers. Zero denominators are null.
 */
export function csatFigures(c: CsatCounts): CsatFiguresDto {
  return {
    sent: c.sent,
    answered: c.answered,
    responseRate: rate(c.answered, c.sent),
    csatAverage: rate(c.csatSum, c.answered, 2),
    csat1: c.csat[0],
    csat2: c.csat[1],
    csat3: c.csat[2],
    csat4: c.csat[3],
    csat5: c.csat[4],
    npsAnswers: c.npsAnswers,
    promoters: c.promoters,
    detractors: c.detractors,
    nps: rate(100 * (c.promoters - c.detractors), c.npsAnswers, 1),
  };
}
