import { CareTasksJob } from '../src/modules/customers/care-tasks.job';
import { CustomerHistory, CustomerHistorySource } from '../src/modules/customers/customer-history';
import { makeUser, signIn, TestUser } from './support/factories';
import { FixtureOrg, insertMember, insertOrg, insertUnit } from './support/org-fixtures';
import { createTestApp, TestApp } from './support/test-app';

const DAY = 86_400_000;

/**
 * Customer profiles over HTTP: masking and the recorded unmasked read, scope and tenancy, contact
 * points, merging, segments against expectations computed here, and care tasks opened exactly once.
 */
describe('customers', () => {
  let t: TestApp;
  let org: FixtureOrg;
  let other: FixtureOrg;
  let teamA: string;
  let teamB: string;
  let supervisor: TestUser;
  let agentA: TestUser;
  let agentB: TestUser;
  let selfAgent: TestUser;
  let viewer: TestUser;
  let outsider: TestUser;

  const base = (o: FixtureOrg = org) => `/api/v1/orgs/${o.id}`;
  const problem = (res: { headers: Record<string, string>; body: { code: string } }, code: string) => {
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe(code);
  };
  const create = async (user: TestUser, body: Record<string, unknown>, o: FixtureOrg = org) => {
    const res = await t
      .http()
      .post(`${base(o)}/customers`)
      .set(user.auth)
      .send(body);
    expect(res.status).toBe(201);
    return res.body as {
      id: string;
      contactPoints: { id: string; kind: string; value: string; primary: boolean }[];
    };
  };

  beforeAll(async () => {
    t = await createTestApp();
    org = await insertOrg(t, { kind: 'brand', name: 'Shop' });
    other = await insertOrg(t, { kind: 'brand', name: 'Other' });
    teamA = await insertUnit(t, org, org.rootUnitId, 'Team A');
    teamB = await insertUnit(t, org, org.rootUnitId, 'Team B');
    [supervisor, agentA, agentB, selfAgent, viewer, outsider] = await Promise.all(
      Array.from({ length: 6 }, () => makeUser(t)),
    );
    await insertMember(t, org, supervisor.id, { grants: [{ role: 'service_supervisor' }] });
    await insertMember(t, org, agentA.id, {
      unitId: teamA,
      grants: [{ role: 'service_agent', unitId: teamA, scope: 'unit' }],
    });
    await insertMember(t, org, agentB.id, {
      unitId: teamB,
      grants: [{ role: 'service_agent', unitId: teamB, scope: 'unit' }],
    });
    await insertMember(t, org, selfAgent.id, {
      unitId: teamA,
      grants: [{ role: 'service_agent', unitId: teamA, scope: 'self' }],
    });
    await insertMember(t, org, viewer.id, { grants: [{ role: 'viewer' }] });
    await insertMember(t, other, outsider.id, { grants: [{ role: 'owner' }] });
  });
  afterAll(() => t.close());

  describe('profiles', () => {
    it('creates a profile with normalised contact points, masked in the answer and in lists', async () => {
      const created = await create(agentA, {
        kind: 'person',
        displayName: '李雷',
        tier: 'vip',
        tags: ['wholesale'],
        consentMarketing: true,
        lifetimeValueFen: 129900,
        contactPoints: [
          { kind: 'phone', value: '138 0013 8000' },
          { kind: 'email', value: 'Li.Lei@Example.com' },
          { kind: 'douyin', value: 'lilei_dy' },
        ],
      });
      expect(created).toMatchObject({
        displayName: '李雷',
        tier: 'vip',
        unitId: teamA,
        ownerId: agentA.id,
        lifetimeValueFen: 129900,
        masked: true,
      });
      const values = Object.fromEntries(created.contactPoints.map((p) => [p.kind, p.value]));
      expect(values).toEqual({ phone: '138****8000', email: 'l***@example.com', douyin: 'lilei_dy' });
      const stored = await t.db.query(
        `SELECT kind, value FROM customer_contact_points WHERE customer_id = $1 ORDER BY kind`,
        [created.id],
      );
      expect(stored).toEqual([
        { kind: 'douyin', value: 'lilei_dy' },
        { kind: 'email', value: 'li.lei@example.com' },
        { kind: 'phone', value: '+8613800138000' },
      ]);

      const list = await t
        .http()
        .get(`${base()}/customers`)
        .query({ q: '13800138000' })
        .set(supervisor.auth)
        .expect(200);
      expect(list.body.items.map((c: { id: string }) => c.id)).toEqual([created.id]);
      const listed = JSON.stringify(list.body);
      expect(listed).not.toContain('13800138000');
      expect(listed).not.toContain('li.lei@');
      expect(listed).toContain('138****8000');
    });

    it('an unmasked read needs customers:read-pii (403 without it) and is recorded in the operation log', async () => {
      const c = await create(agentA, {
        kind: 'person',
        displayName: 'Pii',
        contactPoints: [{ kind: 'phone', value: '13911112222' }],
      });
      const denied = await t
        .http()
        .get(`${base()}/customers/${c.id}`)
        .query({ unmasked: 'true' })
        .set(agentA.auth);
      expect(denied.status).toBe(403);
      problem(denied, 'permission_denied');
      // The masked read stays open to the agent.
      const masked = await t.http().get(`${base()}/customers/${c.id}`).set(agentA.auth).expect(200);
      expect(masked.body.contactPoints[0].value).toBe('139****2222');
      expect(masked.headers.etag).toBe('W/"1"');

      const before = await logCount(c.id);
      const clear = await t
        .http()
        .get(`${base()}/customers/${c.id}`)
        .query({ unmasked: 'true' })
        .set(supervisor.auth)
        .expect(200);
      expect(clear.body.contactPoints[0].value).toBe('+8613911112222');
      expect(clear.body.masked).toBe(false);
      expect(await logCount(c.id)).toBe(before + 1);
      const [entry] = await t.db.query(
        `SELECT actor_user_id, org_id, method, result FROM operation_logs WHERE action = 'readCustomerUnmasked' AND target_id = $1`,
        [c.id],
      );
      expect(entry).toEqual({
        actor_user_id: supervisor.id,
        org_id: org.id,
        method: 'GET',
        result: 'success',
      });
      // Masked reads are not recorded; neither is the refused one.
      expect(await logCount(c.id)).toBe(1);
    });

    const logCount = async (customerId: string) => {
      const [{ n }] = await t.db.query(
        `SELECT count(*)::int AS n FROM operation_logs WHERE action = 'readCustomerUnmasked' AND target_id = $1`,
        [customerId],
      );
      return n as number;
    };

    it('scope: another unit and another tenant get 404; self scope sees only what it owns; no permission is 403', async () => {
      const c = await create(agentA, { kind: 'person', displayName: 'Scoped' });
      await t.http().get(`${base()}/customers/${c.id}`).set(agentB.auth).expect(404);
      await t.http().patch(`${base()}/customers/${c.id}`).set(agentB.auth).send({ tier: 'vip' }).expect(404);
      await t
        .http()
        .get(`${base(other)}/customers/${c.id}`)
        .set(outsider.auth)
        .expect(404);
      const listB = await t.http().get(`${base()}/customers`).set(agentB.auth).expect(200);
      expect(listB.body.items.map((x: { id: string }) => x.id)).not.toContain(c.id);

      const own = await create(selfAgent, { kind: 'person', displayName: 'Mine' });
      const selfList = await t.http().get(`${base()}/customers`).set(selfAgent.auth).expect(200);
      expect(selfList.body.items.map((x: { id: string }) => x.id)).toEqual([own.id]);
      await t.http().get(`${base()}/customers/${c.id}`).set(selfAgent.auth).expect(404);
      // Creating for someone else is outside a self scope.
      const foreign = await t
        .http()
        .post(`${base()}/customers`)
        .set(selfAgent.auth)
        .send({ kind: 'person', displayName: 'X', ownerId: agentA.id });
      expect(foreign.status).toBe(403);

      const refused = await t.http().get(`${base()}/customers`).set(viewer.auth);
      expect(refused.status).toBe(403);
      // Agent B cannot place a customer into Team A.
      const placed = await t
        .http()
        .post(`${base()}/customers`)
        .set(agentB.auth)
        .send({ kind: 'person', displayName: 'Y', unitId: teamA });
      expect(placed.status).toBe(403);
    });

    it('edits with If-Match, records the change, and archives', async () => {
      const c = await create(agentA, { kind: 'company', displayName: 'ACME', companyName: 'ACME Ltd' });
      t.clock.advance(1000);
      const edited = await t
        .http()
        .patch(`${base()}/customers/${c.id}`)
        .set(agentA.auth)
        .set('If-Match', 'W/"1"')
        .send({ tier: 'key', tags: ['b2b', 'b2b', 'east'], companyName: null })
        .expect(200);
      expect(edited.body).toMatchObject({ tier: 'key', tags: ['b2b', 'east'], companyName: null });
      expect(edited.headers.etag).toBe('W/"2"');
      const stale = await t
        .http()
        .patch(`${base()}/customers/${c.id}`)
        .set(agentA.auth)
        .set('If-Match', 'W/"1"')
        .send({ tier: 'vip' });
      expect(stale.status).toBe(412);
      problem(stale, 'precondition_failed');

      const history = await t.http().get(`${base()}/customers/${c.id}/history`).set(agentA.auth).expect(200);
      expect(history.body.items.map((e: { kind: string }) => e.kind)).toEqual([
        'customer.updated',
        'customer.created',
      ]);
      expect(history.body.items[0].details.changes.tier).toEqual({ from: 'normal', to: 'key' });

      await t.http().delete(`${base()}/customers/${c.id}`).set(agentA.auth).expect(204);
      await t.http().get(`${base()}/customers/${c.id}`).set(agentA.auth).expect(404);
    });

    it('refuses bad input with problem+json naming the field', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [
          { kind: 'person', displayName: 'A', contactPoints: [{ kind: 'phone', value: '12345' }] },
          'contactPoints[0].value',
        ],
        [
          { kind: 'person', displayName: 'A', contactPoints: [{ kind: 'email', value: 'not-an-email' }] },
          'contactPoints[0].value',
        ],
        [{ kind: 'person', displayName: 'A', nickname: 'x' }, 'nickname'],
        [{ kind: 'robot', displayName: 'A' }, 'kind'],
        [{ kind: 'person', displayName: 'A', tier: 'platinum' }, 'tier'],
        [{ kind: 'person', displayName: 'A', lifetimeValueFen: 12.5 }, 'lifetimeValueFen'],
        [{ kind: 'person', displayName: 'A', ownerId: null, unitId: null }, 'unitId'],
      ];
      for (const [body, field] of cases) {
        const res = await t.http().post(`${base()}/customers`).set(agentA.auth).send(body);
        expect({ field, status: res.status }).toEqual({ field, status: 400 });
        problem(res, 'validation_failed');
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      // A phone another live customer holds is a conflict.
      await create(agentA, {
        kind: 'person',
        displayName: 'Taken',
        contactPoints: [{ kind: 'phone', value: '13600001111' }],
      });
      const dup = await t
        .http()
        .post(`${base()}/customers`)
        .set(agentA.auth)
        .send({
          kind: 'person',
          displayName: 'Again',
          contactPoints: [{ kind: 'phone', value: '+86 136 0000 1111' }],
        });
      expect(dup.status).toBe(409);
      problem(dup, 'duplicate');
      await t.http().get(`${base()}/customers/not-a-uuid`).set(agentA.auth).expect(400);
    });

    it('a create repeated with the same Idempotency-Key makes one profile', async () => {
      const send = () =>
        t
          .http()
          .post(`${base()}/customers`)
          .set(agentA.auth)
          .set('Idempotency-Key', 'crm-create-0001')
          .send({
            kind: 'person',
            displayName: 'Once',
            contactPoints: [{ kind: 'email', value: 'once@example.com' }],
          });
      const first = await send().expect(201);
      const again = await send().expect(201);
      expect(again.body.id).toBe(first.body.id);
      const [{ n }] = await t.db.query(
        `SELECT count(*)::int AS n FROM customers WHERE org_id = $1 AND display_name = 'Once'`,
        [org.id],
      );
      expect(n).toBe(1);
    });

    it('adds and removes contact points with one primary per kind', async () => {
      const c = await create(agentA, {
        kind: 'person',
        displayName: 'Points',
        contactPoints: [{ kind: 'phone', value: '13500000001' }],
      });
      const added = await t
        .http()
        .post(`${base()}/customers/${c.id}/contact-points`)
        .set(agentA.auth)
        .send({ kind: 'phone', value: '13500000002', primary: true })
        .expect(201);
      const phones = added.body.contactPoints.filter((p: { kind: string }) => p.kind === 'phone');
      expect(phones.map((p: { value: string; primary: boolean }) => [p.value, p.primary])).toEqual([
        ['135****0002', true],
        ['135****0001', false],
      ]);
      const primaryId = phones[0].id;
      await t
        .http()
        .delete(`${base()}/customers/${c.id}/contact-points/${primaryId}`)
        .set(agentA.auth)
        .expect(204);
      const after = await t.http().get(`${base()}/customers/${c.id}`).set(agentA.auth).expect(200);
      expect(
        after.body.contactPoints.map((p: { value: string; primary: boolean }) => [p.value, p.primary]),
      ).toEqual([['135****0001', true]]);
      const bad = await t
        .http()
        .post(`${base()}/customers/${c.id}/contact-points`)
        .set(agentA.auth)
        .send({ kind: 'wechat', value: 'has space' });
      expect(bad.status).toBe(400);
    });
  });

  describe('lists and history', () => {
    it('filters by tier, tag, owner and sorts by name, paging with a cursor', async () => {
      const listOrg = await insertOrg(t, { kind: 'brand', name: 'Lists' });
      const [lead, helper] = await Promise.all([makeUser(t), makeUser(t)]);
      await insertMember(t, listOrg, lead.id, { grants: [{ role: 'service_supervisor' }] });
      await insertMember(t, listOrg, helper.id, { grants: [{ role: 'service_agent' }] });
      const specs = [
        { displayName: 'Delta', tier: 'vip', tags: ['华东'], ownerId: lead.id },
        { displayName: 'alpha', tier: 'normal', tags: ['华东', 'b2b'], ownerId: helper.id },
        { displayName: 'Charlie', tier: 'vip', tags: [], ownerId: helper.id },
        { displayName: 'Bravo', tier: 'key', tags: ['b2b'], ownerId: lead.id },
      ];
      const ids: Record<string, string> = {};
      for (const spec of specs)
        ids[spec.displayName] = (await create(lead, { kind: 'person', ...spec }, listOrg)).id;
      const names = async (query: Record<string, string>) => {
        const res = await t
          .http()
          .get(`${base(listOrg)}/customers`)
          .query(query)
          .set(lead.auth)
          .expect(200);
        return (res.body.items as { displayName: string }[]).map((c) => c.displayName);
      };
      const pick = (f: (s: (typeof specs)[number]) => boolean) =>
        specs
          .filter(f)
          .map((s) => s.displayName)
          .sort();
      expect((await names({ tier: 'vip' })).sort()).toEqual(pick((s) => s.tier === 'vip'));
      expect((await names({ tag: '华东' })).sort()).toEqual(pick((s) => s.tags.includes('华东')));
      expect((await names({ ownerId: 'me' })).sort()).toEqual(pick((s) => s.ownerId === lead.id));
      expect((await names({ ownerId: helper.id, tag: 'b2b' })).sort()).toEqual(['alpha']);
      expect(await names({ q: 'ALP' })).toEqual(['alpha']);
      // PostgreSQL's collation orders by name; page through it two at a time.
      const all = await names({ sort: 'displayName', limit: '100' });
      const first = await t
        .http()
        .get(`${base(listOrg)}/customers`)
        .query({ sort: 'displayName', limit: 2 })
        .set(lead.auth)
        .expect(200);
      const second = await t
        .http()
        .get(`${base(listOrg)}/customers`)
        .query({ sort: 'displayName', limit: 2, cursor: first.body.nextCursor })
        .set(lead.auth)
        .expect(200);
      expect(
        [...first.body.items, ...second.body.items].map((c: { displayName: string }) => c.displayName),
      ).toEqual(all);
      expect(second.body.nextCursor).toBeNull();
      const bad = await t
        .http()
        .get(`${base(listOrg)}/customers`)
        .query({ ownerId: 'someone' })
        .set(lead.auth);
      expect(bad.status).toBe(400);
      const unknownSegment = await t
        .http()
        .get(`${base(listOrg)}/customers`)
        .query({ segment: ids.Delta })
        .set(lead.auth);
      expect(unknownSegment.status).toBe(422);
    });

    it('merges entries of a registered source (as tickets will) into one newest-first history with a cursor', async () => {
      const c = await create(agentA, { kind: 'person', displayName: 'History' });
      t.clock.advance(60_000);
      await t.http().patch(`${base()}/customers/${c.id}`).set(agentA.auth).send({ tier: 'vip' }).expect(200);
      const created = new Date(t.clock.now().getTime() - 60_000);
      const asked: string[][] = [];
      const source: CustomerHistorySource = {
        name: 'test-tickets',
        entries: async (orgId, customerIds, page) => {
          asked.push([orgId, ...customerIds]);
          const entries = [
            { id: 't2', at: created.getTime() + 30_000 },
            { id: 't1', at: created.getTime() - 30_000 },
          ]
            .filter((e) => customerIds.includes(c.id) && (!page.notAfter || e.at <= page.notAfter.getTime()))
            .map((e) => ({
              id: e.id,
              kind: 'ticket.opened',
              customerId: c.id,
              actorUserId: null,
              details: { subject: e.id },
              occurredAt: new Date(e.at),
            }));
          return entries.slice(0, page.limit);
        },
      };
      t.get(CustomerHistory).register(source);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const res = await t
          .http()
          .get(`${base()}/customers/${c.id}/history`)
          .query({ limit: 1, ...(cursor ? { cursor } : {}) })
          .set(agentA.auth)
          .expect(200);
        seen.push(...res.body.items.map((e: { source: string; kind: string }) => `${e.source}:${e.kind}`));
        cursor = res.body.nextCursor ?? undefined;
      } while (cursor && seen.length < 10);
      expect(seen).toEqual([
        'customers:customer.updated',
        'test-tickets:ticket.opened',
        'customers:customer.created',
        'test-tickets:ticket.opened',
      ]);
      expect(asked[0]).toEqual([org.id, c.id]);
      await t
        .http()
        .get(`${base()}/customers/${c.id}/history`)
        .query({ cursor: 'bm9wZQ' })
        .set(agentA.auth)
        .expect(400);
      await t.http().get(`${base()}/customers/${c.id}/history`).set(agentB.auth).expect(404);
    });
  });

  describe('merge', () => {
    it('moves contact points, tags and history to the target, records the merge, and the source answers as the target', async () => {
      const target = await create(agentA, {
        kind: 'person',
        displayName: 'Han Meimei',
        tags: ['vip-event'],
        lifetimeValueFen: 1000,
        contactPoints: [{ kind: 'phone', value: '13700000001' }],
      });
      const source = await create(agentA, {
        kind: 'person',
        displayName: 'Meimei (duplicate)',
        tags: ['complainer'],
        lifetimeValueFen: 250,
        contactPoints: [
          { kind: 'phone', value: '13700000002' },
          { kind: 'email', value: 'meimei@example.com' },
        ],
      });
      const res = await t
        .http()
        .post(`${base()}/customers/${target.id}/merge`)
        .set(agentA.auth)
        .send({ sourceId: source.id })
        .expect(200);
      expect(res.body.id).toBe(target.id);
      expect(res.body.tags).toEqual(['vip-event', 'complainer']);
      expect(res.body.lifetimeValueFen).toBe(1250);
      expect(
        res.body.contactPoints.map((p: { kind: string; value: string; primary: boolean }) => [
          p.kind,
          p.value,
          p.primary,
        ]),
      ).toEqual([
        ['email', 'm***@example.com', true],
        ['phone', '137****0001', true],
        ['phone', '137****0002', false],
      ]);
      const [merge] = await t.db.query(
        `SELECT target_id, source_id, merged_by, details FROM customer_merges WHERE source_id = $1`,
        [source.id],
      );
      expect(merge).toMatchObject({ target_id: target.id, source_id: source.id, merged_by: agentA.id });
      expect(merge.details.contactPointsMoved).toBe(2);
      const [log] = await t.db.query(
        `SELECT result, actor_user_id FROM operation_logs WHERE action = 'mergeCustomer' AND target_id = $1`,
        [target.id],
      );
      expect(log).toEqual({ result: 'success', actor_user_id: agentA.id });
      const [row] = await t.db.query(`SELECT status, merged_into FROM customers WHERE id = $1`, [source.id]);
      expect(row).toEqual({ status: 'merged', merged_into: target.id });

      const read = await t.http().get(`${base()}/customers/${source.id}`).set(agentA.auth).expect(200);
      expect(read.body.id).toBe(target.id);
      const history = await t
        .http()
        .get(`${base()}/customers/${target.id}/history`)
        .set(agentA.auth)
        .expect(200);
      const kinds = history.body.items.map(
        (e: { kind: string; customerId: string }) =>
          `${e.kind}@${e.customerId === source.id ? 'source' : 'target'}`,
      );
      expect(kinds).toEqual(
        expect.arrayContaining([
          'customer.merged@target',
          'customer.merged_away@source',
          'customer.created@target',
        ]),
      );
      expect(kinds.filter((k: string) => k === 'customer.created@target')).toHaveLength(2);
      // The source's phone now finds the target.
      const found = await t
        .http()
        .get(`${base()}/customers`)
        .query({ q: '13700000002' })
        .set(agentA.auth)
        .expect(200);
      expect(found.body.items.map((c: { id: string }) => c.id)).toEqual([target.id]);

      const again = await t
        .http()
        .post(`${base()}/customers/${target.id}/merge`)
        .set(agentA.auth)
        .send({ sourceId: source.id });
      expect(again.status).toBe(409);
      problem(again, 'customer_merged');
      const edit = await t
        .http()
        .patch(`${base()}/customers/${source.id}`)
        .set(agentA.auth)
        .send({ tier: 'vip' });
      expect(edit.status).toBe(409);
      expect(edit.body.mergedInto).toBe(target.id);
    });

    it('refuses a merge into itself, and one whose source is outside the scope', async () => {
      const a = await create(agentA, { kind: 'person', displayName: 'Self' });
      const self = await t
        .http()
        .post(`${base()}/customers/${a.id}/merge`)
        .set(agentA.auth)
        .send({ sourceId: a.id });
      expect(self.status).toBe(400);
      problem(self, 'validation_failed');
      const b = await create(agentB, { kind: 'person', displayName: 'Team B customer' });
      const cross = await t
        .http()
        .post(`${base()}/customers/${a.id}/merge`)
        .set(agentA.auth)
        .send({ sourceId: b.id });
      expect(cross.status).toBe(422);
      problem(cross, 'reference_not_found');
      await t
        .http()
        .post(`${base()}/customers/${b.id}/merge`)
        .set(agentA.auth)
        .send({ sourceId: a.id })
        .expect(404);
      const [row] = await t.db.query(`SELECT status FROM customers WHERE id = $1`, [b.id]);
      expect(row.status).toBe('active');
      const unknown = await t
        .http()
        .post(`${base()}/customers/${a.id}/merge`)
        .set(agentA.auth)
        .send({ sourceId: a.id, extra: 1 });
      expect(unknown.status).toBe(400);
    });
  });

  describe('segments', () => {
    let segOrg: FixtureOrg;
    let lead: TestUser;
    let teamLead: TestUser;
    const people: {
      id: string;
      tier: string;
      tags: string[];
      ltv: number;
      lastContactDaysAgo: number | null;
      createdDaysAgo: number;
    }[] = [];

    beforeAll(async () => {
      segOrg = await insertOrg(t, { kind: 'brand', name: 'Segments' });
      const unit = await insertUnit(t, segOrg, segOrg.rootUnitId, 'Unit');
      [lead, teamLead] = await Promise.all([makeUser(t), makeUser(t)]);
      await insertMember(t, segOrg, lead.id, { grants: [{ role: 'service_supervisor' }] });
      await insertMember(t, segOrg, teamLead.id, {
        unitId: unit,
        grants: [{ role: 'service_agent', unitId: unit, scope: 'unit' }],
      });
      const specs = [
        { tier: 'vip', tags: ['a'], ltv: 500000, lastContactDaysAgo: 40, createdDaysAgo: 100 },
        { tier: 'vip', tags: ['b'], ltv: 90000, lastContactDaysAgo: 5, createdDaysAgo: 3 },
        { tier: 'key', tags: ['a', 'b'], ltv: 200000, lastContactDaysAgo: null, createdDaysAgo: 2 },
        { tier: 'normal', tags: [], ltv: 0, lastContactDaysAgo: 100, createdDaysAgo: 300 },
        { tier: 'normal', tags: ['a'], ltv: 100000, lastContactDaysAgo: 10, createdDaysAgo: 20 },
      ];
      const now = t.clock.now().getTime();
      for (const spec of specs) {
        const c = await create(
          lead,
          {
            kind: 'person',
            displayName: `P ${people.length}`,
            tier: spec.tier,
            tags: spec.tags,
            lifetimeValueFen: spec.ltv,
          },
          segOrg,
        );
        await t.db.query(`UPDATE customers SET created_at = $2, last_contact_at = $3 WHERE id = $1`, [
          c.id,
          new Date(now - spec.createdDaysAgo * DAY),
          spec.lastContactDaysAgo === null ? null : new Date(now - spec.lastContactDaysAgo * DAY),
        ]);
        people.push({ id: c.id, ...spec });
      }
    });

    const members = async (rule: Record<string, unknown>) => {
      const seg = await t
        .http()
        .post(`${base(segOrg)}/customer-segments`)
        .set(lead.auth)
        .send({ name: `S ${Math.random()}`, rule })
        .expect(201);
      const res = await t
        .http()
        .get(`${base(segOrg)}/customer-segments/${seg.body.id}/members`)
        .set(lead.auth)
        .expect(200);
      return (res.body.items as { id: string }[]).map((c) => c.id).sort();
    };
    const expected = (pick: (p: (typeof people)[number]) => boolean) =>
      people
        .filter(pick)
        .map((p) => p.id)
        .sort();

    it('evaluates each condition and their combinations in SQL', async () => {
      expect(await members({ all: [{ tier: { in: ['vip', 'key'] } }] })).toEqual(
        expected((p) => ['vip', 'key'].includes(p.tier)),
      );
      expect(await members({ all: [{ tag: { has: 'a' } }] })).toEqual(expected((p) => p.tags.includes('a')));
      expect(await members({ all: [{ lifetimeValueFen: { gte: 100000 } }] })).toEqual(
        expected((p) => p.ltv >= 100000),
      );
      expect(await members({ all: [{ lastContact: { olderThanDays: 30 } }] })).toEqual(
        expected((p) => p.lastContactDaysAgo === null || p.lastContactDaysAgo > 30),
      );
      expect(await members({ all: [{ created: { withinDays: 7 } }] })).toEqual(
        expected((p) => p.createdDaysAgo <= 7),
      );
      expect(
        await members({
          any: [
            { all: [{ tier: { in: ['vip'] } }, { lifetimeValueFen: { gte: 100000 } }] },
            { all: [{ tag: { has: 'b' } }, { created: { withinDays: 7 } }] },
          ],
        }),
      ).toEqual(
        expected(
          (p) => (p.tier === 'vip' && p.ltv >= 100000) || (p.tags.includes('b') && p.createdDaysAgo <= 7),
        ),
      );
    });

    it('the customers list filters by segment within the caller scope', async () => {
      const seg = await t
        .http()
        .post(`${base(segOrg)}/customer-segments`)
        .set(lead.auth)
        .send({ name: 'All A', rule: { all: [{ tag: { has: 'a' } }] } })
        .expect(201);
      const list = await t
        .http()
        .get(`${base(segOrg)}/customers`)
        .query({ segment: seg.body.id })
        .set(lead.auth)
        .expect(200);
      expect(list.body.items.map((c: { id: string }) => c.id).sort()).toEqual(
        expected((p) => p.tags.includes('a')),
      );
      // The lead's customers sit in the root unit: a unit-scoped agent sees none of them.
      const scoped = await t
        .http()
        .get(`${base(segOrg)}/customer-segments/${seg.body.id}/members`)
        .set(teamLead.auth)
        .expect(200);
      expect(scoped.body.items).toEqual([]);
      // Segment definitions are organization-wide.
      const denied = await t
        .http()
        .post(`${base(segOrg)}/customer-segments`)
        .set(teamLead.auth)
        .send({ name: 'Nope', rule: { all: [{ tag: { has: 'a' } }] } });
      expect(denied.status).toBe(403);
      await t
        .http()
        .get(`${base(other)}/customer-segments/${seg.body.id}`)
        .set(outsider.auth)
        .expect(404);
      const dup = await t
        .http()
        .post(`${base(segOrg)}/customer-segments`)
        .set(lead.auth)
        .send({ name: 'all a', rule: { all: [{ tag: { has: 'a' } }] } });
      expect(dup.status).toBe(409);
    });

    it('refuses malformed rules with the offending part named', async () => {
      const bad: Record<string, unknown>[] = [
        { all: [] },
        { all: [{ tier: { in: ['gold'] } }] },
        { all: [{ lifetimeValueFen: { gte: -1 } }] },
        { all: [{ tag: { has: "x' OR 1=1 --" } }] },
        { all: [{ lastContact: { olderThanDays: 0 } }] },
        { all: [{ unknown: { eq: 1 } }] },
        { all: [{ any: [{ all: [{ any: [{ tier: { in: ['vip'] } }] }] }] }] },
        { none: [{ tier: { in: ['vip'] } }] },
      ];
      for (const rule of bad) {
        const res = await t
          .http()
          .post(`${base(segOrg)}/customer-segments`)
          .set(lead.auth)
          .send({ name: `Bad ${Math.random()}`, rule });
        expect({ rule, status: res.status }).toEqual({ rule, status: 400 });
        problem(res, 'validation_failed');
        expect(res.body.errors[0].field).toMatch(/^rule/);
      }
    });
  });

  describe('care', () => {
    let careOrg: FixtureOrg;
    let lead: TestUser;
    let owner: TestUser;
    let otherOwner: TestUser;
    const start = new Date('2030-03-02T02:00:00Z');
    /** Sessions last 30 days of the test clock: sign in again after moving it. */
    const signInAgain = async () => {
      for (const u of [lead, owner, otherOwner]) Object.assign(u, await signIn(t, u.id));
    };

    beforeAll(async () => {
      t.clock.set(start);
      careOrg = await insertOrg(t, { kind: 'brand', name: 'Care' });
      const unit = await insertUnit(t, careOrg, careOrg.rootUnitId, 'Care team');
      [lead, owner, otherOwner] = await Promise.all([makeUser(t), makeUser(t), makeUser(t)]);
      await insertMember(t, careOrg, lead.id, { grants: [{ role: 'service_supervisor' }] });
      for (const u of [owner, otherOwner]) {
        await insertMember(t, careOrg, u.id, {
          unitId: unit,
          grants: [{ role: 'service_agent', unitId: unit, scope: 'self' }],
        });
      }
    });

    it('opens one task per due VIP exactly once across two instances, lists it for the owner, and completing it records the contact', async () => {
      const plan = await t
        .http()
        .post(`${base(careOrg)}/customer-care-plans`)
        .set(lead.auth)
        .send({ tier: 'vip', intervalDays: 30 })
        .expect(201);
      expect(plan.body).toMatchObject({ tier: 'vip', intervalDays: 30, active: true });
      const dupPlan = await t
        .http()
        .post(`${base(careOrg)}/customer-care-plans`)
        .set(lead.auth)
        .send({ tier: 'vip', intervalDays: 7 });
      expect(dupPlan.status).toBe(409);
      const badPlan = await t
        .http()
        .post(`${base(careOrg)}/customer-care-plans`)
        .set(lead.auth)
        .send({ tier: 'key', intervalDays: 0 });
      expect(badPlan.status).toBe(400);
      const mine = await Promise.all(
        [0, 1].map((i) => create(owner, { kind: 'person', displayName: `VIP ${i}`, tier: 'vip' }, careOrg)),
      );
      const theirs = await create(
        otherOwner,
        { kind: 'person', displayName: 'VIP other', tier: 'vip' },
        careOrg,
      );
      await create(owner, { kind: 'person', displayName: 'Normal', tier: 'normal' }, careOrg);

      const second = await createTestApp({ databaseUrl: t.databaseUrl });
      try {
        const jobs = [t.get(CareTasksJob), second.get(CareTasksJob)];
        const runAll = async () => {
          second.clock.set(t.clock.now());
          return (await Promise.all([jobs[0].run(), jobs[1].run(), jobs[0].run(), jobs[1].run()])).reduce(
            (a, b) => a + b,
            0,
          );
        };
        expect(await runAll()).toBe(0); // nothing due yet
        t.clock.set(new Date(start.getTime() + 29 * DAY));
        expect(await runAll()).toBe(0); // a day early
        t.clock.set(new Date(start.getTime() + 30 * DAY));
        expect(await runAll()).toBe(3); // the three VIPs, once each
        expect(await runAll()).toBe(0);
        const [{ n }] = await t.db.query(
          `SELECT count(*)::int AS n FROM customer_care_tasks WHERE org_id = $1`,
          [careOrg.id],
        );
        expect(n).toBe(3);
        await signInAgain();

        const listed = await t
          .http()
          .get(`${base(careOrg)}/customer-care-tasks`)
          .query({ ownerId: 'me' })
          .set(owner.auth)
          .expect(200);
        expect(listed.body.items.map((x: { customerId: string }) => x.customerId).sort()).toEqual(
          mine.map((c) => c.id).sort(),
        );
        expect(listed.body.items[0]).toMatchObject({
          dueOn: '2030-04-01',
          status: 'open',
          ownerId: owner.id,
          tier: 'vip',
        });
        // Self scope: the other owner's task is not visible, nor completable.
        const foreignTask = await t.db.query(`SELECT id FROM customer_care_tasks WHERE customer_id = $1`, [
          theirs.id,
        ]);
        await t
          .http()
          .post(`${base(careOrg)}/customer-care-tasks/${foreignTask[0].id}/complete`)
          .set(owner.auth)
          .send({ note: 'x' })
          .expect(404);
        await t
          .http()
          .get(`${base(other)}/customer-care-tasks`)
          .set(owner.auth)
          .expect(404);

        const task = listed.body.items[0];
        const empty = await t
          .http()
          .post(`${base(careOrg)}/customer-care-tasks/${task.id}/complete`)
          .set(owner.auth)
          .send({ note: '' });
        expect(empty.status).toBe(400);
        const done = await t
          .http()
          .post(`${base(careOrg)}/customer-care-tasks/${task.id}/complete`)
          .set(owner.auth)
          .send({ note: '回访：满意' })
          .expect(200);
        expect(done.body).toMatchObject({ status: 'done', note: '回访：满意' });
        const twice = await t
          .http()
          .post(`${base(careOrg)}/customer-care-tasks/${task.id}/complete`)
          .set(owner.auth)
          .send({ note: 'again' });
        expect(twice.status).toBe(409);
        const profile = await t
          .http()
          .get(`${base(careOrg)}/customers/${task.customerId}`)
          .set(owner.auth)
          .expect(200);
        expect(profile.body.lastContactAt).toBe(t.clock.now().toISOString());
        const history = await t
          .http()
          .get(`${base(careOrg)}/customers/${task.customerId}/history`)
          .set(owner.auth)
          .expect(200);
        expect(history.body.items[0]).toMatchObject({
          kind: 'customer.care_contact',
          details: { note: '回访：满意' },
        });

        // The next contact falls due one interval after this one, and only then.
        expect(await runAll()).toBe(0);
        t.clock.set(new Date(start.getTime() + 60 * DAY));
        expect(await runAll()).toBe(1);
        const [next] = await t.db.query(
          `SELECT to_char(due_on, 'YYYY-MM-DD') AS due_on FROM customer_care_tasks WHERE customer_id = $1 AND status = 'open'`,
          [task.customerId],
        );
        expect(next.due_on).toBe('2030-05-01');
      } finally {
        await second.close();
      }
    });
  });
});
