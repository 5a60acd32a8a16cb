import { CustomerDirectory } from '../src/modules/customers/customer-directory';
import { makeUser, TestUser } from './support/factories';
import { FixtureOrg, insertMember, insertOrg, insertUnit } from './support/org-fixtures';
import { createTestApp, TestApp } from './support/test-app';

/** The directory other modules (tickets) use: find-or-create by contact point, find, summaries. */
describe('customer directory', () => {
  let t: TestApp;
  let directory: CustomerDirectory;
  let org: FixtureOrg;
  let other: FixtureOrg;
  let agent: TestUser;
  let team: string;

  beforeAll(async () => {
    t = await createTestApp();
    directory = t.get(CustomerDirectory);
    org = await insertOrg(t, { kind: 'brand' });
    other = await insertOrg(t, { kind: 'brand' });
    team = await insertUnit(t, org, org.rootUnitId, 'Service');
    agent = await makeUser(t);
    await insertMember(t, org, agent.id, {
      unitId: team,
      grants: [{ role: 'service_agent', unitId: team, scope: 'unit' }],
    });
  });
  afterAll(() => t.close());

  it('creates a profile once and finds it again by any of its contact points, written another way', async () => {
    const first = await t.db.transaction((m) =>
      directory.resolve(
        m,
        org.id,
        { name: '王小明', phone: '138 0013 8000', email: 'Xiao@Example.com' },
        agent.id,
      ),
    );
    expect(first).toEqual({ id: expect.any(String), tier: 'normal', created: true });
    const [row] = await t.db.query(`SELECT unit_id, display_name, kind FROM customers WHERE id = $1`, [
      first.id,
    ]);
    expect(row).toEqual({ unit_id: team, display_name: '王小明', kind: 'person' });
    const points = await t.db.query(
      `SELECT kind, value FROM customer_contact_points WHERE customer_id = $1 ORDER BY kind`,
      [first.id],
    );
    expect(points).toEqual([
      { kind: 'email', value: 'xiao@example.com' },
      { kind: 'phone', value: '+8613800138000' },
    ]);

    const byPhone = await t.db.transaction((m) =>
      directory.resolve(m, org.id, { phone: '+8613800138000' }, null),
    );
    expect(byPhone).toEqual({ id: first.id, tier: 'normal', created: false });
    const byEmail = await t.db.transaction((m) =>
      directory.resolve(m, org.id, { email: 'xiao@EXAMPLE.com' }, null),
    );
    expect(byEmail.id).toBe(first.id);
    // Another organization's customers are never matched.
    const elsewhere = await t.db.transaction((m) =>
      directory.resolve(m, other.id, { phone: '13800138000' }, null),
    );
    expect(elsewhere.created).toBe(true);
    expect(elsewhere.id).not.toBe(first.id);
  });

  it('refuses an invalid phone with a validation error naming the field', async () => {
    await expect(
      t.db.transaction((m) => directory.resolve(m, org.id, { phone: '12345' }, null)),
    ).rejects.toMatchObject({ status: 400, options: { errors: [{ field: 'phone' }] } });
  });

  it('concurrent resolves of one new phone make one profile', async () => {
    const results = await Promise.all(
      [0, 1, 2].map(() =>
        t.db.transaction((m) => directory.resolve(m, org.id, { phone: '13900001111' }, null)),
      ),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });

  it('finds within the organization only, follows merges, and masks summaries', async () => {
    const a = await t.db.transaction((m) =>
      directory.resolve(m, org.id, { company: 'ACME', email: 'ops@acme.cn' }, null),
    );
    const b = await t.db.transaction((m) =>
      directory.resolve(m, org.id, { name: 'B', phone: '13700001234' }, null),
    );
    await t.db.query(`UPDATE customers SET status = 'merged', merged_into = $2 WHERE id = $1`, [a.id, b.id]);
    expect(await directory.find(null, org.id, a.id)).toEqual({ id: b.id, tier: 'normal' });
    expect(await directory.find(null, other.id, b.id)).toBeNull();

    const masked = await directory.summaries(org.id, [a.id, b.id], { unmasked: false });
    expect(masked.get(a.id)).toEqual({
      id: b.id,
      displayName: 'B',
      kind: 'person',
      tier: 'normal',
      phone: '137****1234',
      email: null,
    });
    const clear = await directory.summaries(org.id, [b.id], { unmasked: true });
    expect(clear.get(b.id)?.phone).toBe('+8613700001234');
    expect((await directory.summaries(other.id, [b.id], { unmasked: false })).size).toBe(0);
  });
});
