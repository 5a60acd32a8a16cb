import { addWorkingMinutes, CompiledCalendar, workingMinutesBetween } from './working-time';

/*
 * SLA due times, pure. A target runs from the instant the SLA started, stops while the ticket waits on
 * the customer (each pause until its resume) and counts either the calendar's working minutes or
 * wall-clock minutes. Nothing here reads a clock or a database: the tickets module hands in what it
 * stored, and recomputes from the original start whenever the policy changes (a priority change
 * re-resolves the policy, then calls `computeSla` again with the same start and pauses).
 */

export const SLA_MODES = ['working', 'wall_clock'] as const;
export type SlaMode = (typeof SLA_MODES)[number];

export interface SlaTarget {
  minutes: number;
  mode: SlaMode;
}

export interface SlaTargets {
  firstResponse: SlaTarget | null;
  nextResponse: SlaTarget | null;
  resolution: SlaTarget | null;
}

/** One stretch of `pending_customer`; `resumedAt` null while it lasts. */
export interface SlaPause {
  pausedAt: number;
  resumedAt: number | null;
}

const MINUTE = 60_000;

/** The stretches the clock runs, from `start` on: the last one ends at Infinity unless paused now. */
export function runningStretches(start: number, pauses: readonly SlaPause[]): [number, number][] {
  const sorted = [...pauses].sort((a, b) => a.pausedAt - b.pausedAt);
  const stretches: [number, number][] = [];
  let cursor = start;
  for (const pause of sorted) {
    const resumed = pause.resumedAt ?? Infinity;
    if (resumed <= cursor) continue;
    if (pause.pausedAt > cursor) stretches.push([cursor, pause.pausedAt]);
    cursor = Math.max(cursor, resumed);
    if (cursor === Infinity) return stretches;
  }
  stretches.push([cursor, Infinity]);
  return stretches;
}

function needCalendar(target: SlaTarget, calendar: CompiledCalendar | null): CompiledCalendar {
  if (!calendar) throw new Error('A working-time target needs a calendar');
  return calendar;
}

/** Minutes the target's clock counts from `from` to `to` (no pauses). */
export function measure(
  target: SlaTarget,
  calendar: CompiledCalendar | null,
  from: number,
  to: number,
): number {
  if (target.mode === 'wall_clock') return (to - from) / MINUTE;
  return workingMinutesBetween(needCalendar(target, calendar), from, to);
}

/** The instant `minutes` of the target's clock after `from` (no pauses). */
export function advance(
  target: SlaTarget,
  calendar: CompiledCalendar | null,
  from: number,
  minutes: number,
): number {
  if (target.mode === 'wall_clock') return from + minutes * MINUTE;
  return addWorkingMinutes(needCalendar(target, calendar), from, minutes);
}

/**
 * When the target falls due, pauses excluded; null while the clock is paused before the target is
 * used up (it has no due time until it resumes).
 */
export function dueAt(
  target: SlaTarget,
  calendar: CompiledCalendar | null,
  startedAt: number,
  pauses: readonly SlaPause[] = [],
): number | null {
  let remaining = target.minutes;
  for (const [from, to] of runningStretches(startedAt, pauses)) {
    if (to === Infinity) return advance(target, calendar, from, remaining);
    const available = measure(target, calendar, from, to);
    if (available >= remaining) return advance(target, calendar, from, remaining);
    remaining -= available;
  }
  return null;
}

/** Minutes of the target's clock used between `startedAt` and `at`, pauses excluded. */
export function elapsedMinutes(
  target: SlaTarget,
  calendar: CompiledCalendar | null,
  startedAt: number,
  pauses: readonly SlaPause[],
  at: number,
): number {
  let used = 0;
  for (const [from, to] of runningStretches(startedAt, pauses)) {
    if (from >= at) break;
    used += measure(target, calendar, from, Math.min(to, at));
  }
  return used;
}

/** Minutes left at `at` (negative once breached), rounded down to whole minutes. */
export function remainingMinutes(
  target: SlaTarget,
  calendar: CompiledCalendar | null,
  startedAt: number,
  pauses: readonly SlaPause[],
  at: number,
): number {
  return Math.floor(target.minutes - elapsedMinutes(target, calendar, startedAt, pauses, at));
}

export interface SlaInput {
  /** When the SLA started: the ticket's creation, kept across policy changes. */
  startedAt: number;
  pauses: readonly SlaPause[];
  /** The customer's message the next response answers, when one is awaited; null otherwise. */
  awaitingReplySince: number | null;
  /** The instant remaining minutes are measured at (the caller's clock). */
  at: number;
}

export interface SlaTimes {
  firstResponseDueAt: number | null;
  nextResponseDueAt: number | null;
  resolutionDueAt: number | null;
  remainingMinutes: {
    firstResponse: number | null;
    nextResponse: number | null;
    resolution: number | null;
  };
}

/** Every due time of a policy's targets, and what is left of each at `input.at`. */
export function computeSla(
  targets: SlaTargets,
  calendar: CompiledCalendar | null,
  input: SlaInput,
): SlaTimes {
  const { startedAt, pauses, awaitingReplySince, at } = input;
  const nextStart = awaitingReplySince;
  // A next response counts from the customer's message; pauses before that message do not matter.
  const nextPauses = nextStart === null ? [] : pauses.filter((p) => (p.resumedAt ?? Infinity) > nextStart);
  const first = targets.firstResponse;
  const next = nextStart === null ? null : targets.nextResponse;
  const resolution = targets.resolution;
  return {
    firstResponseDueAt: first && dueAt(first, calendar, startedAt, pauses),
    nextResponseDueAt: next && dueAt(next, calendar, nextStart!, nextPauses),
    resolutionDueAt: resolution && dueAt(resolution, calendar, startedAt, pauses),
    remainingMinutes: {
      firstResponse: first && remainingMinutes(first, calendar, startedAt, pauses, at),
      nextResponse: next && remainingMinutes(next, calendar, nextStart!, nextPauses, at),
      resolution: resolution && remainingMinutes(resolution, calendar, startedAt, pauses, at),
    },
  };
}

/** The pure SLA functions under one name, as the tickets module imports them. */
export const SlaClock = { computeSla, dueAt, remainingMinutes, elapsedMinutes, runningStretches } as const;
