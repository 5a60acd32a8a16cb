import { parse } from 'csv-parse/sync';
import { XMLValidator } from 'fast-xml-parser';
import { provisionServiceLevels } from '../src/modules/service-levels/provisioning';
import { SlaBreachSweep } from '../src/modules/ticket-slas/sla-breach-sweep';
import { makeUser, TestUser } from './support/factories';
import { FixtureOrg, insertMember, insertOrg, insertUnit } from './support/org-fixtures';
import { createTestApp, TestApp } from './support/test-app';

/** A local time in Asia/Shanghai (UTC+8, no daylight saving). */
const at = (local: string) => new Date(`${local}+08:00`);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * The mainland calendar of the test period (2026-03-05 … 2026-03-17 has no holiday or make-up day):
 * Monday to Friday 09:00–12:00 and 13:30–18:00 local. Counted minute by minute, independently of the
 * product's interval arithmetic; `pauses` are excluded.
 */
function workingMinutes(from: Date, to: Date, pauses: [Date, Date][] = []): number {
  let n = 0;
  for (let m = from.getTime(); m < to.getTime(); m += MINUTE) {
    if (pauses.some(([p, r]) => m >= p.getTime() && m < r.getTime())) continue;
    const local = new Date(m + 8 * HOUR);
    const day = local.getUTCDay();
    const minuteOfDay = local.getUTCHours() * 60 + local.getUTCMinutes();
    const open = (minuteOfDay >= 540 && minuteOfDay < 720) || (minuteOfDay >= 810 && minuteOfDay < 1080);
    if (day >= 1 && day <= 5 && open) n++;
  }
  return n;
}

/** The nearest-rank quantile, written out again here: the smallest value with at least q of all at or below. */
function quantile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(q * sorted.length) - 1];
}

const figures = (items: { working: number; wall: number }[]) => ({
  count: items.length,
  workingMinutes: {
    median: quantile(
      items.map((i) => i.working),
      0.5,
    ),
    p90: quantile(
      items.map((i) => i.working),
      0.9,
    ),
  },
  wallClockMinutes: {
    median: quantile(
      items.map((i) => i.wall),
      0.5,
    ),
    p90: quantile(
      items.map((i) => i.wall),
      0.9,
    ),
  },
});

type Team = 'A' | 'B';
interface Script {
  n: number;
  agent: 'a1' | 'a2' | 'b1';
  type: 'consultation' | 'complaint' | 'after_sales';
  channel: string;
  priority: string;
  created: Date;
  /** wait-for-customer, then open again (null: still waiting). */
  pause?: [Date, Date | null];
  reply?: Date;
  escalate?: Date;
  resolve?: Date;
  /** Reopened after the first resolution, then resolved again. */
  reopen?: [Date, Date];
  /** The state at the end of the period, when still open then (hand-written from the story). */
  openAtEnd?: string;
}

/** Period of the reports: Mon 2026-03-09 … Sun 2026-03-15, local days. */
const FROM = '2026-03-09';
const TO = '2026-03-15';
const START = at('2026-03-09T00:00:00');
const END = at('2026-03-16T00:00:00');
/** The breach sweep runs once, on Saturday noon, inside the period. */
const SWEEP = at('2026-03-14T12:00:00');

/**
 * The generated tickets. Guide policies apply: consultations 24 wall-clock hours to a first response,
 * complaints 900 working minutes to resolution; after-sales tickets match no policy (their SLA has no
 * calendar, so working time counts on the organization's default calendar).
 */
