import { randomUUID } from 'node:crypto';
import { apiClient, expectData, expectProblem } from './support/api-client';
import { makeUser, TestUser } from './support/factories';
import { FixtureOrg, insertMember, insertOrg, PLATFORM_ORG } from './support/org-fixtures';
import { createTestApp, TestApp } from './support/test-app';

interface LogRow {
  org_id: string | null;
  actor_user_id: string | null;
  api_key_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  method: string;
  route: string;
  path: string;
  status_code: number;
  result: string;
  ip: string | null;
  user_agent: string | null;
  request_id: string;
}

describe('operation logs', () => {
  let t: TestApp;
  let org: FixtureOrg;
  let otherOrg: FixtureOrg;
  let owner: TestUser;
  let viewer: TestUser;
  let selfReader: TestUser;
  let stranger: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    org = await insertOrg(t);
    otherOrg = await insertOrg(t, { kind: 'brand' });
    owner = await makeUser(t);
    viewer = await makeUser(t);
    selfReader = await makeUser(t);
    stranger = await makeUser(t);
    await insertMember(t, org, owner.id, { grants: [{ role: 'owner' }] });
    await insertMember(t, org, viewer.id, { grants: [{ role: 'viewer' }] });
    await insertMember(t, org, selfReader.id, {
      grants: [{ permission: 'operation-logs:read', scope: 'self' }],
    });
    await insertMember(t, otherOrg, stranger.id, { grants: [{ role: 'owner' }] });
  });
  afterAll(() => t.close());

  const logsOf = (requestId: string): Promise<LogRow[]> =>
    t.db.query(`SELECT * FROM operation_logs WHERE request_id = $1`, [requestId]);

  const insertNotification = async (userId: string): Promise<string> => {
    const [{ id }] = await t.db.query(
      `INSERT INTO notifications (user_id, type, title, body) VALUES ($1, 'test.note', 'n', 'b') RETURNING id`,
      [userId],
    );
    return id;
  };

  /** Log rows straight into the table (INSERT is the one thing it allows), for the list endpoint. */
  const insertLog = async (values: {
    orgId: string;
    actorUserId?: string | null;
    apiKeyId?: string | null;
    action?: string;
    result?: 'success' | 'failure';
    createdAt: Date;
  }): Promise<string> => {
    const [{ id }] = await t.db.query(
      `INSERT INTO operation_logs (org_id, actor_user_id, api_key_id, action, method, route, path, status_code, result,
                                   request_id, created_at)
       VALUES ($1, $2, $3, $4, 'POST', '/api/v1/x', '/api/v1/x', $5, $6, $7, $8) RETURNING id`,
      [
        values.orgId,
        values.actorUserId ?? null,
        values.apiKeyId ?? null,
        values.action ?? 'createThing',
        values.result === 'failure' ? 422 : 201,
        values.result ?? 'success',
        randomUUID(),
        values.createdAt,
      ],
    );
    return id;
  };

  describe('recording', () => {
    it('records a successful mutating request with actor, target, status, request id and client', async () => {
      const id = await insertNotification(owner.id);
      await t
        .http()
        .post(`/api/v1/notifications/${id}/read`)
        .set(owner.auth)
        .set('X-Request-Id', 'oplog-success-1')
        .set('User-Agent', 'oplog-test/1.0')
        .send({})
        .expect(204);
      const rows = await logsOf('oplog-success-1');
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        org_id: null,
        actor_user_id: owner.id,
        api_key_id: null,
        action: 'markNotificationRead',
        target_type: 'id',
        target_id: id,
        method: 'POST',
        route: '/api/v1/notifications/:id/read',
        path: `/api/v1/notifications/${id}/read`,
        status_code: 204,
        result: 'success',
        user_agent: 'oplog-test/1.0',
        request_id: 'oplog-success-1',
      });
      expect(rows[0].ip).toEqual(expect.any(String));
    });

    it('records a failed mutating request as a failure with its status', async () => {
      const missing = randomUUID();
      await t
        .http()
        .post(`/api/v1/notifications/${missing}/read`)
        .set(owner.auth)
        .set('X-Request-Id', 'oplog-failure-1')
        .expect(404);
      expect(await logsOf('oplog-failure-1')).toEqual([
        expect.objectContaining({
          actor_user_id: owner.id,
          action: 'markNotificationRead',
          target_id: missing,
          status_code: 404,
          result: 'failure',
        }),
      ]);

      await t
        .http()
        .post('/api/v1/notifications/not-a-uuid/read')
        .set(owner.auth)
        .set('X-Request-Id', 'oplog-failure-2')
        .expect(400);
      expect(await logsOf('oplog-failure-2')).toEqual([
        expect.objectContaining({ target_type: null, target_id: null, status_code: 400, result: 'failure' }),
      ]);
    });

    it('records a mutating request without a UUID in its path with no target', async () => {
      await t
        .http()
        .post('/api/v1/notifications/read-all')
        .set(viewer.auth)
        .set('X-Request-Id', 'oplog-all')
        .expect(204);
      expect(await logsOf('oplog-all')).toEqual([
        expect.objectContaining({
          actor_user_id: viewer.id,
          action: 'markAllNotificationsRead',
          target_type: null,
          target_id: null,
          status_code: 204,
        }),
      ]);
    });

    it('does not record reads, nor requests refused before reaching the operation', async () => {
      await t
        .http()
        .get('/api/v1/notifications')
        .set(owner.auth)
        .set('X-Request-Id', 'oplog-get')
        .expect(200);
      await t
        .http()
        .get(`/api/v1/orgs/${org.id}/operation-logs`)
        .set(owner.auth)
        .set('X-Request-Id', 'oplog-get-2')
        .expect(200);
      await t
        .http()
        .post('/api/v1/notifications/read-all')
        .set('X-Request-Id', 'oplog-anonymous')
        .expect(401);
      expect(await logsOf('oplog-get')).toHaveLength(0);
      expect(await logsOf('oplog-get-2')).toHaveLength(0);
      expect(await logsOf('oplog-anonymous')).toHaveLength(0);
    });

    it('does not record a POST declared as not an operation (the live moderation check)', async () => {
      await t
        .http()
        .post('/api/v1/moderation/check')
        .set(owner.auth)
        .set('X-Request-Id', 'oplog-check')
        .send({ text: '今天天气不错' })
        .expect(200);
      expect(await logsOf('oplog-check')).toHaveLength(0);
    });

    it('never stores a request body', async () => {
      const id = await insertNotification(owner.id);
      // The route takes no body; whatever is sent must not land in the log (passwords travel in bodies).
      await t
        .http()
        .post(`/api/v1/notifications/${id}/read`)
        .set(owner.auth)
        .set('X-Request-Id', 'oplog-body')
        .send({ password: 'hunter2-secret' });
      const [row] = await t.db.query(
        `SELECT row_to_json(l)::text AS json FROM operation_logs l WHERE request_id = 'oplog-body'`,
      );
      expect(row.json).not.toContain('hunter2-secret');
    });

    it("records an organization's operation under that organization, visible in its log", async () => {
      const res = await t
        .http()
        .post(`/api/v1/orgs/${org.id}/roles`)
        .set(owner.auth)
        .set('X-Request-Id', 'oplog-org-1')
        .send({ name: 'Auditors', permissions: ['operation-logs:read'] })
        .expect(201);
      const [row] = await logsOf('oplog-org-1');
      expect(row).toMatchObject({
        org_id: org.id,
        actor_user_id: owner.id,
        action: 'createRole',
        target_type: 'orgId',
        target_id: org.id,
        route: '/api/v1/orgs/:orgId/roles',
        status_code: 201,
        result: 'success',
      });
      const listed = await t
        .http()
        .get(`/api/v1/orgs/${org.id}/operation-logs?action=createRole&actorUserId=${owner.id}`)
        .set(owner.auth)
        .expect(200);
      expect(listed.body.items[0]).toMatchObject({ requestId: 'oplog-org-1', action: 'createRole' });
      expect(res.body.id).toEqual(expect.any(String));
    });

    it("records platform staff's reads of platform routes too, under the platform organization", async () => {
      const staff = await makeUser(t);
      await insertMember(t, PLATFORM_ORG, staff.id, { grants: [{ role: 'owner' }] });
      await t
        .http()
        .get('/api/v1/platform/verifications')
        .set(staff.auth)
        .set('X-Request-Id', 'oplog-platform')
        .expect(200);
      expect(await logsOf('oplog-platform')).toEqual([
        expect.objectContaining({
          org_id: PLATFORM_ORG.id,
          actor_user_id: staff.id,
          method: 'GET',
          route: '/api/v1/platform/verifications',
          status_code: 200,
          result: 'success',
        }),
      ]);
    });

    it('is append-only at the database: UPDATE, DELETE and TRUNCATE fail', async () => {
      const [{ count }] = await t.db.query(`SELECT count(*)::int AS count FROM operation_logs`);
      expect(count).toBeGreaterThan(0);
      await expect(t.db.query(`UPDATE operation_logs SET result = 'success'`)).rejects.toThrow(/append-only/);
      await expect(t.db.query(`DELETE FROM operation_logs`)).rejects.toThrow(/append-only/);
      await expect(t.db.query(`TRUNCATE operation_logs`)).rejects.toThrow(/append-only/);
      // Refused even when no row matches: the rule is on the statement, not on rows.
      await expect(t.db.query(`DELETE FROM operation_logs WHERE false`)).rejects.toThrow(/append-only/);
      const [{ count: after }] = await t.db.query(`SELECT count(*)::int AS count FROM operation_logs`);
      expect(after).toBe(count);
    });
  });

  describe('listOperationLogs', () => {
    const base = Date.parse('2026-01-10T00:00:00.000Z');
    const at = (minutes: number) => new Date(base + minutes * 60_000);
    let apiKeyId: string;
    let ids: Record<string, string>;

    beforeAll(async () => {
      apiKeyId = randomUUID();
      ids = {
        a: await insertLog({ orgId: org.id, actorUserId: owner.id, action: 'createRole', createdAt: at(1) }),
        b: await insertLog({ orgId: org.id, actorUserId: viewer.id, action: 'updateRole', createdAt: at(2) }),
        c: await insertLog({
          orgId: org.id,
          actorUserId: selfReader.id,
          action: 'deleteRole',
          result: 'failure',
          createdAt: at(3),
        }),
        d: await insertLog({ orgId: org.id, apiKeyId, action: 'createRole', createdAt: at(4) }),
        e: await insertLog({ orgId: org.id, actorUserId: owner.id, action: 'createUnit', createdAt: at(5) }),
        other: await insertLog({ orgId: otherOrg.id, actorUserId: stranger.id, createdAt: at(3) }),
      };
    });

    const list = async (user: TestUser, query = '', orgId = org.id) => {
      const res = await t
        .http()
        .get(`/api/v1/orgs/${orgId}/operation-logs${query}`)
        .set(user.auth)
        .expect(200);
      return res.body as { items: { id: string; [key: string]: unknown }[]; nextCursor: string | null };
    };
    const window = `from=${at(0).toISOString()}&to=${at(10).toISOString()}`;

    it("lists the organization's rows, newest first, page by page", async () => {
      const first = await list(owner, `?${window}&limit=2`);
      expect(first.items.map((i) => i.id)).toEqual([ids.e, ids.d]);
      const second = await list(owner, `?${window}&limit=2&cursor=${first.nextCursor}`);
      expect(second.items.map((i) => i.id)).toEqual([ids.c, ids.b]);
      const third = await list(owner, `?${window}&limit=2&cursor=${second.nextCursor}`);
      expect(third.items.map((i) => i.id)).toEqual([ids.a]);
      expect(third.nextCursor).toBeNull();
      expect(first.items[0]).toMatchObject({
        orgId: org.id,
        actorUserId: owner.id,
        apiKeyId: null,
        action: 'createUnit',
        method: 'POST',
        statusCode: 201,
        result: 'success',
        createdAt: at(5).toISOString(),
      });
    });

    it('filters by actor, API key, action, result and time', async () => {
      const ofOwner = await list(owner, `?${window}&actorUserId=${owner.id}`);
      expect(ofOwner.items.map((i) => i.id)).toEqual([ids.e, ids.a]);
      const ofKey = await list(owner, `?apiKeyId=${apiKeyId}`);
      expect(ofKey.items.map((i) => i.id)).toEqual([ids.d]);
      const creates = await list(owner, `?${window}&action=createRole`);
      expect(creates.items.map((i) => i.id)).toEqual([ids.d, ids.a]);
      const failures = await list(owner, `?${window}&result=failure`);
      expect(failures.items.map((i) => i.id)).toEqual([ids.c]);
      const between = await list(owner, `?from=${at(2).toISOString()}&to=${at(4).toISOString()}`);
      expect(between.items.map((i) => i.id)).toEqual([ids.d, ids.c, ids.b]);
    });

    it('shows a self-scoped reader only their own operations', async () => {
      const own = await list(selfReader, `?${window}`);
      expect(own.items.map((i) => i.id)).toEqual([ids.c]);
    });

    it('answers 403 to a member without operation-logs:read', async () => {
      const res = await t.http().get(`/api/v1/orgs/${org.id}/operation-logs`).set(viewer.auth).expect(403);
      expect(res.body).toMatchObject({ code: 'permission_denied' });
    });

    it("answers 404 for another tenant's log, and never mixes tenants", async () => {
      await t.http().get(`/api/v1/orgs/${org.id}/operation-logs`).set(stranger.auth).expect(404);
      const theirs = await list(stranger, `?${window}`, otherOrg.id);
      expect(theirs.items.map((i) => i.id)).toEqual([ids.other]);
      await t.http().get(`/api/v1/orgs/${otherOrg.id}/operation-logs`).set(owner.auth).expect(404);
    });

    it('refuses bad filters with 400 naming the field', async () => {
      const cases: [string, string][] = [
        ['actorUserId=nope', 'actorUserId'],
        ['apiKeyId=123', 'apiKeyId'],
        ['action=drop%20table', 'action'],
        ['result=maybe', 'result'],
        ['from=yesterday', 'from'],
        ['to=2026-13-45', 'to'],
        [`from=${at(5).toISOString()}&to=${at(1).toISOString()}`, 'to'],
        ['limit=0', 'limit'],
        ['limit=1000', 'limit'],
        ['cursor=bm90LWEtY3Vyc29y', 'cursor'],
        ['unknown=1', 'unknown'],
      ];
      for (const [query, field] of cases) {
        const res = await t.http().get(`/api/v1/orgs/${org.id}/operation-logs?${query}`).set(owner.auth);
        expect({ query, status: res.status }).toEqual({ query, status: 400 });
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      await t.http().get('/api/v1/orgs/not-a-uuid/operation-logs').set(owner.auth).expect(400);
    });

    it('requires authentication', async () => {
      await t.http().get(`/api/v1/orgs/${org.id}/operation-logs`).expect(401);
    });
  });

  it('records operations made through the generated client and lists them with filters', async () => {
    const audited = await insertOrg(t);
    await insertMember(t, audited, owner.id, { grants: [{ role: 'owner' }] });
    const client = apiClient(t, { accessToken: owner.token });
    const from = new Date(Date.now() - 1000).toISOString();
    const path = { orgId: audited.id };

    const role = expectData(
      await client.POST('/api/v1/orgs/{orgId}/roles', {
        params: { path },
        headers: { 'X-Request-Id': `client-create-${audited.id}` },
        body: { name: 'Client auditors', permissions: ['operation-logs:read'] },
      }),
      201,
    );
    const stale = await client.PATCH('/api/v1/orgs/{orgId}/roles/{roleId}', {
      params: { path: { ...path, roleId: role.id }, header: { 'If-Match': 'W/"99"' } },
      headers: { 'X-Request-Id': `client-update-${audited.id}` },
      body: { name: 'Renamed' },
    });
    expect(expectProblem(stale, 412).code).toBe('precondition_failed');

    const all = expectData(
      await client.GET('/api/v1/orgs/{orgId}/operation-logs', { params: { path, query: { from } } }),
      200,
    );
    expect(all.items.map((i) => i.action)).toEqual(['updateRole', 'createRole']);
    expect(all.items[1]).toMatchObject({
      orgId: audited.id,
      actorUserId: owner.id,
      apiKeyId: null,
      method: 'POST',
      route: '/api/v1/orgs/:orgId/roles',
      statusCode: 201,
      result: 'success',
      requestId: `client-create-${audited.id}`,
    });
    const failures = expectData(
      await client.GET('/api/v1/orgs/{orgId}/operation-logs', {
        params: { path, query: { from, result: 'failure', actorUserId: owner.id } },
      }),
      200,
    );
    expect(failures.items).toEqual([
      expect.objectContaining({
        action: 'updateRole',
        statusCode: 412,
        requestId: `client-update-${audited.id}`,
      }),
    ]);
    const none = expectData(
      await client.GET('/api/v1/orgs/{orgId}/operation-logs', {
        params: { path, query: { action: 'deleteRole' } },
      }),
      200,
    );
    expect(none).toEqual({ items: [], nextCursor: null });
    expect(await logsOf(`client-update-${audited.id}`)).toHaveLength(1);
  });
});
