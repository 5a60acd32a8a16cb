/**
 * The daily metrics forecasts and optimization goals work on. Each is one number per local calendar
 * day (the organization's time zone for events; the platform's Asia/Shanghai day for imported account
 * data), defined once here and in docs/analytics.md.
 */
export const EVENT_METRICS = [
  'events',
  'page_views',
  'unique_visitors',
  'sessions',
  'conversions',
  'purchases',
  'purchases_amount',
  'video_plays',
  'follows',
] as const;

export const ACCOUNT_METRICS = ['plays', 'followers', 'likes', 'comments', 'shares'] as const;

export const DAILY_METRICS = [...EVENT_METRICS, ...ACCOUNT_METRICS] as const;

export type EventMetric = (typeof EVENT_METRICS)[number];
export type AccountMetric = (typeof ACCOUNT_METRICS)[number];
export type DailyMetric = (typeof DAILY_METRICS)[number];

export const isAccountMetric = (metric: DailyMetric): metric is AccountMetric =>
  (ACCOUNT_METRICS as readonly string[]).includes(metric);

/** The SQL aggregate over `analytics_events` rows (aliased `e`) of one day, per event metric. */
export const EVENT_METRIC_SQL: Record<EventMetric, string> = {
  events: 'count(*)',
  page_views: `count(*) FILTER (WHERE e.type = 'page_view')`,
  unique_visitors: 'count(DISTINCT coalesce(e.user_id, e.anonymous_id))',
  sessions: 'count(DISTINCT e.session_id)',
  conversions: `count(*) FILTER (WHERE e.type = 'conversion')`,
  purchases: `count(*) FILTER (WHERE e.type = 'purchase')`,
  purchases_amount: `coalesce(sum(e.amount_fen) FILTER (WHERE e.type = 'purchase'), 0)`,
  video_plays: `count(*) FILTER (WHERE e.type = 'video_play')`,
  follows: `count(*) FILTER (WHERE e.type = 'follow')`,
};

/** The column of `social_account_daily_metrics` summed over the selected accounts, per account metric. */
export const ACCOUNT_METRIC_COLUMN: Record<AccountMetric, string> = {
  plays: 'plays',
  followers: 'followers',
  likes: 'likes',
  comments: 'comments',
  shares: 'shares',
};

export const METRIC_UNITS: Record<DailyMetric, string> = {
  events: 'events',
  page_views: 'views',
  unique_visitors: 'visitors',
  sessions: 'sessions',
  conversions: 'conversions',
  purchases: 'purchases',
  purchases_amount: 'fen',
  video_plays: 'plays',
  follows: 'follows',
  plays: 'plays',
  followers: 'followers',
  likes: 'likes',
  comments: 'comments',
  shares: 'shares',
};
