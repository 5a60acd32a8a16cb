import { randomUUID } from 'node:crypto';
import { requestFingerprint } from '../src/platform/idempotency/idempotency-key';
import { IdempotencyService, IN_PROGRESS_LEASE_MS } from '../src/platform/idempotency/idempotency.service';
import { apiClient, expectData, expectProblem } from './support/api-client';
import { makeUser, TestUser } from './support/factories';
import { FixtureOrg, insertMember, insertOrg } from './support/org-fixtures';
import { createTestApp, TestApp } from './support/test-app';

const CLEAN = '今天给大家分享一款平价好用的护手霜，质地清爽，不油腻。';

interface KeyRow {
  principal_kind: string;
  principal_id: string;
  key: string;
  method: string;
  route: string;
  request_hash: string;
  status: string;
  response_status: number | null;
  response_body: unknown;
  response_headers: Record<string, string>;
  created_at: Date;
  expires_at: Date;
}

type Caller = { auth: Record<string, string> };

/**
 * `Idempotency-Key` on the partner-facing creates: replays, key reuse, concurrency, failures, expiry,
 * per-caller scoping (users and API keys, two tenants).
 */
describe('idempotency keys', () => {
  let t: TestApp;
  let brand: FixtureOrg;
  let otherBrand: FixtureOrg;
  let owner: TestUser;
  let colleague: TestUser;
  let stranger: TestUser;

  const unitsOf = (org: FixtureOrg) => `/api/v1/orgs/${org.id}/units`;
  const createUnit = (caller: Caller, key: string | null, body: object, org = brand) => {
    const req = t.http().post(unitsOf(org)).set(caller.auth);
    if (key !== null) req.set('Idempotency-Key', key);
    return req.send(body);
  };
  const createContent = (caller: Caller, key: string, body: object = {}) =>
    t
      .http()
      .post(`/api/v1/orgs/${brand.id}/contents`)
      .set(caller.auth)
      .set('Idempotency-Key', key)
      .send({
        kind: 'post',
        title: '护手霜分享',
        body: CLEAN,
        target: { kind: 'platform', channel: 'community' },
        ...body,
      });
  const unitBody = (name: string, org = brand) => ({ name, parentId: org.rootUnitId });
  const unitCount = async (name: string, org = brand): Promise<number> => {
    const [{ count }] = await t.db.query(
      `SELECT count(*)::int AS count FROM org_units WHERE org_id = $1 AND name = $2`,
      [org.id, name],
    );
    return count;
  };
  const keyRows = (key: string): Promise<KeyRow[]> =>
    t.db.query(`SELECT * FROM idempotency_keys WHERE key = $1 ORDER BY created_at, principal_id`, [key]);
  /** A key row written directly, for states a test cannot reach over HTTP in a deterministic way. */
  const insertKeyRow = async (values: {
    principalId: string;
    key: string;
    requestHash: string;
    status?: 'in_progress' | 'completed';
    createdAt?: Date;
    expiresAt?: Date;
  }) => {
    const createdAt = values.createdAt ?? t.clock.now();
    await t.db.query(
      `INSERT INTO idempotency_keys (id, principal_kind, principal_id, key, method, route, request_hash, status,
                                     response_status, response_body, completed_at, created_at, expires_at)
       VALUES ($1, 'user', $2, $3, 'POST', '/api/v1/orgs/:orgId/units', $4, $5, $6, $7, $8, $9, $10)`,
      [
        randomUUID(),
        values.principalId,
        values.key,
        values.requestHash,
        values.status ?? 'in_progress',
        values.status === 'completed' ? 201 : null,
        values.status === 'completed' ? JSON.stringify({ stored: true }) : null,
        values.status === 'completed' ? createdAt : null,
        createdAt,
        values.expiresAt ?? new Date(createdAt.getTime() + 86_400_000),
      ],
    );
  };
  const fingerprintOfUnit = (name: string) => requestFingerprint('POST', unitsOf(brand), unitBody(name));

  beforeAll(async () => {
    t = await createTestApp();
    brand = await insertOrg(t, { kind: 'brand' });
    otherBrand = await insertOrg(t, { kind: 'brand' });
    [owner, colleague, stranger] = await Promise.all([makeUser(t), makeUser(t), makeUser(t)]);
    await insertMember(t, brand, owner.id, { grants: [{ role: 'owner' }] });
    await insertMember(t, brand, colleague.id, { grants: [{ role: 'owner' }] });
    await insertMember(t, otherBrand, stranger.id, { grants: [{ role: 'owner' }] });
  });
  afterAll(() => t.close());

  describe('replay', () => {
    it('answers a repeat with the stored status and body, marked as replayed, and creates one unit', async () => {
      const key = randomUUID();
      const first = await createUnit(owner, key, unitBody('Replay team'))
        .set('X-Request-Id', 'idem-first')
        .expect(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();

      const again = await createUnit(owner, key, unitBody('Replay team'))
        .set('X-Request-Id', 'idem-replay')
        .expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.headers['content-type']).toMatch(/application\/json/);
      expect(again.text).toBe(first.text);
      expect(await unitCount('Replay team')).toBe(1);

      const [row] = await keyRows(key);
      expect(row).toMatchObject({
        principal_kind: 'user',
        principal_id: owner.id,
        method: 'POST',
        route: '/api/v1/orgs/:orgId/units',
        status: 'completed',
        response_status: 201,
        response_body: first.body,
      });
      expect(row.request_hash).toBe(fingerprintOfUnit('Replay team'));
      expect(row.expires_at.getTime() - row.created_at.getTime()).toBe(24 * 3_600_000);

      // The replay ran no handler: it is not an operation of its own in the operation log.
      const logged = await t.db.query(
        `SELECT request_id FROM operation_logs WHERE request_id IN ('idem-first', 'idem-replay')`,
      );
      expect(logged).toEqual([{ request_id: 'idem-first' }]);
    });

    it('retries a create through the generated client: replayed once, refused for another body', async () => {
      const client = apiClient(t, { accessToken: owner.token });
      const key = randomUUID();
      const create = (title: string) =>
        client.POST('/api/v1/orgs/{orgId}/contents', {
          params: { path: { orgId: brand.id }, header: { 'Idempotency-Key': key } },
          body: { kind: 'post', title, body: CLEAN, target: { kind: 'platform', channel: 'community' } },
        });

      const first = await create('客户端重试');
      const created = expectData(first, 201);
      expect(created).toMatchObject({
        orgId: brand.id,
        title: '客户端重试',
        state: 'draft',
        ownerId: owner.id,
        revision: 1,
      });
      expect(first.response.headers.get('idempotent-replayed')).toBeNull();

      const retried = await create('客户端重试');
      expect(expectData(retried, 201)).toEqual(created);
      expect(retried.response.headers.get('idempotent-replayed')).toBe('true');
      expect(retried.response.headers.get('etag')).toBe(first.response.headers.get('etag'));

      const reused = expectProblem(await create('另一个标题'), 422);
      expect(reused.code).toBe('idempotency_key_reused');

      const rows = await t.db.query(`SELECT id FROM contents WHERE org_id = $1 AND title IN ($2, $3)`, [
        brand.id,
        '客户端重试',
        '另一个标题',
      ]);
      expect(rows).toEqual([{ id: created.id }]);
      const [row] = await keyRows(key);
      expect(row).toMatchObject({ principal_id: owner.id, status: 'completed', response_status: 201 });
    });

    it('treats the same JSON with other key order and spacing as the same request', async () => {
      const key = randomUUID();
      const first = await createUnit(owner, key, unitBody('Reordered')).expect(201);
      const again = await t
        .http()
        .post(unitsOf(brand))
        .set(owner.auth)
        .set('Idempotency-Key', key)
        .set('Content-Type', 'application/json')
        .send(`{ "parentId": "${brand.rootUnitId}",   "name": "Reordered" }`)
        .expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(await unitCount('Reordered')).toBe(1);
    });

    it('replays a created content with its ETag, creating one content', async () => {
      const key = randomUUID();
      const first = await createContent(owner, key, { title: '幂等的草稿' }).expect(201);
      expect(first.headers.etag).toBeDefined();
      const again = await createContent(owner, key, { title: '幂等的草稿' }).expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.headers.etag).toBe(first.headers.etag);
      expect(again.body).toEqual(first.body);
      const [{ count }] = await t.db.query(
        `SELECT count(*)::int AS count FROM contents WHERE org_id = $1 AND title = '幂等的草稿'`,
        [brand.id],
      );
      expect(count).toBe(1);
      const [row] = await keyRows(key);
      expect(row.response_headers).toEqual({ ETag: first.headers.etag });
    });

    it('changes nothing without the header, nor on routes not marked idempotent', async () => {
      await createUnit(owner, null, unitBody('No key A')).expect(201);
      await createUnit(owner, null, unitBody('No key B')).expect(201);
      const key = randomUUID();
      await t
        .http()
        .post('/api/v1/notifications/read-all')
        .set(owner.auth)
        .set('Idempotency-Key', key)
        .expect(204);
      expect(await keyRows(key)).toEqual([]);
    });
  });

  describe('a key reused for another request', () => {
    it('answers 422 idempotency_key_reused for another body, path or endpoint', async () => {
      const key = randomUUID();
      await createUnit(owner, key, unitBody('Original')).expect(201);

      const otherBody = await createUnit(owner, key, unitBody('Something else')).expect(422);
      expect(otherBody.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(otherBody.body).toMatchObject({ status: 422, code: 'idempotency_key_reused' });
      expect(await unitCount('Something else')).toBe(0);

      const otherEndpoint = await createContent(owner, key).expect(422);
      expect(otherEndpoint.body.code).toBe('idempotency_key_reused');

      // The stored response is untouched and still replayed for the original request.
      const again = await createUnit(owner, key, unitBody('Original')).expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
    });
  });

  describe('keys belong to their caller', () => {
    it('keeps the same key of another user, and of another tenant, independent', async () => {
      const key = `shared-${randomUUID()}`;
      const mine = await createUnit(owner, key, unitBody('Mine')).expect(201);
      // The very same request and key from another user is never answered with the owner's response:
      // it runs as theirs (and conflicts on the unit name).
      const same = await createUnit(colleague, key, unitBody('Mine')).expect(409);
      expect(same.body.code).toBe('duplicate');
      const theirs = await createUnit(colleague, key, unitBody('Theirs')).expect(201);
      expect(theirs.headers['idempotent-replayed']).toBeUndefined();
      expect(theirs.body.id).not.toBe(mine.body.id);

      const elsewhere = await createUnit(stranger, key, unitBody('Mine', otherBrand), otherBrand).expect(201);
      expect(elsewhere.headers['idempotent-replayed']).toBeUndefined();
      expect(await unitCount('Mine', otherBrand)).toBe(1);

      const rows = await keyRows(key);
      expect(rows.map((row) => row.principal_id).sort()).toEqual(
        [owner.id, colleague.id, stranger.id].sort(),
      );
    });

    it('scopes keys of an API key to that API key', async () => {
      const created = await t
        .http()
        .post(`/api/v1/orgs/${brand.id}/api-keys`)
        .set(owner.auth)
        .send({
          name: 'Partner sync',
          grants: [{ permission: 'units:manage', unitId: brand.rootUnitId, scope: 'org' }],
        })
        .expect(201);
      const partner = { auth: { 'X-API-Key': created.body.key as string } };
      const key = randomUUID();
      // The same key the owner (who made the API key) uses: still independent.
      await createUnit(owner, key, unitBody('Owner unit')).expect(201);

      const first = await createUnit(partner, key, unitBody('Partner unit')).expect(201);
      const again = await createUnit(partner, key, unitBody('Partner unit')).expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(await unitCount('Partner unit')).toBe(1);
      await createUnit(partner, key, unitBody('Partner other')).expect(422);

      const rows = await keyRows(key);
      expect(rows.map((row) => [row.principal_kind, row.principal_id]).sort()).toEqual(
        [
          ['api_key', created.body.id],
          ['user', owner.id],
        ].sort(),
      );
    });
  });

  describe('failed requests are not stored', () => {
    it('releases the key on a conflict, so the same request may be retried once fixed', async () => {
      const existing = await createUnit(owner, null, unitBody('Taken name')).expect(201);
      const key = randomUUID();
      const failed = await createUnit(owner, key, unitBody('Taken name')).expect(409);
      expect(failed.body.code).toBe('duplicate');
      expect(await keyRows(key)).toEqual([]);
      // Retrying runs the request again (no cached 409)…
      await createUnit(owner, key, unitBody('Taken name')).expect(409);

      // …and once the conflict is gone, the retry with the same key succeeds and is then replayed.
      await t.db.query(`UPDATE org_units SET name = 'Renamed' WHERE id = $1`, [existing.body.id]);
      const created = await createUnit(owner, key, unitBody('Taken name')).expect(201);
      expect(created.headers['idempotent-replayed']).toBeUndefined();
      const again = await createUnit(owner, key, unitBody('Taken name')).expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body.id).toBe(created.body.id);
    });

    it('releases the key on a validation error (400)', async () => {
      const key = randomUUID();
      const invalid = await createUnit(owner, key, { name: '', parentId: brand.rootUnitId }).expect(400);
      expect(invalid.body.code).toBe('validation_failed');
      expect(await keyRows(key)).toEqual([]);
      await createUnit(owner, key, unitBody('Fixed name')).expect(201);
      expect(await unitCount('Fixed name')).toBe(1);
    });
  });

  describe('concurrent requests', () => {
    it('answers 409 idempotency_key_in_use while the first request runs, then replays it', async () => {
      const key = randomUUID();
      // Hold the parent unit: the first request claims the key, then waits inside its INSERT (the
      // foreign key to the parent needs a share lock on it) until the lock is released.
      const blocker = t.db.createQueryRunner();
      await blocker.connect();
      await blocker.startTransaction();
      let first: Promise<{ status: number; body: { id: string } }> | undefined;
      try {
        await blocker.query(`SELECT id FROM org_units WHERE id = $1 FOR UPDATE`, [brand.rootUnitId]);
        first = createUnit(owner, key, unitBody('Concurrent')).then((res) => res);
        for (let i = 0; i < 200 && (await keyRows(key)).length === 0; i += 1) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        expect((await keyRows(key)).map((row) => row.status)).toEqual(['in_progress']);

        const second = await createUnit(owner, key, unitBody('Concurrent')).expect(409);
        expect(second.body.code).toBe('idempotency_key_in_use');
        expect(second.headers['retry-after']).toBe('1');
        // A different request under the key is a client bug, whatever the state of the first one.
        const mismatch = await createUnit(owner, key, unitBody('Other concurrent')).expect(422);
        expect(mismatch.body.code).toBe('idempotency_key_reused');
      } finally {
        await blocker.commitTransaction();
        await blocker.release();
      }
      const done = await first!;
      expect(done.status).toBe(201);
      const replayed = await createUnit(owner, key, unitBody('Concurrent')).expect(201);
      expect(replayed.headers['idempotent-replayed']).toBe('true');
      expect(replayed.body.id).toBe(done.body.id);
      expect(await unitCount('Concurrent')).toBe(1);
    });

    it('answers 409 for a key another request holds in progress', async () => {
      const key = randomUUID();
      await insertKeyRow({ principalId: owner.id, key, requestHash: fingerprintOfUnit('Held') });
      const res = await createUnit(owner, key, unitBody('Held')).expect(409);
      expect(res.body.code).toBe('idempotency_key_in_use');
      expect(await unitCount('Held')).toBe(0);
    });

    it('takes over an abandoned claim of the same request once its lease ended', async () => {
      const key = randomUUID();
      const longAgo = new Date(t.clock.now().getTime() - IN_PROGRESS_LEASE_MS - 1000);
      await insertKeyRow({
        principalId: owner.id,
        key,
        requestHash: fingerprintOfUnit('Abandoned'),
        createdAt: longAgo,
      });
      const res = await createUnit(owner, key, unitBody('Abandoned')).expect(201);
      expect(res.headers['idempotent-replayed']).toBeUndefined();
      const [row] = await keyRows(key);
      expect(row).toMatchObject({ status: 'completed', response_status: 201 });

      // An abandoned claim of another request still refuses a different request under the key.
      const otherKey = randomUUID();
      await insertKeyRow({
        principalId: owner.id,
        key: otherKey,
        requestHash: fingerprintOfUnit('Something'),
        createdAt: longAgo,
      });
      await createUnit(owner, otherKey, unitBody('Not abandoned')).expect(422);
    });
  });

  describe('malformed keys', () => {
    it.each([
      ['too long', 'k'.repeat(256)],
      ['non-ASCII', 'clé-é'],
      ['empty', ''],
    ])('answers 400 naming the header for a key that is %s', async (_, key) => {
      const res = await createUnit(owner, key, unitBody(`Bad key ${key.length}`)).expect(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors).toEqual([{ field: 'Idempotency-Key', message: expect.any(String) }]);
      expect(await unitCount(`Bad key ${key.length}`)).toBe(0);
    });

    it('answers 400 for the header sent twice', async () => {
      const res = await createUnit(owner, null, unitBody('Twice'))
        // Two header lines, which Node would join into one valid-looking "a, b".
        .set({ 'Idempotency-Key': ['a', 'b'] })
        .expect(400);
      expect(res.body.errors[0].field).toBe('Idempotency-Key');
    });

    it('accepts 255 printable characters, and the quoted form of the IETF draft as the same key', async () => {
      const key = `${'k'.repeat(250)} ~!@#`;
      await createUnit(owner, key, unitBody('Long key')).expect(201);
      const bare = `quoted-${randomUUID()}`;
      await createUnit(owner, `"${bare}"`, unitBody('Quoted key')).expect(201);
      const again = await createUnit(owner, bare, unitBody('Quoted key')).expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
    });
  });

  describe('expiry', () => {
    it('treats an expired key as new, and the daily prune deletes only expired keys', async () => {
      const key = randomUUID();
      const first = await createContent(owner, key, { title: '过期的键' }).expect(201);
      await t.db.query(`UPDATE idempotency_keys SET expires_at = $2 WHERE key = $1`, [
        key,
        new Date(t.clock.now().getTime() - 1000),
      ]);
      const fresh = await createContent(owner, key, { title: '过期的键' }).expect(201);
      expect(fresh.headers['idempotent-replayed']).toBeUndefined();
      expect(fresh.body.id).not.toBe(first.body.id);
      const [row] = await keyRows(key);
      expect(row.expires_at.getTime()).toBeGreaterThan(t.clock.now().getTime());

      const expiredKey = randomUUID();
      const liveKey = randomUUID();
      const past = new Date(t.clock.now().getTime() - 2 * 86_400_000);
      await insertKeyRow({
        principalId: colleague.id,
        key: expiredKey,
        requestHash: fingerprintOfUnit('x'),
        status: 'completed',
        createdAt: past,
        expiresAt: new Date(past.getTime() + 86_400_000),
      });
      await insertKeyRow({
        principalId: colleague.id,
        key: liveKey,
        requestHash: fingerprintOfUnit('x'),
        status: 'completed',
      });
      expect(await t.get(IdempotencyService).prune()).toBeGreaterThanOrEqual(1);
      expect(await keyRows(expiredKey)).toEqual([]);
      expect(await keyRows(liveKey)).toHaveLength(1);
      expect(await keyRows(key)).toHaveLength(1);
    });
  });
});
