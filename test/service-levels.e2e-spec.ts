import { PLATFORM_ORG_ID } from '../src/modules/access/platform-org';
import { provisionServiceLevels } from '../src/modules/service-levels/provisioning';
import { SlaClock } from '../src/modules/service-levels/sla-clock';
import { SlaPolicyResolver } from '../src/modules/service-levels/sla-policy-resolver';
import { makeUser, TestUser } from './support/factories';
import { createOrg } from './support/org-helpers';
import { FixtureOrg, insertMember, insertOrg, PLATFORM_ORG } from './support/org-fixtures';
import { createTestApp, TestApp } from './support/test-app';

/**
 * Service calendars and SLA policies over HTTP. Every expected due time below is worked out by hand on
 * the standard hours (09:00–12:00, 13:30–18:00 Monday to Friday, Asia/Shanghai) and the State Council's
 * 2026 arrangements: 春节 Feb 15–23 closed, Sat Feb 14 and Sat Feb 28 make-up working days; 国庆 Oct 1–7.
 */
describe('service levels', () => {
  let t: TestApp;
  let orgA: FixtureOrg;
  let orgB: FixtureOrg;
  let ownerA: TestUser;
  let agentA: TestUser;
  let ownerB: TestUser;
  let staff: TestUser;
  let calendarA: string;

  const api = (path: string) => `/api/v1${path}`;
  const problem = (
    res: {
      status: number;
      headers: Record<string, string>;
      body: { code: string; errors?: { field: string }[] };
    },
    status: number,
    code: string,
    field?: string,
  ) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe(code);
    if (field) expect(res.body.errors?.map((e) => e.field)).toContain(field);
  };
  const dueTime = (user: TestUser, body: Record<string, unknown>, org = orgA.id, calendar = calendarA) =>
    t
      .http()
      .post(api(`/orgs/${org}/service-calendars/${calendar}/due-time`))
      .set(user.auth)
      .send(body);
  const week = (periods: { start: string; end: string }[]) => ({
    mon: periods,
    tue: periods,
    wed: periods,
    thu: periods,
    fri: periods,
    sat: [],
    sun: [],
  });

  beforeAll(async () => {
    t = await createTestApp();
    orgA = await insertOrg(t, { kind: 'agency', name: 'Agency A' });
    orgB = await insertOrg(t, { kind: 'brand', name: 'Brand B' });
    [ownerA, agentA, ownerB, staff] = await Promise.all(Array.from({ length: 4 }, () => makeUser(t)));
    await insertMember(t, orgA, ownerA.id, { grants: [{ role: 'owner' }] });
    await insertMember(t, orgA, agentA.id, { grants: [{ role: 'service_agent' }] });
    await insertMember(t, orgB, ownerB.id, { grants: [{ role: 'owner' }] });
    await insertMember(t, PLATFORM_ORG, staff.id, { grants: [{ role: 'admin' }] });
    const created = await t
      .http()
      .post(api(`/orgs/${orgA.id}/service-calendars`))
      .set(ownerA.auth)
      .send({ name: 'Support desk', copyFrom: 'platform' })
      .expect(201);
    calendarA = created.body.id;
  });
  afterAll(() => t.close());

  describe('the platform calendar', () => {
    it('holds the mainland arrangements, 2027 marked provisional', async () => {
      const res = await t
        .http()
        .get(api(`/orgs/${PLATFORM_ORG_ID}/service-calendars`))
        .set(staff.auth)
        .expect(200);
      const platform = res.body.items.find((c: { isDefault: boolean }) => c.isDefault);
      expect(platform.timeZone).toBe('Asia/Shanghai');
      expect(platform.workingDayMinutes).toBe(450);
      const byDate = new Map(platform.overrides.map((o: { date: string }) => [o.date, o]));
      expect(byDate.get('2026-02-14')).toMatchObject({ kind: 'workday', periods: null, provisional: false });
      expect(byDate.get('2026-02-23')).toMatchObject({ kind: 'holiday', name: '春节', provisional: false });
      expect(byDate.get('2025-10-11')).toMatchObject({ kind: 'workday' });
      expect(byDate.get('2027-02-05')).toMatchObject({ kind: 'holiday', name: '春节', provisional: true });
      expect(byDate.get('2027-02-09')).toBeUndefined();
      // 2025: 1+8+3+5+3+8 holidays, 5 make-up days; 2026: 3+9+3+5+3+3+7, 6; 2027: 1+4+1+2+1+1+3, none.
      expect(platform.overrides.filter((o: { kind: string }) => o.kind === 'holiday')).toHaveLength(
        28 + 33 + 13,
      );
      expect(platform.overrides.filter((o: { kind: string }) => o.kind === 'workday')).toHaveLength(5 + 6);
      expect(platform.overrides.filter((o: { provisional: boolean }) => o.provisional)).toHaveLength(13);
    });

    it('platform staff edit it through the same API; a copy starts from it', async () => {
      const list = await t
        .http()
        .get(api(`/orgs/${PLATFORM_ORG_ID}/service-calendars`))
        .set(staff.auth);
      const platform = list.body.items.find((c: { isDefault: boolean }) => c.isDefault);
      const read = await t
        .http()
        .get(api(`/orgs/${PLATFORM_ORG_ID}/service-calendars/${platform.id}`))
        .set(staff.auth)
        .expect(200);
      const updated = await t
        .http()
        .patch(api(`/orgs/${PLATFORM_ORG_ID}/service-calendars/${platform.id}`))
        .set(staff.auth)
        .set('If-Match', read.headers.etag)
        .send({ name: 'Mainland China (edited)' })
        .expect(200);
      expect(updated.headers.etag).not.toBe(read.headers.etag);
      const stale = await t
        .http()
        .patch(api(`/orgs/${PLATFORM_ORG_ID}/service-calendars/${platform.id}`))
        .set(staff.auth)
        .set('If-Match', read.headers.etag)
        .send({ name: 'again' });
      problem(stale, 412, 'precondition_failed');
      // A tenant cannot reach the platform organization's calendars.
      await t
        .http()
        .get(api(`/orgs/${PLATFORM_ORG_ID}/service-calendars`))
        .set(ownerA.auth)
        .expect(404);

      const copy = await t
        .http()
        .get(api(`/orgs/${orgA.id}/service-calendars/${calendarA}`))
        .set(ownerA.auth);
      expect(copy.body).toMatchObject({
        isDefault: true,
        copiedFrom: platform.id,
        timeZone: 'Asia/Shanghai',
      });
      expect(copy.body.overrides).toEqual(read.body.overrides);
    });

    it('a new organization gets a default calendar and the guide policies', async () => {
      const founder = await makeUser(t);
      const org = await createOrg(t, founder, 'brand');
      const calendars = await t
        .http()
        .get(api(`/orgs/${org.id}/service-calendars`))
        .set(founder.auth)
        .expect(200);
      expect(calendars.body.items).toHaveLength(1);
      expect(calendars.body.items[0]).toMatchObject({ isDefault: true, workingDayMinutes: 450 });
      const policies = await t
        .http()
        .get(api(`/orgs/${org.id}/sla-policies`))
        .set(founder.auth)
        .expect(200);
      expect(policies.body.items).toMatchObject([
        {
          position: 1,
          seedKey: 'guide:consultation',
          conditions: { ticketTypes: ['consultation'], priorities: [], customerTiers: [], channels: [] },
          firstResponse: { minutes: 1440, mode: 'wall_clock' },
          resolution: null,
          calendarId: null,
        },
        {
          position: 2,
          seedKey: 'guide:complaint',
          conditions: { ticketTypes: ['complaint'] },
          firstResponse: null,
          // 2 working days of 450 minutes (09:00–12:00 and 13:30–18:00).
          resolution: { minutes: 900, mode: 'working' },
        },
      ]);
    });
  });

  describe('due times over HTTP', () => {
    it('skips the lunch break', async () => {
      const res = await dueTime(agentA, { from: '2026-03-10T11:00:00+08:00', minutes: 120, mode: 'working' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        dueAt: '2026-03-10T06:30:00.000Z',
        openAtFrom: true,
        nextOpeningAt: '2026-03-10T03:00:00.000Z',
      });
    });

    it('skips a weekend', async () => {
      const res = await dueTime(agentA, { from: '2026-03-13T17:00:00+08:00', minutes: 120, mode: 'working' });
      expect(res.body.dueAt).toBe('2026-03-16T02:00:00.000Z');
    });

    it('skips a public holiday (国庆 Oct 1–7)', async () => {
      // Wed Sep 30 17:00–18:00 is 60, then Thu Oct 8 09:00 + 60.
      const res = await dueTime(agentA, { from: '2026-09-30T17:00:00+08:00', minutes: 120, mode: 'working' });
      expect(res.body.dueAt).toBe('2026-10-08T02:00:00.000Z');
    });

    it('works on make-up Saturdays (调休): the complaint of Friday 2026-02-13 16:00', async () => {
      // Fri 120 + Sat 02-14 450 + Tue 02-24 180 + 150 = 900: Tue 16:00 local.
      const res = await dueTime(agentA, { from: '2026-02-13T16:00:00+08:00', minutes: 900, mode: 'working' });
      expect(res.body.dueAt).toBe('2026-02-24T08:00:00.000Z');
      // Fri 02-27 17:00: 60 that day, the other 60 on make-up Saturday 02-28 from 09:00.
      const saturday = await dueTime(agentA, {
        from: '2026-02-27T17:00:00+08:00',
        minutes: 120,
        mode: 'working',
      });
      expect(saturday.body.dueAt).toBe('2026-02-28T02:00:00.000Z');
      const closed = await dueTime(agentA, {
        from: '2026-02-16T10:00:00+08:00',
        minutes: 0,
        mode: 'working',
      });
      expect(closed.body).toMatchObject({ openAtFrom: false, nextOpeningAt: '2026-02-24T01:00:00.000Z' });
    });

    it('wall-clock minutes ignore the calendar', async () => {
      const res = await dueTime(agentA, {
        from: '2026-02-13T16:00:00+08:00',
        minutes: 1440,
        mode: 'wall_clock',
      });
      expect(res.body.dueAt).toBe('2026-02-14T08:00:00.000Z');
    });

    it('pauses stop the clock and resuming restarts it', async () => {
      const from = '2026-03-10T09:00:00+08:00';
      // 60 minutes run before the pause at 10:00; the other 60 from the resume at 14:00.
      const resumed = await dueTime(agentA, {
        from,
        minutes: 120,
        mode: 'working',
        pauses: [{ pausedAt: '2026-03-10T10:00:00+08:00', resumedAt: '2026-03-10T14:00:00+08:00' }],
      });
      expect(resumed.body.dueAt).toBe('2026-03-10T07:00:00.000Z');
      const paused = await dueTime(agentA, {
        from,
        minutes: 120,
        mode: 'working',
        pauses: [{ pausedAt: '2026-03-10T10:00:00+08:00', resumedAt: null }],
      });
      expect(paused.body.dueAt).toBeNull();
      // Wall clock: a 4-hour pause moves a 24-hour target by 4 hours.
      const wall = await dueTime(agentA, {
        from,
        minutes: 1440,
        mode: 'wall_clock',
        pauses: [{ pausedAt: '2026-03-10T10:00:00+08:00', resumedAt: '2026-03-10T14:00:00+08:00' }],
      });
      expect(wall.body.dueAt).toBe('2026-03-11T05:00:00.000Z');
    });

    it('refuses bad input', async () => {
      problem(
        await dueTime(agentA, { from: '2026-03-10', minutes: 10, mode: 'working' }),
        400,
        'validation_failed',
        'from',
      );
      problem(
        await dueTime(agentA, { from: '2026-03-10T09:00:00Z', minutes: -1, mode: 'working' }),
        400,
        'validation_failed',
        'minutes',
      );
      problem(
        await dueTime(agentA, {
          from: '2026-03-10T09:00:00Z',
          minutes: 1,
          mode: 'working',
          pauses: [{ pausedAt: '2026-03-10T10:00:00Z', resumedAt: '2026-03-10T09:00:00Z' }],
        }),
        400,
        'validation_failed',
        'pauses.0.resumedAt',
      );
    });
  });

  describe('calendar rules', () => {
    const create = (body: Record<string, unknown>) =>
      t
        .http()
        .post(api(`/orgs/${orgA.id}/service-calendars`))
        .set(ownerA.auth)
        .send(body);

    it('a period that ends before it starts is 400 naming it', async () => {
      const res = await create({ name: 'bad', weeklyHours: week([{ start: '18:00', end: '09:00' }]) });
      problem(res, 400, 'validation_failed', 'weeklyHours.mon.0.end');
    });

    it('overlapping periods are 400 naming the later one', async () => {
      const res = await create({
        name: 'bad',
        weeklyHours: week([
          { start: '09:00', end: '12:00' },
          { start: '11:00', end: '18:00' },
        ]),
      });
      problem(res, 400, 'validation_failed', 'weeklyHours.tue.1');
    });

    it('an invalid date, a bad time zone, a holiday with hours are 400', async () => {
      const hours = week([{ start: '09:00', end: '17:00' }]);
      problem(
        await create({
          name: 'bad',
          weeklyHours: hours,
          overrides: [{ date: '2026-02-30', kind: 'holiday', name: 'x' }],
        }),
        400,
        'validation_failed',
        'overrides.0.date',
      );
      problem(
        await create({ name: 'bad', weeklyHours: hours, timeZone: 'Mars/Olympus' }),
        400,
        'validation_failed',
        'timeZone',
      );
      problem(
        await create({
          name: 'bad',
          weeklyHours: hours,
          overrides: [
            { date: '2026-05-01', kind: 'holiday', name: 'x', periods: [{ start: '09:00', end: '10:00' }] },
          ],
        }),
        400,
        'validation_failed',
        'overrides.0.periods',
      );
      problem(await create({ name: 'bad' }), 400, 'validation_failed', 'weeklyHours');
      problem(await create({ name: 'bad', weeklyHours: hours, color: 'red' }), 400, 'validation_failed');
      const stored = await t.db.query(`SELECT count(*)::int AS n FROM service_calendars WHERE org_id = $1`, [
        orgA.id,
      ]);
      expect(stored[0].n).toBe(1);
    });

    it('a custom calendar with its own make-up hours, in another zone, made the default', async () => {
      const res = await create({
        name: 'Evening desk',
        timeZone: 'Europe/Berlin',
        weeklyHours: week([{ start: '13:00', end: '21:00' }]),
        overrides: [
          {
            date: '2026-03-14',
            kind: 'workday',
            name: 'Saturday shift',
            periods: [{ start: '10:00', end: '12:00' }],
          },
        ],
        isDefault: true,
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ isDefault: true, workingDayMinutes: 480, copiedFrom: null });
      // Fri 2026-03-13 20:00 CET + 120: 60 on Friday, 60 on the Saturday shift from 10:00 CET (09:00Z).
      const due = await dueTime(
        agentA,
        { from: '2026-03-13T19:00:00Z', minutes: 120, mode: 'working' },
        orgA.id,
        res.body.id,
      );
      expect(due.body.dueAt).toBe('2026-03-14T10:00:00.000Z');
      const previous = await t
        .http()
        .get(api(`/orgs/${orgA.id}/service-calendars/${calendarA}`))
        .set(ownerA.auth);
      expect(previous.body.isDefault).toBe(false);
      // The default cannot be deleted; an unused calendar can.
      problem(
        await t
          .http()
          .delete(api(`/orgs/${orgA.id}/service-calendars/${res.body.id}`))
          .set(ownerA.auth),
        409,
        'reference_in_use',
      );
      await t
        .http()
        .patch(api(`/orgs/${orgA.id}/service-calendars/${calendarA}`))
        .set(ownerA.auth)
        .send({ isDefault: true })
        .expect(200);
      await t
        .http()
        .delete(api(`/orgs/${orgA.id}/service-calendars/${res.body.id}`))
        .set(ownerA.auth)
        .expect(204);
    });
  });

  describe('SLA policies', () => {
    const create = (body: Record<string, unknown>, user = ownerA) =>
      t
        .http()
        .post(api(`/orgs/${orgA.id}/sla-policies`))
        .set(user.auth)
        .send(body);

    it('creates, orders, edits with ETag and resolves the first match', async () => {
      const vip = await create({
        name: 'VIP complaints',
        conditions: { ticketTypes: ['complaint'], customerTiers: ['VIP'] },
        firstResponse: { minutes: 30, mode: 'working' },
        resolution: { minutes: 450, mode: 'working' },
        calendarId: calendarA,
        warnBeforeMinutes: 15,
      });
      expect(vip.status).toBe(201);
      expect(vip.body).toMatchObject({
        position: 1,
        conditions: { customerTiers: ['vip'] },
        calendarId: calendarA,
      });
      const any = await create({
        name: 'Everything else',
        resolution: { minutes: 2880, mode: 'wall_clock' },
      });
      expect(any.body.position).toBe(2);

      const resolver = t.get(SlaPolicyResolver);
      const facts = { type: 'complaint', priority: 'high', tier: 'vip', channel: 'wechat' } as const;
      const first = await resolver.resolve(orgA.id, facts);
      expect(first?.policy.id).toBe(vip.body.id);
      expect(first?.calendar?.id).toBe(calendarA);
      expect((await resolver.resolve(orgA.id, { ...facts, tier: null }))?.policy.id).toBe(any.body.id);

      const reordered = await t
        .http()
        .post(api(`/orgs/${orgA.id}/sla-policies/reorder`))
        .set(ownerA.auth)
        .send({ policyIds: [any.body.id, vip.body.id] })
        .expect(200);
      expect(reordered.body.items.map((p: { id: string }) => p.id)).toEqual([any.body.id, vip.body.id]);
      expect((await resolver.resolve(orgA.id, facts))?.policy.id).toBe(any.body.id);
      problem(
        await t
          .http()
          .post(api(`/orgs/${orgA.id}/sla-policies/reorder`))
          .set(ownerA.auth)
          .send({ policyIds: [vip.body.id] }),
        400,
        'validation_failed',
        'policyIds',
      );

      const read = await t
        .http()
        .get(api(`/orgs/${orgA.id}/sla-policies/${vip.body.id}`))
        .set(agentA.auth)
        .expect(200);
      const edited = await t
        .http()
        .patch(api(`/orgs/${orgA.id}/sla-policies/${vip.body.id}`))
        .set(ownerA.auth)
        .set('If-Match', read.headers.etag)
        .send({ firstResponse: null, warnBeforeMinutes: null })
        .expect(200);
      expect(edited.body).toMatchObject({
        firstResponse: null,
        resolution: { minutes: 450 },
        warnBeforeMinutes: null,
      });
      problem(
        await t
          .http()
          .patch(api(`/orgs/${orgA.id}/sla-policies/${vip.body.id}`))
          .set(ownerA.auth)
          .set('If-Match', read.headers.etag)
          .send({ name: 'stale' }),
        412,
        'precondition_failed',
      );
      // A calendar a policy names cannot be deleted.
      const extra = await t
        .http()
        .post(api(`/orgs/${orgA.id}/service-calendars`))
        .set(ownerA.auth)
        .send({ name: 'Extra', copyFrom: 'platform' })
        .expect(201);
      await t
        .http()
        .patch(api(`/orgs/${orgA.id}/sla-policies/${any.body.id}`))
        .set(ownerA.auth)
        .send({ calendarId: extra.body.id })
        .expect(200);
      problem(
        await t
          .http()
          .delete(api(`/orgs/${orgA.id}/service-calendars/${extra.body.id}`))
          .set(ownerA.auth),
        409,
        'reference_in_use',
      );
      await t
        .http()
        .delete(api(`/orgs/${orgA.id}/sla-policies/${any.body.id}`))
        .set(ownerA.auth)
        .expect(204);
      await t
        .http()
        .delete(api(`/orgs/${orgA.id}/service-calendars/${extra.body.id}`))
        .set(ownerA.auth)
        .expect(204);
    });

    it('a priority change re-resolves the policy and recomputes from the original start', async () => {
      const post = (body: Record<string, unknown>) =>
        t
          .http()
          .post(api(`/orgs/${orgB.id}/sla-policies`))
          .set(ownerB.auth)
          .send(body)
          .expect(201);
      await t
        .http()
        .post(api(`/orgs/${orgB.id}/service-calendars`))
        .set(ownerB.auth)
        .send({ name: 'B desk', copyFrom: 'platform' })
        .expect(201);
      const urgent = await post({
        name: 'Urgent complaints',
        conditions: { ticketTypes: ['complaint'], priorities: ['urgent'] },
        resolution: { minutes: 120, mode: 'working' },
      });
      const complaints = await post({
        name: 'Complaints',
        conditions: { ticketTypes: ['complaint'] },
        resolution: { minutes: 900, mode: 'working' },
      });
      const resolver = t.get(SlaPolicyResolver);
      const startedAt = Date.parse('2026-02-13T16:00:00+08:00');
      const facts = { type: 'complaint', priority: 'normal', tier: null, channel: 'phone' } as const;
      const input = { startedAt, pauses: [], awaitingReplySince: null, at: startedAt };

      const normal = (await resolver.resolve(orgB.id, facts))!;
      expect(normal.policy.id).toBe(complaints.body.id);
      const before = SlaClock.computeSla(normal.targets, normal.calendar, input);
      // 120 on Friday + 450 on make-up Saturday 02-14 + 330 on Tuesday 02-24 (春节 in between).
      expect(new Date(before.resolutionDueAt!).toISOString()).toBe('2026-02-24T08:00:00.000Z');

      const raised = (await resolver.resolve(orgB.id, { ...facts, priority: 'urgent' }))!;
      expect(raised.policy.id).toBe(urgent.body.id);
      const after = SlaClock.computeSla(raised.targets, raised.calendar, input);
      // From the same Friday 16:00: 120 working minutes end at closing, 18:00.
      expect(new Date(after.resolutionDueAt!).toISOString()).toBe('2026-02-13T10:00:00.000Z');
      await expect(resolver.resolve(orgB.id, { ...facts, type: 'consultation' })).resolves.toBeNull();
    });

    it('a zero target, no target, an unknown value are 400', async () => {
      problem(
        await create({ name: 'z', resolution: { minutes: 0, mode: 'working' } }),
        400,
        'validation_failed',
        'resolution.minutes',
      );
      problem(
        await create({ name: 'z', firstResponse: { minutes: -5, mode: 'wall_clock' } }),
        400,
        'validation_failed',
        'firstResponse.minutes',
      );
      problem(await create({ name: 'z' }), 400, 'validation_failed', 'resolution');
      problem(
        await create({
          name: 'z',
          conditions: { channels: ['fax'] },
          resolution: { minutes: 5, mode: 'working' },
        }),
        400,
        'validation_failed',
        'conditions.channels',
      );
      problem(
        await create({ name: 'z', resolution: { minutes: 5, mode: 'hours' } }),
        400,
        'validation_failed',
        'resolution.mode',
      );
    });

    it("another organization's calendar is not a reference (422)", async () => {
      const other = await t
        .http()
        .post(api(`/orgs/${orgB.id}/service-calendars`))
        .set(ownerB.auth)
        .send({ name: 'B', copyFrom: 'platform' })
        .expect(201);
      problem(
        await create({ name: 'x', resolution: { minutes: 5, mode: 'working' }, calendarId: other.body.id }),
        422,
        'reference_not_found',
        'calendarId',
      );
    });
  });

  describe('access', () => {
    it("another tenant's calendar and policy answer 404", async () => {
      const policies = await t
        .http()
        .get(api(`/orgs/${orgA.id}/sla-policies`))
        .set(ownerA.auth);
      const policyId = policies.body.items[0].id;
      problem(
        await t
          .http()
          .get(api(`/orgs/${orgB.id}/service-calendars/${calendarA}`))
          .set(ownerB.auth),
        404,
        'not_found',
      );
      problem(
        await t
          .http()
          .patch(api(`/orgs/${orgB.id}/service-calendars/${calendarA}`))
          .set(ownerB.auth)
          .send({ name: 'x' }),
        404,
        'not_found',
      );
      problem(
        await t
          .http()
          .post(api(`/orgs/${orgB.id}/service-calendars/${calendarA}/due-time`))
          .set(ownerB.auth)
          .send({ from: '2026-03-10T09:00:00Z', minutes: 1, mode: 'working' }),
        404,
        'not_found',
      );
      problem(
        await t
          .http()
          .get(api(`/orgs/${orgB.id}/sla-policies/${policyId}`))
          .set(ownerB.auth),
        404,
        'not_found',
      );
      problem(
        await t
          .http()
          .delete(api(`/orgs/${orgB.id}/sla-policies/${policyId}`))
          .set(ownerB.auth),
        404,
        'not_found',
      );
      await t
        .http()
        .get(api(`/orgs/${orgA.id}/service-calendars`))
        .set(ownerB.auth)
        .expect(404);
    });

    it('a member without service:manage reads but cannot edit (403)', async () => {
      await t
        .http()
        .get(api(`/orgs/${orgA.id}/service-calendars`))
        .set(agentA.auth)
        .expect(200);
      await t
        .http()
        .get(api(`/orgs/${orgA.id}/sla-policies`))
        .set(agentA.auth)
        .expect(200);
      problem(
        await t
          .http()
          .patch(api(`/orgs/${orgA.id}/service-calendars/${calendarA}`))
          .set(agentA.auth)
          .send({ name: 'x' }),
        403,
        'permission_denied',
      );
      problem(
        await t
          .http()
          .post(api(`/orgs/${orgA.id}/sla-policies`))
          .set(agentA.auth)
          .send({ name: 'x', resolution: { minutes: 5, mode: 'working' } }),
        403,
        'permission_denied',
      );
      problem(
        await t
          .http()
          .post(api(`/orgs/${orgA.id}/service-calendars`))
          .set(agentA.auth)
          .send({ name: 'x', copyFrom: 'platform' }),
        403,
        'permission_denied',
      );
      const [{ name }] = await t.db.query(`SELECT name FROM service_calendars WHERE id = $1`, [calendarA]);
      expect(name).toBe('Support desk');
    });

    it('service:manage limited to a unit does not reach organization-wide settings (403)', async () => {
      const lead = await makeUser(t);
      await insertMember(t, orgA, lead.id, {
        grants: [
          { permission: 'service:manage', scope: 'subtree' },
          { permission: 'tickets:read', scope: 'subtree' },
        ],
      });
      problem(
        await t
          .http()
          .patch(api(`/orgs/${orgA.id}/service-calendars/${calendarA}`))
          .set(lead.auth)
          .send({ name: 'x' }),
        403,
        'permission_denied',
      );
    });
  });

  describe('provisioning', () => {
    it('organizations that existed before get the same from the migration, once', async () => {
      const existing = await insertOrg(t, { kind: 'agency', name: 'Existing' });
      // The migration's own step, run twice: the second run finds the work done.
      await provisionServiceLevels(t.db, null);
      await provisionServiceLevels(t.db, null);
      const calendars = await t.db.query(
        `SELECT is_default, jsonb_array_length(overrides) AS n FROM service_calendars WHERE org_id = $1`,
        [existing.id],
      );
      expect(calendars).toEqual([{ is_default: true, n: 28 + 33 + 13 + 5 + 6 }]);
      const policies = await t.db.query(
        `SELECT seed_key, position FROM sla_policies WHERE org_id = $1 ORDER BY position`,
        [existing.id],
      );
      expect(policies).toEqual([
        { seed_key: 'guide:consultation', position: 1 },
        { seed_key: 'guide:complaint', position: 2 },
      ]);
    });
  });
});
