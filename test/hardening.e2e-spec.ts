import { makeUser, TestUser } from './support/factories';
import { FixtureOrg, insertMember, insertOrg, insertUnit } from './support/org-fixtures';
import { createTestApp, TestApp } from './support/test-app';

type Res = {
  status: number;
  headers: Record<string, string>;
  body: { code?: string; errors?: { field: string }[] };
};

/**
 * One regression test per finding of the hostile-input review (issue 9): each request here answered
 * a 500, an off-format error or a 2xx before. The fuzz test covers the same ground generically.
 */
describe('hardening: hostile input', () => {
  let t: TestApp;
  let org: FixtureOrg;
  let owner: TestUser;
  let unitId: string;
  const api = (path: string) => `/api/v1${path}`;
  const problem = (res: Res, status: number, code: string) => {
    expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  };
  const fields = (res: Res) => (res.body.errors ?? []).map((e) => e.field);

  beforeAll(async () => {
    t = await createTestApp();
    org = await insertOrg(t, { kind: 'brand' });
    owner = await makeUser(t);
    await insertMember(t, org, owner.id, { grants: [{ role: 'owner' }] });
    unitId = await insertUnit(t, org, org.rootUnitId, 'East');
  });
  afterAll(() => t.close());

  const postJson = (path: string, raw: string, auth: Record<string, string> = owner.auth) =>
    t.http().post(api(path)).set(auth).set('Content-Type', 'application/json').send(raw);

  describe('1. no 500', () => {
    it('refuses JSON nested 5,000 levels deep before anything recursive reads it', async () => {
      const deep = `{"name":"x","permissions":${'['.repeat(5000)}${']'.repeat(5000)}}`;
      problem(await postJson(`/orgs/${org.id}/roles`, deep), 400, 'nesting_too_deep');
      problem(
        await postJson('/auth/login', `{"login":${'['.repeat(5000)}${']'.repeat(5000)}}`, {}),
        400,
        'nesting_too_deep',
      );
      // Deep but within the limit is an ordinary validation error.
      problem(
        await postJson(
          `/orgs/${org.id}/roles`,
          `{"name":"x","permissions":${'['.repeat(20)}${']'.repeat(20)}}`,
        ),
        400,
        'validation_failed',
      );
    });

    it('refuses NUL and other control characters in body, query and cursor values', async () => {
      const login = await t
        .http()
        .post(api('/auth/login'))
        .send({ login: 'a\u0000b', password: 'whatever1' });
      problem(login, 400, 'validation_failed');
      expect(fields(login)).toEqual(['login']);
      const role = await t
        .http()
        .post(api(`/orgs/${org.id}/roles`))
        .set(owner.auth)
        .send({ name: 'R', description: 'bell\u0007', permissions: ['org:read'] });
      problem(role, 400, 'validation_failed');
      expect(fields(role)).toEqual(['description']);
      const grant = await t
        .http()
        .post(api(`/orgs/${org.id}/members/${owner.id}/grants`))
        .set(owner.auth)
        .send({ roleId: '\u0000', unitId, scope: 'unit' });
      problem(grant, 400, 'validation_failed');
      problem(
        await t
          .http()
          .get(api(`/orgs/${org.id}/contents?category=a%00b`))
          .set(owner.auth),
        400,
        'validation_failed',
      );
      problem(
        await t
          .http()
          .get(api(`/orgs/${org.id}/sensitive-words?q=%00`))
          .set(owner.auth),
        400,
        'validation_failed',
      );
      const cursor = Buffer.from(JSON.stringify({ v: 'x\u0000', id: 'y' })).toString('base64url');
      const paged = await t
        .http()
        .get(api(`/orgs/${org.id}/members?cursor=${cursor}`))
        .set(owner.auth);
      problem(paged, 400, 'validation_failed');
      expect(fields(paged)).toEqual(['cursor']);
      // Text keeps its newlines and tabs.
      await t
        .http()
        .post(api(`/orgs/${org.id}/roles`))
        .set(owner.auth)
        .send({ name: 'Tabbed', description: 'line one\n\tline two', permissions: ['org:read'] })
        .expect(201);
    });

    it('requires a required nested object: a content without target is a 400 naming it', async () => {
      const res = await t
        .http()
        .post(api(`/orgs/${org.id}/contents`))
        .set(owner.auth)
        .send({ kind: 'post', title: 'Hello', body: 'World' });
      problem(res, 400, 'validation_failed');
      expect(fields(res)).toContain('target');
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM contents WHERE org_id = $1`, [org.id]);
      expect(n).toBe(0);
    });

    it('answers parentId: null on a unit with a 400, leaving the unit where it was', async () => {
      const res = await t
        .http()
        .patch(api(`/orgs/${org.id}/units/${unitId}`))
        .set(owner.auth)
        .send({ parentId: null });
      problem(res, 400, 'validation_failed');
      expect(fields(res)).toEqual(['parentId']);
      const [unit] = await t.db.query(`SELECT parent_id FROM org_units WHERE id = $1`, [unitId]);
      expect(unit.parent_id).toBe(org.rootUnitId);
    });
  });

  describe('2. router errors are problem documents', () => {
    it('renders a malformed percent-encoding and an over-long id with their own codes and the usual headers', async () => {
      const bad = await t
        .http()
        .get(api(`/orgs/${org.id}/units/%E0%A4%A`))
        .set(owner.auth);
      problem(bad, 400, 'malformed_url');
      expect(bad.headers['x-request-id']).toBeTruthy();
      expect(bad.headers['x-content-type-options']).toBe('nosniff');
      const long = await t
        .http()
        .get(api(`/orgs/${org.id}/units/${'a'.repeat(300)}`))
        .set(owner.auth);
      problem(long, 414, 'path_parameter_too_long');
    });
  });

  describe('3. null only where the spec says nullable', () => {
    it('refuses null on optional fields and a literal null body, and a bare date for a date-time', async () => {
      const role = await t
        .http()
        .post(api(`/orgs/${org.id}/roles`))
        .set(owner.auth)
        .send({ name: 'Editors', permissions: ['org:read'] })
        .expect(201);
      const patchNull = await t
        .http()
        .patch(api(`/orgs/${org.id}/roles/${role.body.id}`))
        .set(owner.auth)
        .set('Content-Type', 'application/json')
        .send('null');
      problem(patchNull, 400, 'validation_failed');
      problem(
        await t
          .http()
          .patch(api(`/orgs/${org.id}/units/${unitId}`))
          .set(owner.auth)
          .set('Content-Type', 'application/json')
          .send('[]'),
        400,
        'validation_failed',
      );
      const draft = await t
        .http()
        .post(api(`/orgs/${org.id}/contents`))
        .set(owner.auth)
        .send({
          kind: 'post',
          title: 'Hello',
          body: 'World',
          target: { kind: 'platform', channel: 'community' },
        });
      expect(draft.status).toBe(201);
      for (const field of ['title', 'body', 'target', 'tags']) {
        const res = await t
          .http()
          .patch(api(`/orgs/${org.id}/contents/${draft.body.id}`))
          .set(owner.auth)
          .set('If-Match', draft.headers.etag)
          .send({ [field]: null });
        problem(res, 400, 'validation_failed');
        expect(fields(res)).toContain(field);
      }
      // publishAt is nullable: null clears the schedule.
      await t
        .http()
        .patch(api(`/orgs/${org.id}/contents/${draft.body.id}`))
        .set(owner.auth)
        .set('If-Match', draft.headers.etag)
        .send({ publishAt: null })
        .expect(200);
      const key = await t
        .http()
        .post(api(`/orgs/${org.id}/api-keys`))
        .set(owner.auth)
        .send({
          name: 'partner',
          expiresAt: '2030-01-31',
          grants: [{ roleId: role.body.id, unitId: org.rootUnitId, scope: 'org' }],
        });
      problem(key, 400, 'validation_failed');
      expect(fields(key)).toEqual(['expiresAt']);
      const effect = await t
        .http()
        .post(api(`/orgs/${org.id}/api-keys`))
        .set(owner.auth)
        .send({
          name: 'partner',
          grants: [{ roleId: role.body.id, unitId: org.rootUnitId, scope: 'org', effect: null }],
        });
      problem(effect, 400, 'validation_failed');
      problem(
        await t.http().post(api('/auth/logout')).set(owner.auth).send({ refreshToken: null }),
        400,
        'validation_failed',
      );
    });
  });
});
