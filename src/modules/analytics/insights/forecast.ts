import { linearRegression, mean } from 'simple-statistics';

/**
 * Forecasting one daily series: additive Holt-Winters (level, trend, weekly season) when the history
 * holds at least two full weeks, Holt's linear trend otherwise. Parameters are chosen by a grid
 * search minimizing the one-step-ahead squared error over the history; prediction intervals use the
 * one-step residual variance grown with the horizon by the ETS(A,A,A) formula (Hyndman et al.,
 * "Forecasting with Exponential Smoothing", ch. 6): var(h) = σ² (1 + Σ_{j<h} (α(1 + jβ) + γ·[j ≡ 0 mod m])²).
 * Pure functions: no clock, no database, so they are tested on their own (forecast.spec.ts).
 */

export const SEASON_LENGTH = 7;
/** z of a two-sided 95 % interval under normal errors. */
export const Z_95 = 1.959964;

export type ForecastModel = 'holt_winters_additive' | 'holt_linear';

export interface SmoothingParameters {
  alpha: number;
  beta: number;
  gamma: number;
}

export interface FitResult {
  model: ForecastModel;
  parameters: SmoothingParameters;
  /** One-step-ahead prediction of each past day; null for the warm-up days the model cannot judge. */
  fitted: (number | null)[];
  /** Standard deviation of the one-step errors (over the judged days). */
  sigma: number;
  forecast: { value: number; lower: number; upper: number }[];
  seasonal: number[] | null;
}

const ALPHAS = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
const BETAS = [0, 0.02, 0.05, 0.1, 0.2, 0.3];
const GAMMAS = [0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7];

interface Run {
  fitted: (number | null)[];
  sse: number;
  judged: number;
  level: number;
  trend: number;
  season: number[];
}

/** One pass of the recursions with fixed parameters; `m = 0` means no season. */
function run(y: readonly number[], m: number, p: SmoothingParameters, warmUp: number): Run {
  let level: number;
  let trend: number;
  const season = new Array<number>(Math.max(m, 1)).fill(0);
  if (m > 0) {
    const first = mean(y.slice(0, m));
    const second = mean(y.slice(m, 2 * m));
    level = first;
    trend = (second - first) / m;
    for (let i = 0; i < m; i++) season[i] = y[i] - first;
  } else {
    level = y[0];
    trend = y.length > 1 ? y[1] - y[0] : 0;
  }
  const fitted: (number | null)[] = [];
  let sse = 0;
  let judged = 0;
  for (let t = 0; t < y.length; t++) {
    const s = m > 0 ? season[t % m] : 0;
    const prediction = level + trend + s;
    if (t >= warmUp) {
      fitted.push(prediction);
      sse += (y[t] - prediction) ** 2;
      judged += 1;
    } else {
      fitted.push(null);
    }
    const previous = level;
    level = p.alpha * (y[t] - s) + (1 - p.alpha) * (level + trend);
    trend = p.beta * (level - previous) + (1 - p.beta) * trend;
    if (m > 0) season[t % m] = p.gamma * (y[t] - level) + (1 - p.gamma) * s;
  }
  return { fitted, sse, judged, level, trend, season };
}

/** Fits the model the history allows and forecasts `horizon` days after it. */
export function fitAndForecast(y: readonly number[], horizon: number, z = Z_95): FitResult {
  if (y.length < 3) throw new Error('at least 3 points are needed');
  const seasonal = y.length >= 2 * SEASON_LENGTH;
  const m = seasonal ? SEASON_LENGTH : 0;
  // Seasonal models are judged from the second week on (the first week initializes the season);
  // the trend model from the third day on.
  const warmUp = seasonal ? SEASON_LENGTH : 2;
  let best: { run: Run; p: SmoothingParameters } | null = null;
  for (const alpha of ALPHAS) {
    for (const beta of BETAS) {
      for (const gamma of seasonal ? GAMMAS : [0]) {
        const p = { alpha, beta, gamma };
        const r = run(y, m, p, warmUp);
        if (!best || r.sse < best.run.sse) best = { run: r, p };
      }
    }
  }
  const { run: fit, p } = best!;
  // Degrees of freedom: the judged days less the smoothing parameters estimated (at least one left).
  const parameters = seasonal ? 3 : 2;
  const sigma = Math.sqrt(fit.sse / Math.max(1, fit.judged - parameters));
  const forecast: FitResult['forecast'] = [];
  let sumC = 0;
  for (let h = 1; h <= horizon; h++) {
    if (h > 1) {
      const j = h - 1;
      const c = p.alpha * (1 + j * p.beta) + (seasonal && j % SEASON_LENGTH === 0 ? p.gamma : 0);
      sumC += c * c;
    }
    const s = seasonal ? fit.season[(y.length + h - 1) % SEASON_LENGTH] : 0;
    const value = fit.level + h * fit.trend + s;
    const half = z * sigma * Math.sqrt(1 + sumC);
    forecast.push({ value, lower: value - half, upper: value + half });
  }
  return {
    model: seasonal ? 'holt_winters_additive' : 'holt_linear',
    parameters: p,
    fitted: fit.fitted,
    sigma,
    forecast,
    seasonal: seasonal ? rotateSeason(fit.season, y.length) : null,
  };
}

/** The fitted season as offsets of the 7 days following the history (index 0 = the first forecast day). */
function rotateSeason(season: number[], n: number): number[] {
  return Array.from({ length: SEASON_LENGTH }, (_, i) => season[(n + i) % SEASON_LENGTH]);
}

/**
 * The period (in days) at which the linearly detrended series correlates most with itself, among lags
 * 2 to min(n/2, 31), if that autocorrelation is at least 0.3; otherwise null (no clear cycle).
 */
export function detectPeriod(y: readonly number[]): number | null {
  const n = y.length;
  const maxLag = Math.min(Math.floor(n / 2), 31);
  if (maxLag < 2) return null;
  const { m, b } = linearRegression(y.map((value, i) => [i, value]));
  const residuals = y.map((value, i) => value - (m * i + b));
  const average = mean(residuals);
  const centered = residuals.map((r) => r - average);
  const variance = centered.reduce((sum, r) => sum + r * r, 0);
  if (variance === 0) return null;
  let bestLag: number | null = null;
  let bestAcf = 0.3;
  for (let lag = 2; lag <= maxLag; lag++) {
    let sum = 0;
    for (let i = lag; i < n; i++) sum += centered[i] * centered[i - lag];
    const acf = sum / variance;
    if (acf > bestAcf) {
      bestAcf = acf;
      bestLag = lag;
    }
  }
  return bestLag;
}
