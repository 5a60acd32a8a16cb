import { AudienceController } from '../audience/audience.controller';
import { AudienceService } from '../audience/audience.service';
import { AnalyticsSegmentsController } from '../audience/segments.controller';
import { AnalyticsSegmentsService } from '../audience/segments.service';
import { DailySeriesReader } from './daily-series';
import { ForecastController } from './forecast.controller';
import { ForecastService } from './forecast.service';
import { GoalDeadlineJob } from './goal-deadline.job';
import { GoalsController } from './goals.controller';
import { GoalsService } from './goals.service';

/** Audience, segments, forecasts and optimization goals: the parts of AnalyticsModule built on reports. */
export const INSIGHTS_CONTROLLERS = [
  AudienceController,
  AnalyticsSegmentsController,
  ForecastController,
  GoalsController,
];
export const INSIGHTS_PROVIDERS = [
  AudienceService,
  AnalyticsSegmentsService,
  DailySeriesReader,
  ForecastService,
  GoalsService,
  GoalDeadlineJob,
];
