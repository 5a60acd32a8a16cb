import { STANDARD_WEEKLY_HOURS } from './calendar.types';
import { MAINLAND_HOLIDAYS } from './mainland-holidays.data';
import { computeSla, dueAt, remainingMinutes, runningStretches } from './sla-clock';
import { compileCalendar } from './working-time';

const at = (iso: string) => new Date(iso).getTime();
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const cal = compileCalendar({
  id: 'mainland',
  version: 1,
  timeZone: 'Asia/Shanghai',
  weeklyHours: STANDARD_WEEKLY_HOURS,
  overrides: [...MAINLAND_HOLIDAYS],
});

describe('SlaClock', () => {
  const working = { minutes: 120, mode: 'working' as const };
  const wall = { minutes: 1440, mode: 'wall_clock' as const };

  it('running stretches skip pauses, overlapping ones too', () => {
    expect(
      runningStretches(0, [
        { pausedAt: 10, resumedAt: 20 },
        { pausedAt: 15, resumedAt: 30 },
        { pausedAt: 40, resumedAt: null },
      ]),
    ).toEqual([
      [0, 10],
      [30, 40],
    ]);
  });

  it('a pause moves a working due time by the working minutes it covered', () => {
    // Tue 2026-03-10 09:00, 120 working minutes, paused 10:00–14:00: the clock ran 60 minutes before
    // the pause, so 60 remain from 14:00 → 15:00.
    const start = at('2026-03-10T09:00:00+08:00');
    const pauses = [
      { pausedAt: at('2026-03-10T10:00:00+08:00'), resumedAt: at('2026-03-10T14:00:00+08:00') },
    ];
    expect(iso(dueAt(working, cal, start, pauses))).toBe('2026-03-10T07:00:00.000Z');
    expect(remainingMinutes(working, cal, start, pauses, at('2026-03-10T14:30:00+08:00'))).toBe(30);
  });

  it('no due time while paused; wall-clock pauses move the due time by their length', () => {
    const start = at('2026-03-10T09:00:00+08:00');
    expect(dueAt(wall, null, start, [{ pausedAt: start + 3_600_000, resumedAt: null }])).toBeNull();
    expect(
      iso(dueAt(wall, null, start, [{ pausedAt: start + 3_600_000, resumedAt: start + 5 * 3_600_000 }])),
    ).toBe('2026-03-11T05:00:00.000Z');
  });

  it('computes every target of a policy and the minutes left', () => {
    const start = at('2026-02-13T16:00:00+08:00');
    const times = computeSla(
      { firstResponse: wall, nextResponse: null, resolution: { minutes: 900, mode: 'working' } },
      cal,
      { startedAt: start, pauses: [], awaitingReplySince: null, at: at('2026-02-14T09:00:00+08:00') },
    );
    expect(iso(times.firstResponseDueAt)).toBe('2026-02-14T08:00:00.000Z');
    expect(iso(times.resolutionDueAt)).toBe('2026-02-24T08:00:00.000Z');
    expect(times.nextResponseDueAt).toBeNull();
    expect(times.remainingMinutes).toEqual({
      firstResponse: 1440 - 17 * 60,
      nextResponse: null,
      resolution: 900 - 120,
    });
  });
});
