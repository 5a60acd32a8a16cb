import { CalendarDefinition, STANDARD_WEEKLY_HOURS } from './calendar.types';
import { MAINLAND_HOLIDAYS } from './mainland-holidays.data';
import {
  addWorkingMinutes,
  compileCalendar,
  isOpen,
  nextOpening,
  workingMinutesBetween,
} from './working-time';

const at = (iso: string) => new Date(iso).getTime();
const iso = (ms: number) => new Date(ms).toISOString();

const mainland: CalendarDefinition = {
  id: 'mainland',
  version: 1,
  timeZone: 'Asia/Shanghai',
  weeklyHours: STANDARD_WEEKLY_HOURS,
  overrides: [...MAINLAND_HOLIDAYS],
};

describe('working-time arithmetic (Asia/Shanghai, 09:00–12:00 and 13:30–18:00 Monday to Friday)', () => {
  const cal = compileCalendar(mainland);

  it('skips the lunch break', () => {
    // Tue 2026-03-10 11:00 +08:00, 120 working minutes: 60 until 12:00, 60 from 13:30 → 14:30.
    expect(iso(addWorkingMinutes(cal, at('2026-03-10T11:00:00+08:00'), 120))).toBe(
      '2026-03-10T06:30:00.000Z',
    );
  });

  it('a target used up exactly at closing is due at closing, not at the next opening', () => {
    expect(iso(addWorkingMinutes(cal, at('2026-03-10T17:00:00+08:00'), 60))).toBe('2026-03-10T10:00:00.000Z');
  });

  it('starts counting at the next opening when closed', () => {
    // Sat 2026-03-14 10:00 → Mon 2026-03-16 09:00 + 30 minutes.
    expect(iso(addWorkingMinutes(cal, at('2026-03-14T10:00:00+08:00'), 30))).toBe('2026-03-16T01:30:00.000Z');
    expect(iso(nextOpening(cal, at('2026-03-14T10:00:00+08:00')))).toBe('2026-03-16T01:00:00.000Z');
  });

  it('skips a weekend', () => {
    // Fri 2026-03-13 17:00: 60 on Friday, then Monday 09:00 + 60 → 10:00.
    expect(iso(addWorkingMinutes(cal, at('2026-03-13T17:00:00+08:00'), 120))).toBe(
      '2026-03-16T02:00:00.000Z',
    );
  });

  it('skips a public holiday and works a make-up Saturday (调休)', () => {
    // Fri 2026-02-13 16:00, 900 minutes: Fri 120, Sat 02-14 (make-up) 450, 02-15…02-23 closed,
    // Tue 02-24: 180 to 12:00, 150 from 13:30 → 16:00.
    expect(iso(addWorkingMinutes(cal, at('2026-02-13T16:00:00+08:00'), 900))).toBe(
      '2026-02-24T08:00:00.000Z',
    );
    expect(isOpen(cal, at('2026-02-14T10:00:00+08:00'))).toBe(true);
    expect(isOpen(cal, at('2026-02-16T10:00:00+08:00'))).toBe(false);
    expect(isOpen(cal, at('2026-02-28T15:00:00+08:00'))).toBe(true);
    expect(isOpen(cal, at('2026-03-07T15:00:00+08:00'))).toBe(false);
  });

  it('without the make-up Saturday the same target lands a working day later', () => {
    const noMakeUp = compileCalendar({
      ...mainland,
      id: 'no-makeup',
      overrides: mainland.overrides.filter((o) => o.date !== '2026-02-14'),
    });
    // Fri 120, Tue 02-24 450, Wed 02-25 180 + 150 → 16:00.
    expect(iso(addWorkingMinutes(noMakeUp, at('2026-02-13T16:00:00+08:00'), 900))).toBe(
      '2026-02-25T08:00:00.000Z',
    );
  });

  it('measures working minutes between two instants, across a year end', () => {
    expect(workingMinutesBetween(cal, at('2026-03-10T11:00:00+08:00'), at('2026-03-10T14:30:00+08:00'))).toBe(
      120,
    );
    // Thu 2026-12-31 17:00 → Mon 2027-01-04 09:30: 60 on Thursday, Jan 1 (元旦) closed, 30 on Monday.
    expect(workingMinutesBetween(cal, at('2026-12-31T17:00:00+08:00'), at('2027-01-04T09:30:00+08:00'))).toBe(
      90,
    );
    expect(iso(addWorkingMinutes(cal, at('2026-12-31T17:00:00+08:00'), 90))).toBe('2027-01-04T01:30:00.000Z');
  });

  it('open at a period start, closed at its end', () => {
    expect(isOpen(cal, at('2026-03-10T09:00:00+08:00'))).toBe(true);
    expect(isOpen(cal, at('2026-03-10T12:00:00+08:00'))).toBe(false);
    expect(iso(nextOpening(cal, at('2026-03-10T12:00:00+08:00')))).toBe('2026-03-10T05:30:00.000Z');
  });

  it('uses given periods on a make-up day when they are set', () => {
    const custom = compileCalendar({
      ...mainland,
      id: 'short-makeup',
      overrides: [
        {
          date: '2026-02-14',
          kind: 'workday',
          name: '调休',
          periods: [{ start: '10:00', end: '12:00' }],
          provisional: false,
        },
      ],
    });
    expect(
      workingMinutesBetween(custom, at('2026-02-14T00:00:00+08:00'), at('2026-02-15T00:00:00+08:00')),
    ).toBe(120);
  });

  it('follows wall-clock hours across a DST change (America/New_York, 2026-03-08)', () => {
    const ny = compileCalendar({
      id: 'ny',
      version: 1,
      timeZone: 'America/New_York',
      weeklyHours: { ...STANDARD_WEEKLY_HOURS, sun: [{ start: '00:00', end: '24:00' }] },
      overrides: [],
    });
    // Sunday 2026-03-08 has 23 hours: clocks jump from 02:00 to 03:00.
    expect(workingMinutesBetween(ny, at('2026-03-08T05:00:00Z'), at('2026-03-09T04:00:00Z'))).toBe(23 * 60);
    // Monday 09:00 EDT is 13:00 UTC (it was 14:00 UTC the Monday before).
    expect(iso(nextOpening(ny, at('2026-03-09T04:00:00Z')))).toBe('2026-03-09T13:00:00.000Z');
    expect(iso(nextOpening(ny, at('2026-03-02T06:00:00Z')))).toBe('2026-03-02T14:00:00.000Z');
  });

  it('is fast: well over 100,000 due times a second once compiled', () => {
    const start = at('2026-01-05T08:00:00+08:00');
    addWorkingMinutes(cal, start, 1);
    const t0 = performance.now();
    let sink = 0;
    for (let i = 0; i < 100_000; i++)
      sink += addWorkingMinutes(cal, start + (i % 5000) * 3_600_000, 60 + (i % 900));
    const seconds = (performance.now() - t0) / 1000;
    expect(sink).toBeGreaterThan(0);
    expect(100_000 / seconds).toBeGreaterThan(100_000);
  });
});
