import { randomUUID } from 'node:crypto';
import { PERMISSION_CODES, PermissionCode } from '../src/modules/access/permission-catalogue';
import { makeUser, TestUser } from './support/factories';
import { listOperations, loadSpec, OperationSpec } from './support/openapi-operations';
import {
  FixtureOrg,
  insertGrant,
  insertMember,
  insertOrg,
  insertUnit,
  PLATFORM_ORG,
} from './support/org-fixtures';
import { sampleValue } from './support/request-fuzz';
import { insertAccount, insertAssignment, insertAuthorization } from './support/social-fixtures';
import { createTestApp, TestApp } from './support/test-app';

/**
 * Every operation of the spec × the callers that must be refused, with the answer each must get:
 *
 * | caller                                                    | answer |
 * |-----------------------------------------------------------|--------|
 * | no credentials                                            | 401    |
 * | a member of another organization                          | 404    |
 * | a member of the organization without the permission       | 403    |
 * | a member holding it for the East unit, on a West row       | 404    |
 * | an agency member at East, on a brand account the agency assigned to West | 404 |
 *
 * Platform routes: a tenant's owner gets 404 (the platform organization is another tenant to it), a
 * platform member without the permission 403. Rows are
 * made in the West unit for every kind of path id the spec names; a new kind of id fails the test
 * until it gets a fixture here (or is listed as organization-wide). Refused writes must leave the
 * database as it was.
 */

/**
 * Bodies for the writes whose rules span fields (one of two fields, fields per kind), which a sampler
 * of the schema cannot meet: the refusal under test must come from access, not from validation.
 */
const VALID_BODIES: Record<string, (ids: { unitId: string }) => object> = {
  createMemberGrant: ({ unitId }) => ({ permission: 'content:read', unitId, scope: 'unit' }),
  // The East member tries to take West's account into East.
  assignAccount: ({ unitId }) => ({ unitId }),
  storeAccountCredentials: () => ({ kind: 'password', loginName: 'brand@example.com', password: 'secret-1' }),
  // Either a body or a canned reply: the sampler may give neither.
  createTicketMessage: () => ({ kind: 'internal_note', body: 'A note' }),
};

/** Path ids of rows that belong to no unit: the sibling-unit case does not apply to them. */
const ORGANIZATION_WIDE = new Set([
  'roleId',
  'keyId',
  'wordId',
  'authorizationId',
  'assignmentId',
  'taskId',
  'segmentId',
  'planId',
  'calendarId',
  'policyId',
  'cannedReplyId',
  'rebuildId',
  'funnelId',
]);
/** Ids outside any organization's routes (the caller's own rows, or platform queues). */
const NOT_TENANT_ROWS = new Set(['invitationId', 'id', 'requestId']);

interface Expectation {
  operation: OperationSpec;
  caller: string;
  expected: number;
  status: number;
}