const SCRIPTS: Script[] = [
  {
    n: 1,
    agent: 'a1',
    type: 'consultation',
    channel: 'phone',
    priority: 'normal',
    created: at('2026-03-09T09:30:00'),
    reply: at('2026-03-09T10:15:00'),
    resolve: at('2026-03-09T15:00:00'),
  },
  {
    n: 2,
    agent: 'a1',
    type: 'complaint',
    channel: 'web',
    priority: 'high',
    created: at('2026-03-09T17:00:00'),
    pause: [at('2026-03-10T09:30:00'), at('2026-03-10T11:00:00')],
    reply: at('2026-03-10T14:00:00'),
    resolve: at('2026-03-11T16:20:00'),
  },
  {
    // Answered 25.5 hours later: the first response is late (no sweep ran in between).
    n: 3,
    agent: 'a2',
    type: 'consultation',
    channel: 'wechat',
    priority: 'low',
    created: at('2026-03-10T20:00:00'),
    reply: at('2026-03-11T21:30:00'),
    resolve: at('2026-03-12T10:00:00'),
  },
  {
    // Escalated by the agent; resolved after its 900 working minutes (due Thu 03-12 10:00): late.
    n: 4,
    agent: 'a2',
    type: 'complaint',
    channel: 'email',
    priority: 'urgent',
    created: at('2026-03-10T10:00:00'),
    reply: at('2026-03-10T10:30:00'),
    escalate: at('2026-03-11T09:00:00'),
    resolve: at('2026-03-13T17:00:00'),
  },
  {
    n: 5,
    agent: 'b1',
    type: 'after_sales',
    channel: 'douyin_dm',
    priority: 'normal',
    created: at('2026-03-11T11:00:00'),
    reply: at('2026-03-11T13:45:00'),
    resolve: at('2026-03-12T11:00:00'),
  },
  {
    n: 6,
    agent: 'b1',
    type: 'consultation',
    channel: 'phone',
    priority: 'normal',
    created: at('2026-03-12T09:00:00'),
    reply: at('2026-03-12T09:05:00'),
    openAtEnd: 'new',
  },
  {
    // Waiting on the customer since Friday: its resolution clock is stopped, nothing breaches.
    n: 7,
    agent: 'a1',
    type: 'complaint',
    channel: 'phone',
    priority: 'normal',
    created: at('2026-03-13T15:00:00'),
    pause: [at('2026-03-13T16:00:00'), null],
    openAtEnd: 'pending_customer',
  },
  {
    // Opened on Sunday, after the sweep: undecided at the end of the period.
    n: 8,
    agent: 'a2',
    type: 'consultation',
    channel: 'web',
    priority: 'normal',
    created: at('2026-03-15T10:00:00'),
    openAtEnd: 'new',
  },
  {
    // Opened before the period; 900 working minutes run out Mon 03-09 10:00; the sweep breaches and escalates it.
    n: 9,
    agent: 'b1',
    type: 'complaint',
    channel: 'wechat',
    priority: 'high',
    created: at('2026-03-05T10:00:00'),
    openAtEnd: 'escalated',
  },
  {
    // No answer by its due time (Fri 03-13 10:00): breached and escalated by the sweep; resolved after the period.
    n: 10,
    agent: 'a1',
    type: 'consultation',
    channel: 'phone',
    priority: 'normal',
    created: at('2026-03-12T10:00:00'),
    resolve: at('2026-03-17T10:00:00'),
    openAtEnd: 'escalated',
  },
  {
    // The local day before the period (15:30 UTC on 03-08): counted nowhere.
    n: 11,
    agent: 'a2',
    type: 'consultation',
    channel: 'email',
    priority: 'normal',
    created: at('2026-03-08T23:30:00'),
    reply: at('2026-03-08T23:50:00'),
    resolve: at('2026-03-08T23:55:00'),
  },
  {
    // 00:30 local on the first day (16:30 UTC the day before): inside the period.
    n: 12,
    agent: 'a1',
    type: 'consultation',
    channel: 'email',
    priority: 'normal',
    created: at('2026-03-09T00:30:00'),
    reply: at('2026-03-09T09:10:00'),
    openAtEnd: 'new',
  },
  {
    // Resolved, reopened in the afternoon, resolved again: the resolved stretch is a pause.
    n: 14,
    agent: 'a1',
    type: 'complaint',
    channel: 'phone',
    priority: 'normal',
    created: at('2026-03-11T09:00:00'),
    reply: at('2026-03-11T09:30:00'),
    resolve: at('2026-03-11T10:00:00'),
    reopen: [at('2026-03-11T14:00:00'), at('2026-03-12T10:00:00')],
  },
];

const TEAM: Record<Script['agent'], Team> = { a1: 'A', a2: 'A', b1: 'B' };
const inPeriod = (d: Date | undefined): d is Date => !!d && d >= START && d < END;
const localDay = (d: Date) => new Date(d.getTime() + 8 * HOUR).toISOString().slice(0, 10);
const DAYS = [
  '2026-03-09',
  '2026-03-10',
  '2026-03-11',
  '2026-03-12',
  '2026-03-13',
  '2026-03-14',
  '2026-03-15',
];

