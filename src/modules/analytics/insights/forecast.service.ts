import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { Clock } from '../../../platform/clock/clock';
import { DomainError } from '../../../platform/errors';
import { ReportAnswer, resolveReportPeriod } from '../../../platform/reports';
import { DataScope } from '../../access/data-scope';
import { OrganizationTimeZones } from '../../organizations/organization-time-zones';
import { AnalyticsReportScope } from '../report-scope';
import { addDays, DailySeriesReader } from './daily-series';
import { detectPeriod, fitAndForecast } from './forecast';
import {
  DEFAULT_FORECAST_DAYS,
  DEFAULT_HISTORY_DAYS,
  ForecastQueryDto,
  ForecastReportDto,
  MIN_HISTORY_DAYS,
} from './forecast.dto';
import { METRIC_UNITS } from './metric-catalogue';

const round2 = (value: number) => Math.round(value * 100) / 100;

/**
 * The forecast report: a daily metric's history over the period (by default the 56 days up to
 * yesterday, the last complete day), the model fitted to it, the next `days` days with a 95 %
 * prediction interval, and the past days that fell outside their one-step interval.
 */
@Injectable()
export class ForecastService {
  constructor(
    private readonly clock: Clock,
    private readonly timeZones: OrganizationTimeZones,
    private readonly reportScope: AnalyticsReportScope,
    private readonly series: DailySeriesReader,
  ) {}

  async forecast(scope: DataScope, query: ForecastQueryDto): Promise<ReportAnswer<ForecastReportDto>> {
    const timeZone = await this.timeZones.of(scope.orgId);
    const yesterday = DateTime.fromJSDate(this.clock.now(), { zone: timeZone })
      .minus({ days: 1 })
      .toISODate()!;
    const period = resolveReportPeriod(
      { from: query.from, to: query.to ?? yesterday },
      timeZone,
      this.clock.now(),
      {
        defaultDays: DEFAULT_HISTORY_DAYS,
      },
    );
    if (period.days < MIN_HISTORY_DAYS) {
      throw DomainError.validation('from', `the history must cover at least ${MIN_HISTORY_DAYS} days`);
    }
    DailySeriesReader.assertApplicable(query.metric, query);
    const selection = await this.reportScope.resolve(scope, query);
    const points = await this.series.read(selection, query.metric, period.from, period.to, timeZone);
    const values = points.map((p) => p.value);
    const horizon = query.days ?? DEFAULT_FORECAST_DAYS;
    const fit = fitAndForecast(values, horizon);
    const oneStep = 1.959964 * fit.sigma;

    const history = points.map((point, i) => {
      const fitted = fit.fitted[i];
      if (fitted === null) return { ...point, fitted: null, lower: null, upper: null, anomaly: false };
      const lower = Math.max(0, fitted - oneStep);
      const upper = fitted + oneStep;
      return {
        day: point.day,
        value: point.value,
        fitted: round2(fitted),
        lower: round2(lower),
        upper: round2(upper),
        anomaly: point.value < lower || point.value > upper,
      };
    });
    const forecast = fit.forecast.map((f, i) => ({
      day: addDays(period.to, i + 1),
      value: round2(Math.max(0, f.value)),
      lower: round2(Math.max(0, f.lower)),
      upper: round2(Math.max(0, f.upper)),
    }));
    const body: ForecastReportDto = {
      metric: query.metric,
      unit: METRIC_UNITS[query.metric],
      model: fit.model,
      from: period.from,
      to: period.to,
      timeZone,
      level: 0.95,
      detectedPeriod: detectPeriod(values),
      parameters: fit.parameters,
      residualStdDev: round2(fit.sigma),
      seasonal: fit.seasonal?.map(round2) ?? null,
      history,
      forecast,
      anomalies: history.filter((h) => h.anomaly).length,
    };
    const unit = METRIC_UNITS[query.metric];
    return new ReportAnswer(
      body,
      `Forecast of ${query.metric} (${fit.model}, 95 % interval)`,
      {
        columns: [
          { key: 'day', label: 'Day' },
          { key: 'actual', label: 'Actual', unit },
          { key: 'fitted', label: 'Fitted', unit },
          { key: 'forecast', label: 'Forecast', unit },
          { key: 'lower', label: 'Lower 95 %', unit },
          { key: 'upper', label: 'Upper 95 %', unit },
          { key: 'anomaly', label: 'Anomaly' },
        ],
        rows: [
          ...history.map((h) => ({
            day: h.day,
            actual: h.value,
            fitted: h.fitted,
            forecast: null,
            lower: h.lower,
            upper: h.upper,
            anomaly: h.anomaly,
          })),
          ...forecast.map((f) => ({
            day: f.day,
            actual: null,
            fitted: null,
            forecast: f.value,
            lower: f.lower,
            upper: f.upper,
            anomaly: false,
          })),
        ],
      },
      { kind: 'line', x: 'day', series: ['actual', 'fitted', 'forecast', 'lower', 'upper'] },
      `forecast-${query.metric}-${period.to}`,
    );
  }
}
