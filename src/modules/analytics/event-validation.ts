import { DomainError } from '../../platform/errors';
import { inspectInput } from '../../platform/http/validation';
import { deriveChannel, hostOf, normalizeHost } from './channel';
import { TrackedEventDto } from './event.dto';
import { fieldRefusals } from './event-fields';
import {
  EventRefusal,
  EventRow,
  FUTURE_TOLERANCE_MS,
  MAX_BATCH_EVENTS,
  MONEY_EVENT_TYPES,
  PROPERTIES_LIMITS,
} from './event.types';

/** The times an event must fall between: not older than the retention window, not far in the future. */
export interface AcceptanceWindow {
  now: Date;
  retentionDays: number;
}

export type CheckedEvent = { ok: true; row: EventRow } | { ok: false; refusals: EventRefusal[] };

/**
 * One event, by the rules every way in shares (batch and import): the DTO's field rules
 * (event-fields.ts), then what a DTO cannot say (who did it, money on the right types, the size of `properties`, the time window).
 * Answers the row to store or every refusal found.
 */
export function checkEvent(
  raw: unknown,
  window: AcceptanceWindow,
  options: { controlCharactersChecked?: boolean } = {},
): CheckedEvent {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, refusals: [{ field: '', message: 'an event must be a JSON object' }] };
  }
  if (!options.controlCharactersChecked) {
    const control = inspectInput(raw, '');
    if (control.length > 0) return { ok: false, refusals: control };
  }
  const refusals = fieldRefusals(raw as Record<string, unknown>);
  // Past the field rules, the object has the DTO's shape wherever the checks below read it.
  const event = raw as TrackedEventDto;

  if (event.anonymousId === undefined && event.userId === undefined) {
    refusals.push({ field: 'anonymousId', message: 'anonymousId or userId is required' });
  }
  if (event.type !== 'custom' && event.name !== undefined && refusals.every((r) => r.field !== 'type')) {
    refusals.push({ field: 'name', message: 'name is only for custom events' });
  }
  if (event.amount !== undefined && !MONEY_EVENT_TYPES.includes(event.type)) {
    refusals.push({ field: 'amount', message: 'amount is only for purchase and conversion events' });
  }
  let propertiesJson = '{}';
  if (event.properties !== undefined && refusals.every((r) => r.field !== 'properties')) {
    const problem = propertiesShapeProblem(event.properties);
    if (problem) refusals.push({ field: 'properties', message: problem });
    else {
      // Serialized once: for the size rule here, and as the stored text (EventStore).
      propertiesJson = JSON.stringify(event.properties);
      const tooLarge = propertiesSizeProblem(propertiesJson);
      if (tooLarge) refusals.push({ field: 'properties', message: tooLarge });
    }
  }
  if (refusals.every((r) => r.field !== 'occurredAt')) {
    const at = Date.parse(event.occurredAt);
    const now = window.now.getTime();
    if (at > now + FUTURE_TOLERANCE_MS) {
      refusals.push({ field: 'occurredAt', message: 'must not be more than 5 minutes in the future' });
    } else if (at < now - window.retentionDays * 86_400_000) {
      refusals.push({
        field: 'occurredAt',
        message: `must be within the organization's retention window of ${window.retentionDays} days`,
      });
    }
  }
  if (refusals.length > 0) return { ok: false, refusals };
  return { ok: true, row: toRow(event, propertiesJson) };
}

function toRow(event: TrackedEventDto, propertiesJson: string): EventRow {
  const referrerHost = event.referrer ? cachedReferrerHost(event.referrer) : null;
  const page = event.url ? cachedPage(event.url) : null;
  const pageHost = page ? page.host : null;
  const utm = {
    utmSource: event.utmSource ?? null,
    utmMedium: event.utmMedium ?? null,
    utmCampaign: event.utmCampaign ?? null,
    utmTerm: event.utmTerm ?? null,
    utmContent: event.utmContent ?? null,
  };
  return {
    eventId: event.eventId.toLowerCase(),
    occurredAt: new Date(event.occurredAt),
    type: event.type,
    name: event.name ?? null,
    anonymousId: event.anonymousId ?? null,
    userId: event.userId ?? null,
    sessionId: event.sessionId ?? null,
    url: event.url ?? null,
    path: event.path ?? page?.path ?? null,
    referrer: event.referrer ?? null,
    referrerHost,
    ...utm,
    channel: event.channel ?? deriveChannel({ referrerHost, pageHost, adId: event.adId ?? null, ...utm }),
    deviceType: event.deviceType ?? null,
    os: event.os ?? null,
    browser: event.browser ?? null,
    screenWidth: event.screenWidth ?? null,
    screenHeight: event.screenHeight ?? null,
    locale: event.locale ?? null,
    amountFen: event.amount ?? null,
    socialAccountId: event.socialAccountId?.toLowerCase() ?? null,
    campaignId: event.campaignId?.toLowerCase() ?? null,
    adId: event.adId?.toLowerCase() ?? null,
    properties: event.properties ?? {},
    propertiesJson,
  };
}

