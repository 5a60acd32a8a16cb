export const EVENT_TYPES = [
  'page_view',
  'session_start',
  'click',
  'conversion',
  'purchase',
  'video_play',
  'follow',
  'comment',
  'share',
  'custom',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const CHANNELS = ['search', 'social', 'direct', 'email', 'ad', 'referral', 'other'] as const;
export type Channel = (typeof CHANNELS)[number];

export const DEVICE_TYPES = ['desktop', 'mobile', 'tablet', 'tv', 'other'] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

/** Events may carry money only when money is what they record. */
export const MONEY_EVENT_TYPES: readonly EventType[] = ['purchase', 'conversion'];

/** How far ahead of the server's clock an event may claim to have happened (clock skew of devices). */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;

export const DEFAULT_RETENTION_DAYS = 400;
export const MIN_RETENTION_DAYS = 30;
export const MAX_RETENTION_DAYS = 1830;

/** The most events one batch request carries; also the size of the import's insert batches. */
export const MAX_BATCH_EVENTS = 1000;

/** Limits of an event's free-form `properties`. */
export const PROPERTIES_LIMITS = { maxBytes: 8192, maxKeys: 50, maxDepth: 3 } as const;

/** One event as stored: the row of `analytics_events` (camelCase), ready for the insert. */
export interface EventRow {
  eventId: string;
  occurredAt: Date;
  type: EventType;
  name: string | null;
  anonymousId: string | null;
  userId: string | null;
  sessionId: string | null;
  url: string | null;
  path: string | null;
  referrer: string | null;
  referrerHost: string | null;
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
  utmTerm: string | null;
  utmContent: string | null;
  channel: Channel;
  deviceType: DeviceType | null;
  os: string | null;
  browser: string | null;
  screenWidth: number | null;
  screenHeight: number | null;
  locale: string | null;
  amountFen: number | null;
  socialAccountId: string | null;
  campaignId: string | null;
  adId: string | null;
  properties: Record<string, unknown>;
  /** `properties` as JSON text when the checks serialized it already (else the store does). */
  propertiesJson?: string;
}

/** Why one event of a batch (index) or one line of an import (line) was not stored. */
export interface EventRefusal {
  field: string;
  message: string;
}
