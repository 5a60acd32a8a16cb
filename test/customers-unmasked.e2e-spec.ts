import { CustomersService } from '../src/modules/customers/customers.service';
import { makeUser, TestUser } from './support/factories';
import { FixtureOrg, insertMember, insertOrg, insertUnit } from './support/org-fixtures';
import { createTestApp, TestApp } from './support/test-app';

/**
 * Unmasked customer lists over HTTP (`GET …/customers?unmasked=true` and segment members): who may ask,
 * which rows come in clear (those within the caller's customers:read-pii scope), one operation-log
 * entry per customer shown in clear, none for masked or refused reads, and exactly one when a stale
 * cached grant made the first run fail and the request was answered by a rerun.
 */
describe('customers: unmasked lists', () => {
  let t: TestApp;
  let org: FixtureOrg;
  let other: FixtureOrg;
  let teamA: string;
  let teamB: string;
  let supervisor: TestUser;
  let agentA: TestUser;
  let piiA: TestUser;
  let outsider: TestUser;
  const tag = `unmasked_${Date.now()}`;
  /** Customers made here: id, unit and the clear phone and email the test stored. */
  const people: { id: string; unit: 'A' | 'B'; phone: string; email: string }[] = [];

  const base = (o: FixtureOrg = org) => `/api/v1/orgs/${o.id}`;
  const list = (user: TestUser, query: Record<string, string> = {}, o: FixtureOrg = org) =>
    t
      .http()
      .get(`${base(o)}/customers`)
      .query({ tag, limit: '100', ...query })
      .set(user.auth);
  const logs = (action: string, actor: TestUser): Promise<{ target_id: string; request_id: string }[]> =>
    t.db.query(
      `SELECT target_id, request_id FROM operation_logs
        WHERE org_id = $1 AND action = $2 AND actor_user_id = $3 ORDER BY target_id`,
      [org.id, action, actor.id],
    );
  const ids = (pick: (p: (typeof people)[number]) => boolean) =>
    people
      .filter(pick)
      .map((p) => p.id)
      .sort();
  type Item = { id: string; masked: boolean; contactPoints: { kind: string; value: string }[] };
  const valuesOf = (item: Item) => Object.fromEntries(item.contactPoints.map((p) => [p.kind, p.value]));
  const clearOf = (id: string) => {
    const p = people.find((x) => x.id === id)!;
    return { phone: `+86${p.phone}`, email: p.email };
  };
  const maskedOf = (id: string) => {
    const p = people.find((x) => x.id === id)!;
    return { phone: `${p.phone.slice(0, 3)}****${p.phone.slice(-4)}`, email: `${p.email[0]}***@example.com` };
  };

  beforeAll(async () => {
    t = await createTestApp();
    org = await insertOrg(t, { kind: 'brand', name: 'Shop' });
    other = await insertOrg(t, { kind: 'brand', name: 'Other' });
    teamA = await insertUnit(t, org, org.rootUnitId, 'Team A');
    teamB = await insertUnit(t, org, org.rootUnitId, 'Team B');
    [supervisor, agentA, piiA, outsider] = await Promise.all(Array.from({ length: 4 }, () => makeUser(t)));
    await insertMember(t, org, supervisor.id, { grants: [{ role: 'service_supervisor' }] });
    await insertMember(t, org, agentA.id, {
      unitId: teamA,
      grants: [{ role: 'service_agent', unitId: teamA, scope: 'unit' }],
    });
    // Reads every customer, but personal data only of Team A's.
    await insertMember(t, org, piiA.id, {
      unitId: teamA,
      grants: [
        { permission: 'customers:read', scope: 'org' },
        { permission: 'customers:read-pii', unitId: teamA, scope: 'unit' },
      ],
    });
    await insertMember(t, other, outsider.id, { grants: [{ role: 'owner' }] });
    const specs: { unit: 'A' | 'B'; phone: string; email: string }[] = [
      { unit: 'A', phone: '13811110001', email: 'alice@example.com' },
      { unit: 'A', phone: '13811110002', email: 'bob@example.com' },
      { unit: 'B', phone: '13811110003', email: 'carol@example.com' },
    ];
    for (const spec of specs) {
      const res = await t
        .http()
        .post(`${base()}/customers`)
        .set(supervisor.auth)
        .send({
          kind: 'person',
          displayName: spec.email,
          tags: [tag],
          unitId: spec.unit === 'A' ? teamA : teamB,
          contactPoints: [
            { kind: 'phone', value: spec.phone },
            { kind: 'email', value: spec.email },
          ],
        });
      expect(res.status).toBe(201);
      people.push({ id: res.body.id as string, ...spec });
    }
  }, 60_000);
  afterAll(() => t.close());

  it('a holder of customers:read-pii over every row sees the list in clear, one record per customer', async () => {
    const res = await list(supervisor, { unmasked: 'true' }).expect(200);
    const items = res.body.items as Item[];
    expect(items.map((c) => c.id).sort()).toEqual(ids(() => true));
    for (const item of items) {
      expect(item.masked).toBe(false);
      expect(valuesOf(item)).toEqual(clearOf(item.id));
    }
    const entries = await logs('listCustomersUnmasked', supervisor);
    expect(entries.map((e) => e.target_id)).toEqual(ids(() => true));
    expect(new Set(entries.map((e) => e.request_id)).size).toBe(1);
    const [row] = await t.db.query(
      `SELECT method, route, path, status_code, result, target_type FROM operation_logs
        WHERE action = 'listCustomersUnmasked' AND target_id = $1`,
      [people[0].id],
    );
    expect(row).toEqual({
      method: 'GET',
      route: '/api/v1/orgs/:orgId/customers',
      path: `/api/v1/orgs/${org.id}/customers`,
      status_code: 200,
      result: 'success',
      target_type: 'customerId',
    });

    // The same list masked is not recorded.
    const masked = await list(supervisor).expect(200);
    for (const item of masked.body.items as Item[]) {
      expect(item.masked).toBe(true);
      expect(valuesOf(item)).toEqual(maskedOf(item.id));
    }
    expect(await logs('listCustomersUnmasked', supervisor)).toHaveLength(people.length);
  });

  it('without customers:read-pii, unmasked=true is 403 and the masked list stays open (its unit only)', async () => {
    const denied = await list(agentA, { unmasked: 'true' });
    expect(denied.status).toBe(403);
    expect(denied.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(denied.body.code).toBe('permission_denied');
    const masked = await list(agentA).expect(200);
    const items = masked.body.items as Item[];
    expect(items.map((c) => c.id).sort()).toEqual(ids((p) => p.unit === 'A'));
    for (const item of items) expect(valuesOf(item)).toEqual(maskedOf(item.id));
    expect(JSON.stringify(masked.body)).not.toContain('13811110001');
    expect(await logs('listCustomersUnmasked', agentA)).toEqual([]);
  });

  it('read-pii over one unit unmasks only that unit’s rows of a wider list, and records only those', async () => {
    const res = await list(piiA, { unmasked: 'true' }).expect(200);
    const items = res.body.items as Item[];
    expect(items.map((c) => c.id).sort()).toEqual(ids(() => true));
    for (const item of items) {
      const inA = people.find((p) => p.id === item.id)!.unit === 'A';
      expect(item.masked).toBe(!inA);
      expect(valuesOf(item)).toEqual(inA ? clearOf(item.id) : maskedOf(item.id));
    }
    expect((await logs('listCustomersUnmasked', piiA)).map((e) => e.target_id)).toEqual(
      ids((p) => p.unit === 'A'),
    );
  });

  it('another tenant’s customer list answers 404, unmasked or not', async () => {
    const queries: Record<string, string>[] = [{ unmasked: 'true' }, {}];
    for (const query of queries) {
      const res = await list(outsider, query);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      const mine = await list(supervisor, query, other);
      expect(mine.status).toBe(404);
    }
    expect(await logs('listCustomersUnmasked', outsider)).toEqual([]);
  });

  it('refuses a malformed unmasked with 400 naming the field', async () => {
    for (const value of ['maybe', '2', '']) {
      const res = await list(supervisor, { unmasked: value });
      expect({ value, status: res.status }).toEqual({ value, status: 400 });
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('unmasked');
    }
  });

  describe('segment members', () => {
    let segmentId: string;
    const members = (user: TestUser, query: Record<string, string> = {}) =>
      t
        .http()
        .get(`${base()}/customer-segments/${segmentId}/members`)
        .query({ limit: '100', ...query })
        .set(user.auth);

    beforeAll(async () => {
      const seg = await t
        .http()
        .post(`${base()}/customer-segments`)
        .set(supervisor.auth)
        .send({ name: 'Tagged', rule: { all: [{ tag: { has: tag } }] } })
        .expect(201);
      segmentId = seg.body.id as string;
    });

    it('follow the same rule: clear within read-pii scope, recorded per member, 403 and 400', async () => {
      const res = await members(piiA, { unmasked: 'true' }).expect(200);
      const items = res.body.items as Item[];
      expect(items.map((c) => c.id).sort()).toEqual(ids(() => true));
      for (const item of items) {
        const inA = people.find((p) => p.id === item.id)!.unit === 'A';
        expect(valuesOf(item)).toEqual(inA ? clearOf(item.id) : maskedOf(item.id));
      }
      const entries: { target_id: string; route: string }[] = await t.db.query(
        `SELECT target_id, route FROM operation_logs
          WHERE org_id = $1 AND action = 'listCustomerSegmentMembersUnmasked' AND actor_user_id = $2
          ORDER BY target_id`,
        [org.id, piiA.id],
      );
      expect(entries).toEqual(
        ids((p) => p.unit === 'A').map((id) => ({
          target_id: id,
          route: '/api/v1/orgs/:orgId/customer-segments/:segmentId/members',
        })),
      );

      const denied = await members(agentA, { unmasked: 'true' });
      expect(denied.status).toBe(403);
      expect(denied.body.code).toBe('permission_denied');
      const masked = await members(agentA).expect(200);
      expect((masked.body.items as Item[]).map((c) => c.id).sort()).toEqual(ids((p) => p.unit === 'A'));
      const bad = await members(supervisor, { unmasked: 'maybe' });
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field)).toContain('unmasked');
      const foreign = await t
        .http()
        .get(`${base(other)}/customer-segments/${segmentId}/members`)
        .query({ unmasked: 'true' })
        .set(outsider.auth);
      expect(foreign.status).toBe(404);
    });
  });

  it('records exactly once when a stale cached grant fails the first run and the rerun answers', async () => {
    const reader = await makeUser(t);
    await insertMember(t, org, reader.id, {
      unitId: teamA,
      grants: [
        { permission: 'customers:read', scope: 'org' },
        { permission: 'customers:read-pii', unitId: teamA, scope: 'unit' },
        { permission: 'customers:read-pii', unitId: teamB, scope: 'unit' },
      ],
    });
    // Warm the grant cache: these requests are allowed from cached grants (the pure-read path).
    await list(reader).expect(200);
    await list(reader).expect(200);
    expect(await logs('listCustomersUnmasked', reader)).toEqual([]);

    // Revoked in the database by no app code: the process's cached grants are now stale.
    await t.db.query(
      `DELETE FROM access_grants WHERE org_id = $1 AND user_id = $2 AND permission = 'customers:read-pii' AND unit_id = $3`,
      [org.id, reader.id, teamB],
    );
    const runs = jest.spyOn(t.get(CustomersService), 'list');
    try {
      const res = await list(reader, { unmasked: 'true' }).expect(200);
      // The first run (from the stale cache) failed in its page statement; the rerun answered.
      expect(runs).toHaveBeenCalledTimes(2);
      for (const item of res.body.items as Item[]) {
        const inA = people.find((p) => p.id === item.id)!.unit === 'A';
        expect(valuesOf(item)).toEqual(inA ? clearOf(item.id) : maskedOf(item.id));
      }
    } finally {
      runs.mockRestore();
    }
    const entries = await logs('listCustomersUnmasked', reader);
    expect(entries.map((e) => e.target_id)).toEqual(ids((p) => p.unit === 'A'));
    expect(new Set(entries.map((e) => e.request_id)).size).toBe(1);
  });
});