/**
 * What the rows take from a URL (the page's host and path, the referrer's host), remembered per URL
 * text: a tracker's events repeat a few pages and referrers, and parsing a URL was a tenth of an
 * event's checks. Bounded: emptied when it reaches CACHED_URLS entries.
 */
const CACHED_URLS = 1_000;
const pages = new Map<string, { host: string | null; path: string | null } | null>();
const referrerHosts = new Map<string, string | null>();

function cachedPage(url: string): { host: string | null; path: string | null } | null {
  let page = pages.get(url);
  if (page === undefined) {
    const parsed = parseUrl(url);
    page = parsed
      ? { host: normalizeHost(parsed.hostname), path: parsed.pathname.slice(0, 1024) || null }
      : null;
    if (pages.size >= CACHED_URLS) pages.clear();
    pages.set(url, page);
  }
  return page;
}

function cachedReferrerHost(referrer: string): string | null {
  let host = referrerHosts.get(referrer);
  if (host === undefined) {
    host = hostOf(referrer);
    if (referrerHosts.size >= CACHED_URLS) referrerHosts.clear();
    referrerHosts.set(referrer, host);
  }
  return host;
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** What is wrong with a `properties` object, or null: key count, depth and serialized size. */
export function propertiesProblem(properties: Record<string, unknown>): string | null {
  return propertiesShapeProblem(properties) ?? propertiesSizeProblem(JSON.stringify(properties));
}

function propertiesSizeProblem(json: string): string | null {
  const { maxBytes } = PROPERTIES_LIMITS;
  // Bytes are at least the characters: the exact count only when the characters come near the limit.
  if (json.length * 3 <= maxBytes || Buffer.byteLength(json, 'utf8') <= maxBytes) return null;
  return `must not be larger than ${maxBytes} bytes as JSON`;
}

/** Key count and depth of a `properties` object. */
function propertiesShapeProblem(properties: Record<string, unknown>): string | null {
  const { maxKeys, maxDepth } = PROPERTIES_LIMITS;
  let keys = 0;
  const stack: { value: unknown; depth: number }[] = [{ value: properties, depth: 1 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth > maxDepth) return `must not nest deeper than ${maxDepth} levels`;
    const entries = Array.isArray(value) ? value.map((item) => ['', item] as const) : Object.entries(value);
    if (!Array.isArray(value)) keys += entries.length;
    if (keys > maxKeys) return `must not have more than ${maxKeys} keys in all`;
    for (const [, item] of entries) stack.push({ value: item, depth: depth + 1 });
  }
  return null;
}

/**
 * The envelope of a batch request, `{ events: [...] }` as EventBatchDto documents it, checked by hand:
 * the request pipe's class-transformer pass copied every event of the batch before any was looked at
 * (a tenth of a batch's CPU). The request pipe has already refused control characters in the body.
 */
export function batchEvents(body: unknown): unknown[] {
  const refuse = (field: string, message: string) => {
    throw DomainError.validation(field, message);
  };
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return refuse('', 'the body must be a JSON object');
  }
  for (const key of Object.keys(body)) if (key !== 'events') refuse(key, 'unknown field');
  const { events } = body as { events?: unknown };
  if (!Array.isArray(events)) return refuse('events', 'events must be an array');
  if (events.length < 1) refuse('events', 'events must contain at least 1 elements');
  if (events.length > MAX_BATCH_EVENTS) {
    refuse('events', `events must contain no more than ${MAX_BATCH_EVENTS} elements`);
  }
  if (!events.every((e) => e !== null && typeof e === 'object' && !Array.isArray(e))) {
    refuse('events', 'each event must be an object');
  }
  return events;
}