/** Pauses of a ticket's clock: waiting on the customer, and the resolved stretch before a reopen. */
const pausesOf = (s: Script): [Date, Date][] => {
  const list: [Date, Date][] = [];
  if (s.pause) list.push([s.pause[0], s.pause[1] ?? new Date(8.64e15)]);
  if (s.reopen && s.resolve) list.push([s.resolve, s.reopen[0]]);
  return list;
};
const finalResolve = (s: Script) => (s.reopen ? s.reopen[1] : s.resolve);

describe('service reports', () => {
  let t: TestApp;
  let org: FixtureOrg;
  let other: FixtureOrg;
  let teamA: string;
  let teamB: string;
  let headSupervisor: TestUser;
  let supervisorA: TestUser;
  let agents: Record<Script['agent'], TestUser>;
  let otherOwner: TestUser;
  const ids = new Map<number, string>();
  const userOf = new Map<number, string>();

  const report = (user: TestUser, name: string, query: Record<string, string> = {}) =>
    t
      .http()
      .get(`/api/v1/orgs/${org.id}/service-reports/${name}`)
      .query({ from: FROM, to: TO, ...query })
      .set(user.auth);

  beforeAll(async () => {
    t = await createTestApp();
    org = await insertOrg(t, { kind: 'agency', name: 'Service Co' });
    other = await insertOrg(t, { kind: 'agency', name: 'Other Co' });
    await provisionServiceLevels(t.db, org.id);
    await provisionServiceLevels(t.db, other.id);
    teamA = await insertUnit(t, org, org.rootUnitId, 'Team A');
    teamB = await insertUnit(t, org, org.rootUnitId, 'Team B');
    const [head, supA, a1, a2, b1, owner] = await Promise.all(Array.from({ length: 6 }, () => makeUser(t)));
    headSupervisor = head;
    supervisorA = supA;
    otherOwner = owner;
    agents = { a1, a2, b1 };
    await insertMember(t, org, head.id, {
      grants: [{ role: 'service_supervisor', unitId: org.rootUnitId, scope: 'subtree' }],
    });
    await insertMember(t, org, supA.id, {
      unitId: teamA,
      grants: [{ role: 'service_supervisor', unitId: teamA, scope: 'unit' }],
    });
    for (const [user, unit] of [
      [a1, teamA],
      [a2, teamA],
      [b1, teamB],
    ] as const) {
      await insertMember(t, org, user.id, {
        unitId: unit,
        grants: [{ role: 'service_agent', unitId: unit, scope: 'unit' }],
      });
    }
    await insertMember(t, other, owner.id, { grants: [{ role: 'owner' }] });

    // Every step of every ticket, run in time order on the manual clock, with the sweep among them.
    const steps: { when: Date; run: () => Promise<void> }[] = [];
    const post = async (user: TestUser, path: string, body: object, status: number) => {
      const res = await t.http().post(`/api/v1/orgs/${org.id}${path}`).set(user.auth).send(body);
      expect({ path, status: res.status, body: res.body }).toMatchObject({ status });
      return res.body;
    };
    for (const s of SCRIPTS) {
      const user = agents[s.agent];
      const id = () => ids.get(s.n)!;
      steps.push({
        when: s.created,
        run: async () => {
          const body = await post(
            user,
            '/tickets',
            {
              type: s.type,
              ...(s.type === 'after_sales' ? { afterSalesKind: 'repair' } : {}),
              channel: s.channel,
              priority: s.priority,
              subject: `Ticket ${s.n}`,
              contact: { name: `Customer ${s.n}`, phone: `1380000${String(s.n).padStart(4, '0')}` },
            },
            201,
          );
          ids.set(s.n, body.id);
          userOf.set(s.n, user.id);
          await post(user, `/tickets/${body.id}/claim`, {}, 200);
          await post(user, `/tickets/${body.id}/identity-check`, { method: 'phone_verification' }, 200);
        },
      });
      if (s.pause) {
        steps.push({
          when: s.pause[0],
          run: () => post(user, `/tickets/${id()}/wait-for-customer`, {}, 200),
        });
        const resumed = s.pause[1];
        if (resumed) steps.push({ when: resumed, run: () => post(user, `/tickets/${id()}/open`, {}, 200) });
      }
      if (s.reply) {
        steps.push({
          when: s.reply,
          run: () => post(user, `/tickets/${id()}/messages`, { kind: 'public_reply', body: 'Hello' }, 201),
        });
      }
      if (s.escalate) {
        steps.push({
          when: s.escalate,
          run: () => post(user, `/tickets/${id()}/escalate`, { reason: 'Needs the warehouse' }, 200),
        });
      }
      if (s.resolve)
        steps.push({ when: s.resolve, run: () => post(user, `/tickets/${id()}/resolve`, {}, 200) });
      if (s.reopen) {
        steps.push({ when: s.reopen[0], run: () => post(user, `/tickets/${id()}/reopen`, {}, 200) });
        steps.push({ when: s.reopen[1], run: () => post(user, `/tickets/${id()}/resolve`, {}, 200) });
      }
    }
    // Another tenant's consultation, unanswered: breached by the same sweep, never in our reports.
    steps.push({
      when: at('2026-03-10T09:00:00'),
      run: async () => {
        const res = await t
          .http()
          .post(`/api/v1/orgs/${other.id}/tickets`)
          .set(otherOwner.auth)
          .send({
            type: 'consultation',
            channel: 'phone',
            subject: 'Other',
            contact: { name: 'X', phone: '13900000000' },
          });
        expect(res.status).toBe(201);
      },
    });
    steps.push({
      when: SWEEP,
      run: () =>
        t
          .get(SlaBreachSweep)
          .sweep()
          .then(() => undefined),
    });
    steps.sort((a, b) => a.when.getTime() - b.when.getTime());
    for (const step of steps) {
      t.clock.set(step.when);
      await step.run();
    }
    t.clock.set(at('2026-03-20T09:00:00'));
  });
  afterAll(() => t.close());

  /** What the scripts say a report of `team` (or the whole organization) must count. */
  const visible = (team?: Team) => SCRIPTS.filter((s) => !team || TEAM[s.agent] === team);
  const firstResponses = (team?: Team) =>
    visible(team)
      .filter((s) => inPeriod(s.reply))
      .map((s) => ({
        s,
        working: workingMinutes(s.created, s.reply!, pausesOf(s)),
        wall: (s.reply!.getTime() - s.created.getTime()) / MINUTE,
        day: localDay(s.reply!),
      }));
  const resolutions = (team?: Team) =>
    visible(team)
      .filter((s) => inPeriod(finalResolve(s)))
      .map((s) => ({
        s,
        working: workingMinutes(s.created, finalResolve(s)!, pausesOf(s)),
        wall: (finalResolve(s)!.getTime() - s.created.getTime()) / MINUTE,
        day: localDay(finalResolve(s)!),
      }));

  describe('first response and resolution times', () => {
    it('counts every first reply of the period, in working and wall-clock minutes, per day', async () => {
      const res = await report(headSupervisor, 'first-response').expect(200);
      const expected = firstResponses();
      expect(expected.map((e) => e.s.n).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 12, 14]);
      expect(res.body).toMatchObject({
        from: FROM,
        to: TO,
        timeZone: 'Asia/Shanghai',
        interval: 'day',
        groupBy: null,
        groups: [],
      });
      expect(res.body.total).toEqual(figures(expected));
      expect(res.body.buckets).toEqual(
        DAYS.map((day) => ({ bucket: day, ...figures(expected.filter((e) => e.day === day)) })),
      );
      // Ticket 12 opened 00:30 local: 520 wall-clock minutes, 10 working minutes (09:00–09:10).
      expect(expected.find((e) => e.s.n === 12)).toMatchObject({ working: 10, wall: 520 });
    });

    it('measures resolution with pauses excluded from working time and included on the wall clock', async () => {
      const res = await report(headSupervisor, 'resolution').expect(200);
      const expected = resolutions();
      expect(expected.map((e) => e.s.n).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 14]);
      expect(res.body.total).toEqual(figures(expected));
      expect(res.body.buckets).toEqual(
        DAYS.map((day) => ({ bucket: day, ...figures(expected.filter((e) => e.day === day)) })),
      );
      // Ticket 14: 60 + 240 (after the reopen) + 60 working minutes; 25 hours on the wall clock.
      expect(expected.find((e) => e.s.n === 14)).toMatchObject({ working: 360, wall: 1500 });
      // Ticket 2 waited on the customer 09:30–11:00: 60 + 30 + 60 + 270 + 180 + 170.
      expect(expected.find((e) => e.s.n === 2)).toMatchObject({ working: 770 });
    });

    it('groups by agent in weekly buckets, and filters by type', async () => {
      const res = await report(headSupervisor, 'resolution', { groupBy: 'agent', interval: 'week' }).expect(
        200,
      );
      const expected = resolutions();
      const keys = [...new Set(expected.map((e) => userOf.get(e.s.n)!))].sort();
      expect(res.body.groups).toEqual(
        keys.map((key) => {
          const mine = expected.filter((e) => userOf.get(e.s.n) === key);
          return { key, total: figures(mine), buckets: [{ bucket: '2026-03-09', ...figures(mine) }] };
        }),
      );
      const complaints = await report(headSupervisor, 'first-response', { type: 'complaint' }).expect(200);
      expect(complaints.body.total).toEqual(
        figures(firstResponses().filter((e) => e.s.type === 'complaint')),
      );
      const byType = await report(headSupervisor, 'first-response', { groupBy: 'type' }).expect(200);
      expect(byType.body.groups.map((g: { key: string }) => g.key)).toEqual([
        'after_sales',
        'complaint',
        'consultation',
      ]);
    });

    it('answers CSV with the same numbers and an SVG chart naming its series', async () => {
      const csv = await report(headSupervisor, 'first-response', { format: 'csv' }).expect(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      const rows: Record<string, string>[] = parse(csv.text, { columns: true });
      const expected = firstResponses();
      expect(rows).toHaveLength(DAYS.length + 1);
      const total = rows.find((r) => r.bucket === 'total')!;
      const f = figures(expected);
      expect(total).toEqual({
        bucket: 'total',
        count: String(f.count),
        workingMedian: String(f.workingMinutes.median),
        workingP90: String(f.workingMinutes.p90),
        wallClockMedian: String(f.wallClockMinutes.median),
        wallClockP90: String(f.wallClockMinutes.p90),
      });
      expect(rows.find((r) => r.bucket === '2026-03-14')).toMatchObject({ count: '0', workingMedian: '' });
      const svg = await report(headSupervisor, 'first-response', { format: 'svg' }).expect(200);
      expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
      const text = svg.text ?? svg.body.toString();
      expect(XMLValidator.validate(text)).toBe(true);
      expect(text).toContain('Median, working (minutes)');
      expect(text).toContain('p90, wall clock (minutes)');
    });
  });

  describe('SLA attainment', () => {
    it('counts met and breached targets per policy, breaches and escalations', async () => {
      const res = await report(headSupervisor, 'sla-attainment').expect(200);
      // Consultations (first response, 24 h): met 1, 6, 12; breached 3 (answered late) and 10 (sweep).
      // Complaints (resolution, 900 working minutes): met 2 (770) and 14 (360); breached 4 (late) and 9 (sweep).
      // The sweep recorded two breaches (9, 10) and escalated both; ticket 4 was escalated by its agent.
      expect(res.body.policies).toEqual([
        {
          policyId: expect.any(String),
          policyName: 'Complaints: reply with the result within 2 working days',
          firstResponse: { met: 0, breached: 0, attainment: null },
          resolution: { met: 2, breached: 2, attainment: 0.5 },
          breaches: 1,
          escalations: { manual: 1, automatic: 1 },
        },
        {
          policyId: expect.any(String),
          policyName: 'Consultations: first response within 24 hours',
          firstResponse: { met: 3, breached: 2, attainment: 0.6 },
          resolution: { met: 0, breached: 0, attainment: null },
          breaches: 1,
          escalations: { manual: 0, automatic: 1 },
        },
      ]);
      expect(res.body.total).toEqual({
        policyId: null,
        policyName: null,
        firstResponse: { met: 3, breached: 2, attainment: 0.6 },
        resolution: { met: 2, breached: 2, attainment: 0.5 },
        breaches: 2,
        escalations: { manual: 1, automatic: 2 },
      });
      const csv = await report(headSupervisor, 'sla-attainment', { format: 'csv' }).expect(200);
      const rows: Record<string, string>[] = parse(csv.text, { columns: true });
      expect(rows.map((r) => [r.policyName, r.firstResponseAttainment, r.resolutionAttainment])).toEqual([
        ['Complaints: reply with the result within 2 working days', '', '0.5'],
        ['Consultations: first response within 24 hours', '0.6', ''],
        ['All policies', '0.6', '0.5'],
      ]);
      const svg = await report(headSupervisor, 'sla-attainment', { format: 'svg' }).expect(200);
      const text = svg.text ?? svg.body.toString();
      expect(XMLValidator.validate(text)).toBe(true);
      expect(text).toContain('First response attainment (ratio)');
    });

    it('a period without decisions answers zeros and null attainment', async () => {
      const res = await report(headSupervisor, 'sla-attainment', {
        from: '2026-02-01',
        to: '2026-02-28',
      }).expect(200);
      expect(res.body.policies).toEqual([]);
      expect(res.body.total.firstResponse).toEqual({ met: 0, breached: 0, attainment: null });
    });
  });

  describe('backlog and volume', () => {
    it('lists the tickets open at the end of the period by the state they were in then and their age', async () => {
      const res = await report(headSupervisor, 'backlog').expect(200);
      const open = SCRIPTS.filter((s) => s.openAtEnd);
      const age = (s: Script) => {
        const d = (END.getTime() - s.created.getTime()) / DAY;
        return d < 1 ? 'lt_1d' : d < 3 ? '1_3d' : d < 7 ? '3_7d' : 'gt_7d';
      };
      expect(res.body.at).toBe(END.toISOString());
      expect(res.body.total).toBe(open.length);
      expect(res.body.byAge).toEqual(
        ['lt_1d', '1_3d', '3_7d', 'gt_7d'].map((a) => ({
          age: a,
          count: open.filter((s) => age(s) === a).length,
        })),
      );
      expect(res.body.byState).toEqual(
        ['new', 'open', 'pending_customer', 'escalated', 'reopened'].map((state) => ({
          state,
          count: open.filter((s) => s.openAtEnd === state).length,
        })),
      );
      // Ticket 10 is resolved now but was escalated at the end of the period (3 days 14 hours old).
      expect(res.body.cells).toContainEqual({ state: 'escalated', age: '3_7d', count: 1 });
      expect(res.body.cells).toContainEqual({ state: 'escalated', age: 'gt_7d', count: 1 });
      const csv = await report(headSupervisor, 'backlog', { format: 'csv' }).expect(200);
      const rows: Record<string, string>[] = parse(csv.text, { columns: true });
      expect(rows.map((r) => Number(r.total))).toEqual(res.body.byAge.map((a: { count: number }) => a.count));
      const svg = await report(headSupervisor, 'backlog', { format: 'svg' }).expect(200);
      const text = svg.text ?? svg.body.toString();
      expect(XMLValidator.validate(text)).toBe(true);
      expect(text).toContain('pending_customer (tickets)');
    });

    it('counts tickets created per local day by type and channel', async () => {
      const res = await report(headSupervisor, 'volume').expect(200);
      const created = SCRIPTS.filter((s) => inPeriod(s.created));
      expect(res.body.total).toBe(created.length);
      const count = <K extends keyof Script>(list: Script[], key: K, values: string[]) =>
        Object.fromEntries(values.map((v) => [v, list.filter((s) => s[key] === v).length]));
      const types = ['consultation', 'complaint', 'after_sales'];
      const channels = ['phone', 'web', 'email', 'douyin_dm', 'wechat', 'api'];
      expect(res.body.byType).toEqual(count(created, 'type', types));
      expect(res.body.byChannel).toEqual(count(created, 'channel', channels));
      expect(res.body.buckets).toEqual(
        DAYS.map((day) => {
          const mine = created.filter((s) => localDay(s.created) === day);
          return {
            bucket: day,
            total: mine.length,
            byType: count(mine, 'type', types),
            byChannel: count(mine, 'channel', channels),
          };
        }),
      );
      const monthly = await report(headSupervisor, 'volume', { interval: 'month', channel: 'phone' }).expect(
        200,
      );
      expect(monthly.body.buckets).toEqual([
        expect.objectContaining({
          bucket: '2026-03',
          total: created.filter((s) => s.channel === 'phone').length,
        }),
      ]);
      const svg = await report(headSupervisor, 'volume', { format: 'svg' }).expect(200);
      const text = svg.text ?? svg.body.toString();
      expect(XMLValidator.validate(text)).toBe(true);
      expect(text).toContain('complaint (tickets)');
    });
  });

  describe('who may read them', () => {
    it('a unit-scoped supervisor counts only the tickets of their unit', async () => {
      const fr = await report(supervisorA, 'first-response').expect(200);
      expect(fr.body.total).toEqual(figures(firstResponses('A')));
      const volume = await report(supervisorA, 'volume').expect(200);
      expect(volume.body.total).toBe(visible('A').filter((s) => inPeriod(s.created)).length);
      const backlog = await report(supervisorA, 'backlog').expect(200);
      expect(backlog.body.total).toBe(visible('A').filter((s) => s.openAtEnd).length);
      // Team A: consultations met 1, 12, breached 3, 10; complaints met 2, 14, breached 4.
      const sla = await report(supervisorA, 'sla-attainment').expect(200);
      expect(sla.body.total).toMatchObject({
        firstResponse: { met: 2, breached: 2, attainment: 0.5 },
        resolution: { met: 2, breached: 1, attainment: 0.6667 },
        breaches: 1,
        escalations: { manual: 1, automatic: 1 },
      });
      // Filtering on another unit's queue finds nothing of it.
      const teamBOnly = await report(supervisorA, 'volume', { unitId: teamB }).expect(200);
      expect(teamBOnly.body.total).toBe(0);
      const teamAOnly = await report(headSupervisor, 'volume', { unitId: teamA }).expect(200);
      expect(teamAOnly.body.total).toBe(volume.body.total);
      const agent = await report(headSupervisor, 'resolution', { agentId: agents.b1.id }).expect(200);
      expect(agent.body.total).toEqual(figures(resolutions().filter((e) => e.s.agent === 'b1')));
    });

    it('an agent without tickets:supervise is 403, another tenant 404', async () => {
      for (const name of ['first-response', 'resolution', 'sla-attainment', 'backlog', 'volume']) {
        const denied = await report(agents.a1, name).expect(403);
        expect(denied.headers['content-type']).toMatch(/application\/problem\+json/);
        await report(otherOwner, name).expect(404);
      }
      // The other tenant's own report holds only its own ticket.
      const own = await t
        .http()
        .get(`/api/v1/orgs/${other.id}/service-reports/volume`)
        .query({ from: FROM, to: TO })
        .set(otherOwner.auth)
        .expect(200);
      expect(own.body.total).toBe(1);
    });
  });

  describe('bad input', () => {
    const fieldsOf = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((e) => e.field);

    it('to before from, a range too long and an unknown groupBy are 400 problems naming the field', async () => {
      const cases: [string, Record<string, string>, string][] = [
        ['first-response', { from: '2026-03-15', to: '2026-03-09' }, 'to'],
        ['backlog', { from: '2025-01-01', to: '2026-03-15' }, 'to'],
        ['resolution', { groupBy: 'customer' }, 'groupBy'],
        ['volume', { interval: 'hour', from: '2026-01-01', to: '2026-03-15' }, 'interval'],
        ['sla-attainment', { from: '2026-02-30' }, 'from'],
        ['volume', { type: 'question' }, 'type'],
        ['first-response', { agentId: 'not-a-uuid' }, 'agentId'],
        ['backlog', { format: 'xlsx' }, 'format'],
      ];
      for (const [name, query, field] of cases) {
        const res = await report(headSupervisor, name, query);
        expect({ name, query, status: res.status }).toEqual({ name, query, status: 400 });
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(res.body.code).toBe('validation_failed');
        expect(fieldsOf(res.body)).toContain(field);
      }
      const unknown = await report(headSupervisor, 'volume', { colour: 'red' });
      expect(unknown.status).toBe(400);
    });
  });
});
