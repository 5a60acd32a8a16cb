import { DomainError, ErrorCode } from '../../platform/errors';

export interface WindowLimit {
  /** Length of the sliding window. */
  windowMs: number;
  /** Events allowed within any window of that length. */
  max: number;
}

/** One message a minute and ten a day to the same address or number. */
export const MESSAGE_LIMITS: readonly WindowLimit[] = [
  { windowMs: 60_000, max: 1 },
  { windowMs: 24 * 60 * 60_000, max: 10 },
];

/**
 * Codes one client address may ask for, across all targets: per-target limits alone would let one
 * script send SMS to thousands of numbers (SMS pumping), at our cost.
 */
export const CODES_PER_IP_LIMITS: readonly WindowLimit[] = [{ windowMs: 60 * 60_000, max: 30 }];

export const longestWindowMs = (limits: readonly WindowLimit[]): number =>
  Math.max(...limits.map((l) => l.windowMs));

/**
 * Sliding-window limits over past event times: how many whole seconds until one more event fits under
 * every limit, or 0 when it fits now. Pass at least the events of the longest window.
 */
export function secondsUntilAllowed(
  events: readonly Date[],
  now: Date,
  limits: readonly WindowLimit[],
): number {
  const nowMs = now.getTime();
  let waitMs = 0;
  for (const limit of limits) {
    const inWindow = events
      .map((e) => e.getTime())
      .filter((t) => t > nowMs - limit.windowMs && t <= nowMs)
      .sort((a, b) => a - b);
    if (inWindow.length < limit.max) continue;
    // The window admits another event once enough of the oldest ones have slid out of it.
    const freeing = inWindow[inWindow.length - limit.max];
    waitMs = Math.max(waitMs, freeing + limit.windowMs - nowMs);
  }
  return waitMs > 0 ? Math.ceil(waitMs / 1000) : 0;
}

export function rateLimited(seconds: number, detail: string): DomainError {
  return new DomainError(ErrorCode.RateLimited, detail, {
    headers: { 'Retry-After': String(seconds) },
    extensions: { retryAfterSeconds: seconds },
  });
}
