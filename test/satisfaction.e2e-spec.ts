import { createHash } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { XMLValidator } from 'fast-xml-parser';
import { OutboxService } from '../src/platform/notifications/outbox/outbox.service';
import { makeUser, TestUser } from './support/factories';
import { FixtureOrg, insertMember, insertOrg, insertUnit } from './support/org-fixtures';
import { createTestApp, TestApp } from './support/test-app';

const DAY = 86_400_000;
const TOKEN = /\/api\/v1\/public\/surveys\/([A-Za-z0-9_-]{43})/;

/**
 * Satisfaction surveys end to end: a survey on every resolution sent through the sandbox connector,
 * single-use and expiring tokens, bad scores, the low-score follow-up for the unit's supervisors, the
 * members' list in scope, the customer history and the CSAT report against numbers computed here.
 */
describe('satisfaction surveys', () => {
  let t: TestApp;
  let org: FixtureOrg;
  let other: FixtureOrg;
  let teamA: string;
  let teamB: string;
  let supA: TestUser;
  let supOrg: TestUser;
  let manager: TestUser;
  let a1: TestUser;
  let a2: TestUser;
  let b1: TestUser;
  let viewer: TestUser;
  let otherOwner: TestUser;

  const api = (path: string, orgId = org.id) => `/api/v1/orgs/${orgId}${path}`;
  const problem = (
    res: { headers: Record<string, string>; body: { code: string } },
    status: number,
    code: string,
  ) => {
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe(code);
    expect((res as unknown as { status: number }).status).toBe(status);
  };
  const fields = (res: { body: { errors?: { field: string }[] } }) =>
    (res.body.errors ?? []).map((e) => e.field);

  let phones = 0;
  /** Opens a ticket as `agent`, claims it and resolves it; answers the ticket id. */
  const resolvedTicket = async (
    agent: TestUser,
    body: Record<string, unknown> = {},
  ): Promise<{ id: string; customerId: string }> => {
    phones += 1;
    const opened = await t
      .http()
      .post(api('/tickets'))
      .set(agent.auth)
      .send({
        type: 'consultation',
        channel: 'phone',
        subject: 'Where is my parcel?',
        contact: { name: '王芳', phone: `1380013${String(phones).padStart(4, '0')}` },
        ...body,
      })
      .expect(201);
    await t
      .http()
      .post(api(`/tickets/${opened.body.id}/claim`))
      .set(agent.auth)
      .send({})
      .expect(200);
    await t
      .http()
      .post(api(`/tickets/${opened.body.id}/resolve`))
      .set(agent.auth)
      .send({})
      .expect(200);
    return { id: opened.body.id, customerId: opened.body.customerId };
  };
  /** The link the sandbox connector recorded for the ticket's latest survey. */
  const tokenOf = async (ticketId: string): Promise<string> => {
    await t.get(OutboxService).drain();
    const [row] = await t.db.query(
      `SELECT message_body FROM satisfaction_surveys WHERE ticket_id = $1 ORDER BY sent_at DESC, resolution_seq DESC
        LIMIT 1`,
      [ticketId],
    );
    const match = TOKEN.exec(row?.message_body ?? '');
    if (!match) throw new Error(`No survey link recorded for ticket ${ticketId}`);
    return match[1];
  };
  const publicGet = (token: string) => t.http().get(`/api/v1/public/surveys/${token}`);
  const publicPost = (token: string, body: unknown) =>
    t
      .http()
      .post(`/api/v1/public/surveys/${token}`)
      .send(body as object);

  beforeAll(async () => {
    t = await createTestApp();
    org = await insertOrg(t, { kind: 'agency', name: 'Service Co' });
    other = await insertOrg(t, { kind: 'agency', name: 'Other Co' });
    teamA = await insertUnit(t, org, org.rootUnitId, 'Team A');
    teamB = await insertUnit(t, org, org.rootUnitId, 'Team B');
    [supA, supOrg, manager, a1, a2, b1, viewer, otherOwner] = await Promise.all(
      Array.from({ length: 8 }, () => makeUser(t)),
    );
    await insertMember(t, org, supA.id, {
      unitId: teamA,
      grants: [{ role: 'service_supervisor', unitId: teamA, scope: 'subtree' }],
    });
    await insertMember(t, org, supOrg.id, { grants: [{ role: 'service_supervisor', scope: 'org' }] });
    await insertMember(t, org, manager.id, {
      grants: [
        { permission: 'service:manage', scope: 'org' },
        { permission: 'customers:read', scope: 'org' },
      ],
    });
    for (const user of [a1, a2]) {
      await insertMember(t, org, user.id, {
        unitId: teamA,
        grants: [{ role: 'service_agent', unitId: teamA, scope: 'unit' }],
      });
    }
    await insertMember(t, org, b1.id, {
      unitId: teamB,
      grants: [{ role: 'service_agent', unitId: teamB, scope: 'unit' }],
    });
    await insertMember(t, org, viewer.id, { grants: [{ role: 'viewer' }] });
    await insertMember(t, other, otherOwner.id, { grants: [{ role: 'owner' }] });
  });
  afterAll(() => t.close());

  describe('sending and answering', () => {
    it('sends a survey through the sandbox connector when a ticket is resolved, storing only the token hash', async () => {
      const ticket = await resolvedTicket(a1, { subject: 'Broken zipper' });
      const token = await tokenOf(ticket.id);
      const [row] = await t.db.query(
        `SELECT token_hash, connector, recipient, message_subject, message_body, delivered_at
           FROM satisfaction_surveys WHERE ticket_id = $1`,
        [ticket.id],
      );
      expect(Buffer.from(row.token_hash).equals(createHash('sha256').update(token).digest())).toBe(true);
      expect(row).toMatchObject({ connector: 'sandbox', recipient: expect.stringMatching(/^1380013/) });
      expect(row.message_subject).toContain('Broken zipper');
      expect(row.message_body).toContain('Broken zipper');
      expect(row.delivered_at).not.toBeNull();

      const survey = await t
        .http()
        .get(api(`/tickets/${ticket.id}/survey`))
        .set(a1.auth)
        .expect(200);
      expect(survey.body).toMatchObject({
        ticketId: ticket.id,
        unitId: teamA,
        agentId: a1.id,
        ticketType: 'consultation',
        channel: 'phone',
        customerId: ticket.customerId,
        status: 'pending',
        npsMode: 'optional',
        csat: null,
        answeredAt: null,
        delivery: { status: 'sent', connector: 'sandbox', recipient: row.recipient },
        followUp: null,
      });
      expect(new Date(survey.body.expiresAt).getTime() - new Date(survey.body.sentAt).getTime()).toBe(
        7 * DAY,
      );

      const asked = await publicGet(token).expect(200);
      expect(asked.body).toEqual({
        ticketSubject: 'Broken zipper',
        organizationName: 'Service Co',
        asksNps: true,
        npsRequired: false,
        commentMaxLength: 2000,
        expiresAt: survey.body.expiresAt,
      });
    });

    it('takes one answer per token: the second is 410 survey_answered', async () => {
      const ticket = await resolvedTicket(a1);
      const token = await tokenOf(ticket.id);
      const first = await publicPost(token, { csat: 4, nps: 9, comment: '  Quick and kind  ' }).expect(200);
      expect(first.body.answeredAt).toBe(t.clock.now().toISOString());
      problem(await publicPost(token, { csat: 5 }), 410, 'survey_answered');
      problem(await publicGet(token), 410, 'survey_answered');

      // Two answers at once: the row lock lets exactly one count.
      const raced = await resolvedTicket(a1);
      const racedToken = await tokenOf(raced.id);
      const answers = await Promise.all(
        [1, 2, 3, 4].map((csat) => publicPost(racedToken, { csat: csat + 1 })),
      );
      expect(answers.map((r) => r.status).sort()).toEqual([200, 410, 410, 410]);
      const [{ n }] = await t.db.query(
        `SELECT count(*)::int AS n FROM satisfaction_surveys WHERE ticket_id = $1 AND answered_at IS NOT NULL`,
        [raced.id],
      );
      expect(n).toBe(1);
      const survey = await t
        .http()
        .get(api(`/tickets/${ticket.id}/survey`))
        .set(a1.auth)
        .expect(200);
      expect(survey.body).toMatchObject({ status: 'answered', csat: 4, nps: 9, comment: 'Quick and kind' });
    });

    it('expires after the default 7 days, or the organization’s setting, with 410 survey_expired', async () => {
      const ticket = await resolvedTicket(a2);
      const token = await tokenOf(ticket.id);
      const start = t.clock.now().getTime();
      t.clock.set(new Date(start + 7 * DAY - 1));
      await publicGet(token).expect(200);
      t.clock.set(new Date(start + 7 * DAY));
      problem(await publicGet(token), 410, 'survey_expired');
      problem(await publicPost(token, { csat: 5 }), 410, 'survey_expired');
      const listed = await t.http().get(api('/satisfaction-surveys?status=expired')).set(a2.auth).expect(200);
      expect(listed.body.items.map((s: { ticketId: string }) => s.ticketId)).toContain(ticket.id);

      const settings = await t
        .http()
        .put(api('/satisfaction-settings'))
        .set(manager.auth)
        .send({ expiryDays: 2 })
        .expect(200);
      expect(settings.body).toEqual({ expiryDays: 2, nps: 'optional' });
      const short = await resolvedTicket(a2);
      const shortToken = await tokenOf(short.id);
      const resolvedAt = t.clock.now().getTime();
      t.clock.set(new Date(resolvedAt + 2 * DAY - 1));
      await publicGet(shortToken).expect(200);
      t.clock.set(new Date(resolvedAt + 2 * DAY));
      problem(await publicPost(shortToken, { csat: 3 }), 410, 'survey_expired');
      await t.http().put(api('/satisfaction-settings')).set(manager.auth).send({ expiryDays: 7 }).expect(200);
    });

    it('refuses bad scores and input with the field named, unknown tokens with 404', async () => {
      const ticket = await resolvedTicket(a1);
      const token = await tokenOf(ticket.id);
      const cases: [unknown, string][] = [
        [{ csat: 6 }, 'csat'],
        [{ csat: 0 }, 'csat'],
        [{ csat: 4.5 }, 'csat'],
        [{ csat: '5' }, 'csat'],
        [{}, 'csat'],
        [{ csat: null }, 'csat'],
        [{ csat: 5, nps: 11 }, 'nps'],
        [{ csat: 5, nps: -1 }, 'nps'],
        [{ csat: 5, comment: 'x'.repeat(2001) }, 'comment'],
        [{ csat: 5, comment: null }, 'comment'],
        [{ csat: 5, stars: 5 }, 'stars'],
      ];
      for (const [body, field] of cases) {
        const res = await publicPost(token, body);
        problem(res, 400, 'validation_failed');
        expect(fields(res)).toContain(field);
      }
      problem(await publicGet('A'.repeat(43)), 404, 'not_found');
      problem(await publicPost('A'.repeat(43), { csat: 5 }), 404, 'not_found');
      problem(await publicGet('not-a-token'), 404, 'not_found');
      // Nothing was recorded by the refused answers.
      await publicPost(token, { csat: 5 }).expect(200);

      // NPS per the settings: refused when off, required when required.
      await t.http().put(api('/satisfaction-settings')).set(manager.auth).send({ nps: 'off' }).expect(200);
      const off = await tokenOf((await resolvedTicket(a1)).id);
      expect((await publicGet(off).expect(200)).body).toMatchObject({ asksNps: false, npsRequired: false });
      const withNps = await publicPost(off, { csat: 5, nps: 8 });
      problem(withNps, 400, 'validation_failed');
      expect(fields(withNps)).toEqual(['nps']);
      await t
        .http()
        .put(api('/satisfaction-settings'))
        .set(manager.auth)
        .send({ nps: 'required' })
        .expect(200);
      const required = await tokenOf((await resolvedTicket(a1)).id);
      expect((await publicGet(required).expect(200)).body).toMatchObject({
        asksNps: true,
        npsRequired: true,
      });
      const withoutNps = await publicPost(required, { csat: 5 });
      problem(withoutNps, 400, 'validation_failed');
      expect(fields(withoutNps)).toEqual(['nps']);
      await publicPost(required, { csat: 5, nps: 10 }).expect(200);
      await t
        .http()
        .put(api('/satisfaction-settings'))
        .set(manager.auth)
        .send({ nps: 'optional' })
        .expect(200);

      // Settings: bad values, wrong role, other tenant.
      for (const [body, field] of [
        [{ expiryDays: 0 }, 'expiryDays'],
        [{ expiryDays: 91 }, 'expiryDays'],
        [{ nps: 'sometimes' }, 'nps'],
        [{ expiryDays: null }, 'expiryDays'],
        [{ colour: 'red' }, 'colour'],
      ] as const) {
        const res = await t.http().put(api('/satisfaction-settings')).set(manager.auth).send(body);
        problem(res, 400, 'validation_failed');
        expect(fields(res)).toContain(field);
      }
      problem(
        await t.http().put(api('/satisfaction-settings')).set(a1.auth).send({ expiryDays: 3 }),
        403,
        'permission_denied',
      );
      problem(await t.http().get(api('/satisfaction-settings', other.id)).set(a1.auth), 404, 'not_found');
    });

    it('sends a new survey for each resolution, also after a reopen', async () => {
      const ticket = await resolvedTicket(b1);
      const firstToken = await tokenOf(ticket.id);
      await t
        .http()
        .post(api(`/tickets/${ticket.id}/reopen`))
        .set(b1.auth)
        .send({})
        .expect(200);
      t.clock.advance(1000);
      await t
        .http()
        .post(api(`/tickets/${ticket.id}/resolve`))
        .set(b1.auth)
        .send({})
        .expect(200);
      const secondToken = await tokenOf(ticket.id);
      expect(secondToken).not.toBe(firstToken);
      const [{ n }] = await t.db.query(
        'SELECT count(*)::int AS n FROM satisfaction_surveys WHERE ticket_id = $1',
        [ticket.id],
      );
      expect(n).toBe(2);
      await publicPost(secondToken, { csat: 5 }).expect(200);
      await publicPost(firstToken, { csat: 3 }).expect(200);
      const latest = await t
        .http()
        .get(api(`/tickets/${ticket.id}/survey`))
        .set(b1.auth)
        .expect(200);
      expect(latest.body.csat).toBe(5);
    });
  });

  describe('low scores', () => {
    it('opens a follow-up task for the supervisors of the ticket’s unit and notifies them', async () => {
      const ticket = await resolvedTicket(a1, { subject: 'Refund never came' });
      const token = await tokenOf(ticket.id);
      await publicPost(token, { csat: 2, comment: 'Nobody called back' }).expect(200);
      const survey = await t
        .http()
        .get(api(`/tickets/${ticket.id}/survey`))
        .set(supA.auth)
        .expect(200);
      expect(survey.body.followUp).toMatchObject({ status: 'open' });
      expect([...survey.body.followUp.supervisorIds].sort()).toEqual([supA.id, supOrg.id].sort());
      await t.get(OutboxService).drain();
      const notes = await t.db.query(
        `SELECT user_id, data FROM notifications WHERE type = 'satisfaction.low_score' AND data->>'ticketId' = $1`,
        [ticket.id],
      );
      expect(notes.map((n: { user_id: string }) => n.user_id).sort()).toEqual([supA.id, supOrg.id].sort());
      expect(notes[0].data).toMatchObject({ csat: 2, followUpId: survey.body.followUp.id });

      // In team B only the organization-wide supervisor covers the unit.
      const inB = await resolvedTicket(b1);
      await publicPost(await tokenOf(inB.id), { csat: 1 }).expect(200);
      const surveyB = await t
        .http()
        .get(api(`/tickets/${inB.id}/survey`))
        .set(b1.auth)
        .expect(200);
      expect(surveyB.body.followUp.supervisorIds).toEqual([supOrg.id]);

      // A 3 is not low.
      const fine = await resolvedTicket(a1);
      await publicPost(await tokenOf(fine.id), { csat: 3 }).expect(200);
      const fineSurvey = await t
        .http()
        .get(api(`/tickets/${fine.id}/survey`))
        .set(a1.auth)
        .expect(200);
      expect(fineSurvey.body.followUp).toBeNull();

      // The supervisors' list, in scope; completing one.
      const listed = async (user: TestUser, query = '') =>
        (
          await t
            .http()
            .get(api(`/satisfaction-follow-ups?limit=100${query}`))
            .set(user.auth)
            .expect(200)
        ).body.items as { id: string; ticketId: string; unitId: string; csat: number; status: string }[];
      const ofA = await listed(supA);
      expect(ofA.map((f) => f.ticketId)).toContain(ticket.id);
      expect(ofA.map((f) => f.ticketId)).not.toContain(inB.id);
      expect(ofA.find((f) => f.ticketId === ticket.id)).toMatchObject({
        csat: 2,
        status: 'open',
        unitId: teamA,
      });
      expect((await listed(supOrg)).map((f) => f.ticketId)).toEqual(
        expect.arrayContaining([ticket.id, inB.id]),
      );
      problem(await t.http().get(api('/satisfaction-follow-ups')).set(a1.auth), 403, 'permission_denied');
      problem(await t.http().get(api('/satisfaction-follow-ups', other.id)).set(supA.auth), 404, 'not_found');
      const complete = (user: TestUser, id: string, body: object = {}, orgId = org.id) =>
        t
          .http()
          .post(api(`/satisfaction-follow-ups/${id}/complete`, orgId))
          .set(user.auth)
          .send(body);
      const taskA = survey.body.followUp.id;
      const taskB = surveyB.body.followUp.id;
      problem(await complete(supA, taskB), 404, 'not_found');
      problem(await complete(otherOwner, taskA, {}, other.id), 404, 'not_found');
      problem(await complete(a1, taskA), 403, 'permission_denied');
      const long = await complete(supA, taskA, { note: 'x'.repeat(2001) });
      problem(long, 400, 'validation_failed');
      expect(fields(long)).toEqual(['note']);
      problem(await complete(supA, 'not-a-uuid'), 400, 'validation_failed');
      const done = await complete(supA, taskA, { note: 'Called back, refunded' }).expect(200);
      expect(done.body).toMatchObject({
        id: taskA,
        status: 'done',
        completedBy: supA.id,
        note: 'Called back, refunded',
        completedAt: t.clock.now().toISOString(),
      });
      problem(await complete(supOrg, taskA), 409, 'invalid_state');
      expect((await listed(supA)).map((f) => f.id)).not.toContain(taskA);
      expect((await listed(supA, '&status=done')).map((f) => f.id)).toEqual([taskA]);
    });
  });

  describe('reading responses', () => {
    it('lists surveys within the caller’s scope, with filters', async () => {
      const inA = await resolvedTicket(a2);
      await publicPost(await tokenOf(inA.id), { csat: 1 }).expect(200);
      const inB = await resolvedTicket(b1);
      await publicPost(await tokenOf(inB.id), { csat: 1 }).expect(200);
      const ids = async (user: TestUser, query = '') => {
        const res = await t
          .http()
          .get(api(`/satisfaction-surveys?limit=100${query}`))
          .set(user.auth)
          .expect(200);
        return res.body.items as { ticketId: string; unitId: string; agentId: string; csat: number }[];
      };
      const ofA = await ids(supA);
      expect(ofA.map((s) => s.ticketId)).toContain(inA.id);
      expect(ofA.map((s) => s.ticketId)).not.toContain(inB.id);
      expect(ofA.every((s) => s.unitId === teamA)).toBe(true);
      const ofB = await ids(b1);
      expect(ofB.map((s) => s.ticketId)).toContain(inB.id);
      expect(ofB.every((s) => s.unitId === teamB)).toBe(true);
      const all = await ids(supOrg);
      expect(all.map((s) => s.ticketId)).toEqual(expect.arrayContaining([inA.id, inB.id]));

      const ones = await ids(supOrg, '&csat=1');
      expect(ones.length).toBeGreaterThan(0);
      expect(ones.every((s) => s.csat === 1)).toBe(true);
      const byAgent = await ids(supOrg, `&agentId=${a2.id}`);
      expect(byAgent.every((s) => s.agentId === a2.id)).toBe(true);
      expect(byAgent.map((s) => s.ticketId)).toContain(inA.id);
      const byUnit = await ids(supOrg, `&unitId=${teamB}&status=answered`);
      expect(byUnit.every((s) => s.unitId === teamB)).toBe(true);

      // Paging walks every row once.
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await t
          .http()
          .get(api(`/satisfaction-surveys?limit=3${cursor ? `&cursor=${cursor}` : ''}`))
          .set(supOrg.auth)
          .expect(200);
        seen.push(...page.body.items.map((s) => s.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBe(all.length);

      // Another unit's ticket, another tenant: 404. Bad filters: 400 with the field.
      problem(
        await t
          .http()
          .get(api(`/tickets/${inB.id}/survey`))
          .set(a1.auth),
        404,
        'not_found',
      );
      problem(await t.http().get(api('/satisfaction-surveys', other.id)).set(a1.auth), 404, 'not_found');
      problem(
        await t
          .http()
          .get(api(`/tickets/${inA.id}/survey`, other.id))
          .set(otherOwner.auth),
        404,
        'not_found',
      );
      for (const [query, field] of [
        ['csat=6', 'csat'],
        ['status=lost', 'status'],
        ['agentId=nope', 'agentId'],
        ['from=2026-13-01', 'from'],
      ]) {
        const res = await t
          .http()
          .get(api(`/satisfaction-surveys?${query}`))
          .set(supOrg.auth);
        problem(res, 400, 'validation_failed');
        expect(fields(res)).toContain(field);
      }
      // A ticket not resolved yet has no survey.
      const open = await t
        .http()
        .post(api('/tickets'))
        .set(a1.auth)
        .send({ type: 'consultation', channel: 'web', subject: 'Still open' })
        .expect(201);
      problem(
        await t
          .http()
          .get(api(`/tickets/${open.body.id}/survey`))
          .set(a1.auth),
        404,
        'not_found',
      );
    });

    it('shows surveys in the customer’s history', async () => {
      const ticket = await resolvedTicket(a1, { subject: 'History please' });
      t.clock.advance(60_000);
      await publicPost(await tokenOf(ticket.id), { csat: 5, nps: 10, comment: 'Great' }).expect(200);
      const history = await t
        .http()
        .get(api(`/customers/${ticket.customerId}/history?limit=100`))
        .set(manager.auth)
        .expect(200);
      const entries = history.body.items.filter((e: { source: string }) => e.source === 'satisfaction');
      expect(entries.map((e: { kind: string }) => e.kind)).toEqual(['survey_answered', 'survey_sent']);
      expect(entries[0].details).toMatchObject({ ticketId: ticket.id, csat: 5, nps: 10, comment: 'Great' });
    });
  });

  describe('the CSAT report', () => {
    interface Made {
      day: string;
      unit: string;
      agent: string;
      type: string;
      csat: number | null;
      nps: number | null;
    }
    const made: Made[] = [];
    /** Local (Asia/Shanghai, UTC+8, no daylight saving) day of an instant, computed here. */
    const shanghaiDay = (at: Date) => new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

    beforeAll(async () => {
      // Resolutions at chosen instants: 2026-11-02 10:00 and 23:30 local, 2026-11-03 00:30 local (still
      // 2026-11-02 in UTC), 2026-11-04 12:00 local; nothing on 2026-11-05.
      const plan: {
        at: string;
        agent: TestUser;
        unit: string;
        type: 'consultation' | 'complaint' | 'after_sales';
        csat: number | null;
        nps: number | null;
      }[] = [
        { at: '2026-11-02T02:00:00Z', agent: a1, unit: teamA, type: 'consultation', csat: 5, nps: 10 },
        { at: '2026-11-02T02:10:00Z', agent: a1, unit: teamA, type: 'complaint', csat: 2, nps: 3 },
        { at: '2026-11-02T15:30:00Z', agent: a2, unit: teamA, type: 'consultation', csat: 4, nps: null },
        { at: '2026-11-02T16:30:00Z', agent: a2, unit: teamA, type: 'complaint', csat: null, nps: null },
        { at: '2026-11-02T16:40:00Z', agent: b1, unit: teamB, type: 'consultation', csat: 1, nps: 6 },
        { at: '2026-11-04T04:00:00Z', agent: b1, unit: teamB, type: 'after_sales', csat: 3, nps: 8 },
        { at: '2026-11-04T04:05:00Z', agent: a1, unit: teamA, type: 'consultation', csat: 5, nps: 9 },
        { at: '2026-11-04T04:10:00Z', agent: b1, unit: teamB, type: 'complaint', csat: null, nps: null },
      ];
      for (const p of plan) {
        t.clock.set(new Date(p.at));
        const ticket = await resolvedTicket(p.agent, {
          type: p.type,
          ...(p.type === 'after_sales' ? { afterSalesKind: 'repair' } : {}),
        });
        const token = await tokenOf(ticket.id);
        if (p.csat !== null) {
          t.clock.advance(3_600_000);
          await publicPost(token, p.nps === null ? { csat: p.csat } : { csat: p.csat, nps: p.nps }).expect(
            200,
          );
        }
        made.push({
          day: shanghaiDay(new Date(p.at)),
          unit: p.unit,
          agent: p.agent.id,
          type: p.type,
          csat: p.csat,
          nps: p.nps,
        });
      }
      t.clock.set(new Date('2026-11-20T04:00:00Z'));
    });

    /** The figures of a set of surveys, computed from what this test made. */
    const expected = (rows: Made[]) => {
      const answered = rows.filter((r) => r.csat !== null);
      const npsRows = rows.filter((r) => r.nps !== null);
      const promoters = npsRows.filter((r) => (r.nps as number) >= 9).length;
      const detractors = npsRows.filter((r) => (r.nps as number) <= 6).length;
      const sum = answered.reduce((s, r) => s + (r.csat as number), 0);
      const round = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d;
      return {
        sent: rows.length,
        answered: answered.length,
        responseRate: rows.length ? round(answered.length / rows.length, 4) : null,
        csatAverage: answered.length ? round(sum / answered.length, 2) : null,
        csat1: answered.filter((r) => r.csat === 1).length,
        csat2: answered.filter((r) => r.csat === 2).length,
        csat3: answered.filter((r) => r.csat === 3).length,
        csat4: answered.filter((r) => r.csat === 4).length,
        csat5: answered.filter((r) => r.csat === 5).length,
        npsAnswers: npsRows.length,
        promoters,
        detractors,
        nps: npsRows.length ? round((100 * (promoters - detractors)) / npsRows.length, 1) : null,
      };
    };
    const report = (user: TestUser, query: string, orgId = org.id) =>
      t
        .http()
        .get(api(`/service-reports/csat?from=2026-11-02&to=2026-11-05&${query}`, orgId))
        .set(user.auth);

    it('answers per local day, with empty days as zeros, and totals', async () => {
      const res = await report(supOrg, 'interval=day').expect(200);
      const days = ['2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05'];
      expect(res.body).toMatchObject({
        from: '2026-11-02',
        to: '2026-11-05',
        timeZone: 'Asia/Shanghai',
        interval: 'day',
        groupBy: 'period',
      });
      expect(res.body.rows).toEqual(
        days.map((day) => ({ key: day, ...expected(made.filter((m) => m.day === day)) })),
      );
      expect(res.body.totals).toEqual(expected(made));
      // The 00:30 local resolution on 3 November is counted on that local day.
      expect(res.body.rows[1].sent).toBe(2);
      expect(res.body.rows[3]).toMatchObject({ sent: 0, responseRate: null, csatAverage: null, nps: null });
    });

    it('groups by agent, unit and ticket type, and filters', async () => {
      for (const [groupBy, keyOf] of [
        ['agent', (m: Made) => m.agent],
        ['unit', (m: Made) => m.unit],
        ['type', (m: Made) => m.type],
      ] as const) {
        const res = await report(supOrg, `groupBy=${groupBy}`).expect(200);
        const keys = [...new Set(made.map(keyOf))].sort();
        expect(res.body.rows.map((r: { key: string }) => r.key).sort()).toEqual(keys);
        for (const row of res.body.rows) {
          expect(row).toEqual({ key: row.key, ...expected(made.filter((m) => keyOf(m) === row.key)) });
        }
      }
      const complaints = await report(supOrg, 'type=complaint&interval=week').expect(200);
      expect(complaints.body.totals).toEqual(expected(made.filter((m) => m.type === 'complaint')));
      expect(complaints.body.rows.map((r: { key: string }) => r.key)).toEqual(['2026-11-02']);
      const byAgent = await report(supOrg, `agentId=${b1.id}`).expect(200);
      expect(byAgent.body.totals).toEqual(expected(made.filter((m) => m.agent === b1.id)));
    });

    it('counts only the caller’s units for a unit-scoped supervisor', async () => {
      const res = await report(supA, 'groupBy=unit').expect(200);
      expect(res.body.rows.map((r: { key: string }) => r.key)).toEqual([teamA]);
      expect(res.body.totals).toEqual(expected(made.filter((m) => m.unit === teamA)));
      // Asking for another unit yields nothing rather than its numbers.
      const b = await report(supA, `unitId=${teamB}`).expect(200);
      expect(b.body.totals.sent).toBe(0);
    });

    it('answers the same numbers as CSV and a chart as SVG', async () => {
      const csv = await report(supOrg, 'interval=day&format=csv').expect(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      const lines = csv.text.trim().split('\n');
      expect(lines[0]).toBe(
        'key,sent,answered,responseRate,csatAverage,csat1,csat2,csat3,csat4,csat5,npsAnswers,promoters,detractors,nps',
      );
      const first = expected(made.filter((m) => m.day === '2026-11-02'));
      expect(lines[1]).toBe(
        [
          '2026-11-02',
          first.sent,
          first.answered,
          first.responseRate,
          first.csatAverage,
          first.csat1,
          first.csat2,
          first.csat3,
          first.csat4,
          first.csat5,
          first.npsAnswers,
          first.promoters,
          first.detractors,
          first.nps,
        ].join(','),
      );
      expect(lines[4]).toBe('2026-11-05,0,0,,,0,0,0,0,0,0,0,0,');
      const svg = await report(supOrg, 'groupBy=agent&format=svg')
        .buffer(true)
        .parse((res, done) => {
          let data = '';
          res.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
          res.on('end', () => done(null, data));
        })
        .expect(200);
      expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
      const text = svg.body as string;
      expect(XMLValidator.validate(text)).toBe(true);
      expect(text).toContain('CSAT 1');
      expect(text).toContain('Customer satisfaction by agent');
    });

    it('refuses the wrong role (403), another tenant (404) and bad input (400 with the field)', async () => {
      problem(await report(a1, 'interval=day'), 403, 'permission_denied');
      problem(await report(viewer, 'interval=day'), 403, 'permission_denied');
      problem(await report(supOrg, 'interval=day', other.id), 404, 'not_found');
      for (const [query, field] of [
        ['interval=fortnight', 'interval'],
        ['groupBy=colour', 'groupBy'],
        ['type=gift', 'type'],
        ['unitId=x', 'unitId'],
        ['format=pdf', 'format'],
      ]) {
        const res = await report(supOrg, query);
        problem(res, 400, 'validation_failed');
        expect(fields(res)).toContain(field);
      }
      const backwards = await t
        .http()
        .get(api('/service-reports/csat?from=2026-11-05&to=2026-11-01'))
        .set(supOrg.auth);
      problem(backwards, 400, 'validation_failed');
      expect(fields(backwards)).toEqual(['to']);
    });
  });
});

describe('satisfaction surveys: rate limits of the public doors', () => {
  let r: TestApp;
  const previous = process.env.RATE_LIMIT_PER_MINUTE;
  beforeAll(async () => {
    r = await createTestApp({ env: { RATE_LIMIT_PER_MINUTE: '1000' } });
  });
  afterAll(async () => {
    process.env.RATE_LIMIT_PER_MINUTE = previous;
    await r.close();
  });

  it('limits answers to 10 and reads to 30 a minute per client, as the public ticket endpoints', async () => {
    const token = 'B'.repeat(43);
    for (let i = 0; i < 10; i += 1) {
      await r.http().post(`/api/v1/public/surveys/${token}`).send({ csat: 5 }).expect(404);
    }
    const limited = await r.http().post(`/api/v1/public/surveys/${token}`).send({ csat: 5 }).expect(429);
    expect(limited.body).toMatchObject({ code: 'rate_limited' });
    for (let i = 0; i < 30; i += 1) await r.http().get(`/api/v1/public/surveys/${token}`).expect(404);
    await r.http().get(`/api/v1/public/surveys/${token}`).expect(429);
  });
});

describe('satisfaction surveys: email through a real local SMTP server', () => {
  let e: TestApp;
  let smtp: SMTPServer;
  const received: { to: string[]; raw: string }[] = [];
  let org: FixtureOrg;
  let agent: TestUser;

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        let raw = '';
        stream.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
        stream.on('end', () => {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const port = (smtp.server.address() as AddressInfo).port;
    e = await createTestApp({ env: { SMTP_URL: `smtp://127.0.0.1:${port}` } });
    org = await insertOrg(e, { kind: 'brand', name: 'Kettle Co' });
    agent = await makeUser(e);
    await insertMember(e, org, agent.id, { grants: [{ role: 'service_agent', scope: 'org' }] });
  });
  afterAll(async () => {
    delete process.env.SMTP_URL;
    await e.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('mails the survey link to the customer and records the message with the token masked', async () => {
    const api = (path: string) => `/api/v1/orgs/${org.id}${path}`;
    const opened = await e
      .http()
      .post(api('/tickets'))
      .set(agent.auth)
      .send({
        type: 'complaint',
        channel: 'email',
        subject: 'Kettle leaks',
        contact: { name: 'Li Lei', email: 'lilei@example.com' },
      })
      .expect(201);
    await e
      .http()
      .post(api(`/tickets/${opened.body.id}/resolve`))
      .set(agent.auth)
      .send({})
      .expect(200);
    await e.get(OutboxService).drain();
    expect(received).toHaveLength(1);
    expect(received[0].to).toEqual(['lilei@example.com']);
    const unfolded = received[0].raw.replace(/=\r?\n/g, '');
    const match = TOKEN.exec(unfolded);
    expect(match).not.toBeNull();
    const token = (match as RegExpExecArray)[1];

    const [row] = await e.db.query(
      'SELECT connector, recipient, message_body FROM satisfaction_surveys WHERE ticket_id = $1',
      [opened.body.id],
    );
    expect(row).toMatchObject({ connector: 'email', recipient: 'lilei@example.com' });
    expect(row.message_body).not.toContain(token);
    expect(row.message_body).toContain(`${token.slice(0, 4)}…`);

    await e.http().post(`/api/v1/public/surveys/${token}`).send({ csat: 4 }).expect(200);
    const survey = await e
      .http()
      .get(api(`/tickets/${opened.body.id}/survey`))
      .set(agent.auth)
      .expect(200);
    expect(survey.body).toMatchObject({
      status: 'answered',
      csat: 4,
      delivery: { status: 'sent', connector: 'email', recipient: 'lilei@example.com' },
    });
  });
});