describe('authorization matrix: every operation × every refused caller', () => {
  let t: TestApp;
  const spec = loadSpec();
  const operations = listOperations(spec).filter((op) => op.permission !== 'public');
  let brand: FixtureOrg;
  let east: string;
  let west: string;
  let owner: TestUser;
  let stranger: TestUser;
  let platformBystander: TestUser;
  const rows: Record<string, string> = {};
  let agency: FixtureOrg;
  let agencyEast: string;
  const agencyRows: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    brand = await insertOrg(t, { kind: 'brand' });
    east = await insertUnit(t, brand, brand.rootUnitId, 'East');
    west = await insertUnit(t, brand, brand.rootUnitId, 'West');
    owner = await makeUser(t);
    await insertMember(t, brand, owner.id, { grants: [{ role: 'owner' }] });

    const other = await insertOrg(t, { kind: 'brand' });
    stranger = await makeUser(t);
    await insertMember(t, other, stranger.id, { grants: [{ role: 'owner' }] });
    platformBystander = await makeUser(t);
    await insertMember(t, PLATFORM_ORG, platformBystander.id, { grants: [{ permission: 'org:read' }] });

    // West's rows, one for each kind of id in the paths.
    rows.unitId = west;
    const westMember = await makeUser(t);
    await insertMember(t, brand, westMember.id, { unitId: west });
    rows.userId = westMember.id;
    rows.grantId = await insertGrant(t, brand, westMember.id, {
      role: 'viewer',
      unitId: west,
      scope: 'unit',
    });
    rows.accountId = await insertAccount(t, brand, { unitId: west });
    const content = await t
      .http()
      .post(`/api/v1/orgs/${brand.id}/contents`)
      .set(owner.auth)
      .send({
        kind: 'post',
        title: 'West news',
        body: 'Hello from West',
        unitId: west,
        target: { kind: 'platform', channel: 'community' },
      })
      .expect(201);
    rows.contentId = content.body.id;
    const [customer] = await t.db.query(
      `INSERT INTO customers (org_id, unit_id, kind, display_name) VALUES ($1, $2, 'person', 'West customer') RETURNING id`,
      [brand.id, west],
    );
    rows.customerId = customer.id;
    const [point] = await t.db.query(
      `INSERT INTO customer_contact_points (org_id, customer_id, kind, value, is_primary)
       VALUES ($1, $2, 'phone', '+8613800009999', true) RETURNING id`,
      [brand.id, customer.id],
    );
    rows.contactPointId = point.id;
    // A West after-sales ticket with a step and a follow-up (tickets, steps and follow-ups are unit rows).
    const ticket = await t
      .http()
      .post(`/api/v1/orgs/${brand.id}/tickets`)
      .set(owner.auth)
      .send({
        type: 'after_sales',
        afterSalesKind: 'repair',
        channel: 'phone',
        subject: 'West repair',
        unitId: west,
      })
      .expect(201);
    rows.ticketId = ticket.body.id;
    const step = await t
      .http()
      .post(`/api/v1/orgs/${brand.id}/tickets/${rows.ticketId}/steps`)
      .set(owner.auth)
      .send({ title: 'Inspect' })
      .expect(201);
    rows.stepId = step.body.id;
    const [followUp] = await t.db.query(
      `INSERT INTO ticket_follow_ups (org_id, ticket_id, resolution_seq, status, due_at, created_at)
       SELECT $1, $2, seq, 'open', now(), now() FROM ticket_events WHERE ticket_id = $2 LIMIT 1 RETURNING id`,
      [brand.id, rows.ticketId],
    );
    rows.followUpId = followUp.id;
    // A West optimization goal (goals are unit rows measuring no account here).
    const [goal] = await t.db.query(
      `INSERT INTO analytics_goals (org_id, unit_id, name, metric, account_ids, include_unattributed, baseline_from,
         baseline_to, baseline_mean, target_value, direction, deadline, created_at, updated_at)
       VALUES ($1, $2, 'West goal', 'page_views', '{}', false, '2026-01-01', '2026-01-28', 10, 20, 'increase',
         now() + interval '30 days', now(), now()) RETURNING id`,
      [brand.id, west],
    );
    rows.goalId = goal.id;

    // An agency operating one of the brand's accounts, assigned to its West unit.
    agency = await insertOrg(t, { kind: 'agency' });
    agencyEast = await insertUnit(t, agency, agency.rootUnitId, 'East');
    const agencyWest = await insertUnit(t, agency, agency.rootUnitId, 'West');
    agencyRows.accountId = await insertAccount(t, brand);
    await insertAuthorization(t, brand, agency, [agencyRows.accountId]);
    agencyRows.assignmentId = await insertAssignment(t, agency, agencyRows.accountId, { unitId: agencyWest });
  });
  afterAll(() => t.close());

  /** A member holding exactly one permission, granted at `unitId` with `scope`. */
  async function memberWith(
    permission: PermissionCode,
    unitId: string,
    scope: 'org' | 'subtree',
    org: FixtureOrg = brand,
  ): Promise<TestUser> {
    const user = await makeUser(t);
    await insertMember(t, org, user.id, { unitId, grants: [{ permission, unitId, scope }] });
    return user;
  }

  const anotherPermission = (permission: string): PermissionCode =>
    PERMISSION_CODES.find((code) => code !== permission && !code.startsWith('platform:'))!;

  /** Where the requests point: an organization, its West rows, and the unit a body names. */
  type World = { org: FixtureOrg; rows: Record<string, string>; unitId: string };

  function urlFor(operation: OperationSpec, world: World): string {
    return operation.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      if (name === 'orgId') return world.org.id;
      return world.rows[name] ?? randomUUID();
    });
  }

  async function send(operation: OperationSpec, auth: Record<string, string>, world: World) {
    let call = t.http()[operation.method](urlFor(operation, world)).set(auth);
    const body = VALID_BODIES[operation.operationId]?.({ unitId: world.unitId });
    if (operation.jsonBody)
      call = call.send(body ?? (sampleValue(spec, operation.jsonBody.schema) as object));
    if (operation.textBody) call = call.set('Content-Type', operation.textBody.contentType).send('term');
    return call;
  }

  async function fingerprint(): Promise<Record<string, string>> {
    const tables: { name: string }[] = await t.db.query(
      `SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'migrations'
        ORDER BY table_name`,
    );
    const out: Record<string, string> = {};
    for (const { name } of tables) {
      const [{ digest }] = await t.db.query(
        `SELECT count(*) || ':' || coalesce(md5(string_agg(md5(r::text), '' ORDER BY md5(r::text))), '') AS digest
           FROM "${name}" r`,
      );
      out[name] = digest;
    }
    return out;
  }

  it('refuses each caller with the answer the table gives, and refused writes change nothing', async () => {
    // Every caller exists before the fingerprint, so any change after it is a refused request's doing.
    const tenantCodes = PERMISSION_CODES.filter((code) => !code.startsWith('platform:'));
    const without = new Map<string, TestUser>();
    const eastManagers = new Map<string, TestUser>();
    const agencyEastManagers = new Map<string, TestUser>();
    for (const code of tenantCodes) {
      without.set(code, await memberWith(anotherPermission(code), brand.rootUnitId, 'org'));
      eastManagers.set(code, await memberWith(code, east, 'subtree'));
      agencyEastManagers.set(code, await memberWith(code, agencyEast, 'subtree', agency));
    }
    const before = await fingerprint();
    const logsBefore: string[] = (await t.db.query(`SELECT id FROM operation_logs`)).map(
      (r: { id: string }) => r.id,
    );
    const results: Expectation[] = [];
    const record = async (
      operation: OperationSpec,
      caller: string,
      expected: number,
      auth: Record<string, string>,
      world: World = { org: brand, rows, unitId: west },
    ) => {
      const res = await send(operation, auth, world);
      results.push({ operation, caller, expected, status: res.status });
    };

    const unknownIds = new Set<string>();
    for (const operation of operations) {
      const pathIds = [...operation.path.matchAll(/\{(\w+)\}/g)]
        .map((m) => m[1])
        .filter((n) => n !== 'orgId');
      for (const id of pathIds)
        if (!(id in rows) && !ORGANIZATION_WIDE.has(id) && !NOT_TENANT_ROWS.has(id)) unknownIds.add(id);

      await record(operation, 'no credentials', 401, {});
      if (operation.permission === 'signed-in') continue;
      const permission = operation.permission as PermissionCode;

      if (permission.startsWith('platform:')) {
        await record(operation, "a tenant's owner", 404, owner.auth);
        await record(operation, 'platform member without it', 403, platformBystander.auth);
        continue;
      }
      await record(operation, 'another tenant', 404, stranger.auth);
      await record(operation, 'member without the permission', 403, without.get(permission)!.auth);
      if (pathIds.some((id) => id in rows)) {
        await record(operation, 'East member on a West row', 404, eastManagers.get(permission)!.auth);
      }
      if (pathIds.includes('accountId')) {
        const auth = agencyEastManagers.get(permission)!.auth;
        await record(operation, "agency East member on West's account", 404, auth, {
          org: agency,
          rows: agencyRows,
          unitId: agencyEast,
        });
      }
    }

    expect([...unknownIds]).toEqual([]);
    const wrong = results
      .filter((r) => r.status !== r.expected)
      .map((r) => `${r.operation.operationId} as ${r.caller}: expected ${r.expected}, got ${r.status}`);
    expect(wrong).toEqual([]);
    const changed = Object.entries(await fingerprint())
      .filter(([table, digest]) => table !== 'operation_logs' && before[table] !== digest)
      .map(([table]) => table);
    expect(changed).toEqual([]);
    // The operation log is the one exception by design: it records refused attempts, as failures only.
    const logged: { result: string; status_code: number }[] = await t.db.query(
      `SELECT result, status_code FROM operation_logs WHERE id <> ALL($1::uuid[])`,
      [logsBefore],
    );
    expect(logged.filter((entry) => entry.result !== 'failure' || entry.status_code < 400)).toEqual([]);
    // Every operation met at least the unauthenticated caller.
    expect(new Set(results.map((r) => r.operation.operationId)).size).toBe(operations.length);
  }, 300_000);
});
