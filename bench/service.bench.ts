import { cpus } from 'node:os';
import { CalendarDefinition, STANDARD_WEEKLY_HOURS } from '../src/modules/service-levels/calendar.types';
import { MAINLAND_HOLIDAYS } from '../src/modules/service-levels/mainland-holidays.data';
import { dueAt, SlaTarget } from '../src/modules/service-levels/sla-clock';
import { CompiledCalendar, compileCalendar } from '../src/modules/service-levels/working-time';
import { measureBreachSweep } from './sla-sweep';
import { runBench } from './support';

/**
 * npm run bench:service: customer-service performance (issue 14), in one process and one thread.
 *
 * Measured now: due-time computations per second across several calendars with holidays and make-up
 * working days (target ≥ 100,000/s), working and wall-clock targets, some with pauses, start instants
 * spread over 2025–2027. Calendars are compiled first (as the app's cache holds them) and the compile
 * time is printed separately.
 *
 * Then the breach sweep (./sla-sweep.ts): 100,000 open tickets, one sweep < 5 s with the statements
 * it sent, and two app instances sweeping at once escalating each past-due ticket exactly once.
 * BENCH_SWEEP=0 skips it (no database needed then).
 */

interface Measurement {
  name: string;
  value: number;
  unit: string;
  target?: string;
  ok?: boolean;
}

const HOUR = 3_600_000;

function calendars(): CalendarDefinition[] {
  const mainland = [...MAINLAND_HOLIDAYS];
  return [
    {
      id: 'mainland',
      version: 1,
      timeZone: 'Asia/Shanghai',
      weeklyHours: STANDARD_WEEKLY_HOURS,
      overrides: mainland,
    },
    {
      id: 'mainland-long-hours',
      version: 1,
      timeZone: 'Asia/Shanghai',
      weeklyHours: {
        ...STANDARD_WEEKLY_HOURS,
        sat: [{ start: '10:00', end: '16:00' }],
        mon: [
          { start: '08:00', end: '12:00' },
          { start: '13:00', end: '17:00' },
          { start: '18:00', end: '22:00' },
        ],
      },
      overrides: mainland.map((o) =>
        o.kind === 'workday' ? { ...o, periods: [{ start: '09:00', end: '15:00' }] } : o,
      ),
    },
    {
      id: 'berlin',
      version: 1,
      timeZone: 'Europe/Berlin',
      weeklyHours: STANDARD_WEEKLY_HOURS,
      overrides: mainland.filter((o) => o.kind === 'holiday'),
    },
    {
      id: 'new-york',
      version: 1,
      timeZone: 'America/New_York',
      weeklyHours: { ...STANDARD_WEEKLY_HOURS, sun: [{ start: '00:00', end: '24:00' }] },
      overrides: mainland,
    },
  ];
}

runBench(async () => {
  console.log(`bench:service  node ${process.version}  ${cpus().length} CPU(s)  ${cpus()[0]?.model ?? ''}`);
  const measurements: Measurement[] = [];

  const definitions = calendars();
  const compileStart = performance.now();
  const compiled: CompiledCalendar[] = definitions.map(compileCalendar);
  // Lay out 2025–2028 so the timed loop measures arithmetic, as a warm cache serves it.
  for (const calendar of compiled) for (let year = 2025; year <= 2028; year++) calendar.chunk(year);
  measurements.push({
    name: `compile ${compiled.length} calendars × 4 years`,
    value: performance.now() - compileStart,
    unit: 'ms',
  });

  const targets: SlaTarget[] = [
    { minutes: 900, mode: 'working' },
    { minutes: 30, mode: 'working' },
    { minutes: 240, mode: 'working' },
    { minutes: 1440, mode: 'wall_clock' },
  ];
  const base = Date.parse('2025-01-01T00:00:00Z');
  const span = 3 * 365 * 24; // hours in 2025–2027
  const count = Number(process.env.BENCH_DUE_TIMES ?? 2_000_000);
  const run = (n: number) => {
    let sink = 0;
    for (let i = 0; i < n; i++) {
      const calendar = compiled[i % compiled.length];
      const target = targets[(i >>> 2) % targets.length];
      const start = base + ((i * 7919) % span) * HOUR + (i % 60) * 60_000;
      // One in eight has a pause of three hours after one hour, as a ticket waiting on the customer.
      const pauses = i % 8 === 0 ? [{ pausedAt: start + HOUR, resumedAt: start + 4 * HOUR }] : [];
      sink += dueAt(target, calendar, start, pauses) ?? 0;
    }
    return sink;
  };
  run(100_000); // warm-up
  const started = performance.now();
  const sink = run(count);
  const seconds = (performance.now() - started) / 1000;
  if (!Number.isFinite(sink)) throw new Error('due times went wrong');
  const perSecond = Math.round(count / seconds);
  measurements.push({
    name: `due times (${compiled.length} calendars, ${count.toLocaleString('en')} computations)`,
    value: perSecond,
    unit: 'computations/s',
    target: '≥ 100,000/s',
    ok: perSecond >= 100_000,
  });

  if (process.env.BENCH_SWEEP !== '0') measurements.push(...(await measureBreachSweep()));

  for (const m of measurements) {
    const verdict = m.ok === undefined ? '' : m.ok ? '  ok' : '  BELOW TARGET';
    console.log(
      `${m.name.padEnd(58)} ${m.value.toLocaleString('en', { maximumFractionDigits: 1 })} ${m.unit}` +
        `${m.target ? `  (target ${m.target})` : ''}${verdict}`,
    );
  }
  console.log(JSON.stringify({ bench: 'service', node: process.version, cpus: cpus().length, measurements }));
  if (measurements.some((m) => m.ok === false)) process.exitCode = 1;
});
