import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

/**
 * The data bench:http loads: an agency with a three-level unit tree, BENCH_MEMBERS members across it,
 * and one caller holding the system role `analyst` (members:read) with scope `unit` on one team.
 */

export const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 200);
/** Members whose primary unit is the caller's unit: more than a page, so the list pages. */
export const IN_CALLER_UNIT = Math.min(60, MEMBERS);

export interface Seed {
  orgId: string;
  callerId: string;
  sessionId: string;
  unitCount: number;
}

const label = (id: string) => `u${id.replace(/-/g, '')}`;

/** An agency with a three-level unit tree, MEMBERS members across it, and one unit-scoped analyst. */
export async function seed(url: string): Promise<Seed> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    const tag = Date.now().toString(36);
    const userIds = Array.from({ length: MEMBERS + 1 }, () => randomUUID());
    const callerId = userIds[0];
    await client.query(
      `INSERT INTO users (id, username, email, phone, password_hash)
       SELECT id, 'bench_' || $2 || '_' || n, 'bench_' || $2 || '_' || n || '@example.com',
              '139' || lpad(n::text, 8, '0'), 'no-login'
       FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`,
      [userIds, tag],
    );

    const orgId = randomUUID();
    await client.query(
      `INSERT INTO organizations (id, kind, name, created_by) VALUES ($1, 'agency', 'Bench Agency', $2)`,
      [orgId, callerId],
    );

    // root → 4 departments → 3 teams each.
    const units: { id: string; parentId: string | null; name: string; path: string }[] = [];
    const root = { id: randomUUID(), parentId: null, name: 'Bench Agency' };
    units.push({ ...root, path: label(root.id) });
    for (let d = 1; d <= 4; d++) {
      const department = { id: randomUUID(), parentId: root.id, name: `Department ${d}` };
      const departmentPath = `${label(root.id)}.${label(department.id)}`;
      units.push({ ...department, path: departmentPath });
      for (let t = 1; t <= 3; t++) {
        const team = { id: randomUUID(), parentId: department.id, name: `Team ${d}.${t}` };
        units.push({ ...team, path: `${departmentPath}.${label(team.id)}` });
      }
    }
    for (const unit of units) {
      await client.query(
        `INSERT INTO org_units (id, org_id, parent_id, name, path) VALUES ($1, $2, $3, $4, $5::ltree)`,
        [unit.id, orgId, unit.parentId, unit.name, unit.path],
      );
    }

    // The caller sits in team 1.1; IN_CALLER_UNIT members share it, the rest spread over the other units.
    const callerUnit = units[2];
    const others = units.filter((u) => u !== callerUnit);
    const memberUnits = userIds.map((_, i) =>
      i <= IN_CALLER_UNIT ? callerUnit.id : others[i % others.length].id,
    );
    await client.query(
      `INSERT INTO org_members (org_id, user_id, unit_id, joined_at)
       SELECT $1, u, m, now() - (n || ' minutes')::interval
       FROM unnest($2::uuid[], $3::uuid[]) WITH ORDINALITY AS t(u, m, n)`,
      [orgId, userIds, memberUnits],
    );

    const {
      rows: [role],
    } = await client.query<{ id: string }>(
      `INSERT INTO roles (org_id, name, system_key, description) VALUES ($1, 'Analyst', 'analyst', 'Reads data and reports')
       RETURNING id`,
      [orgId],
    );
    await client.query(
      `INSERT INTO access_grants (org_id, user_id, role_id, unit_id, scope, effect) VALUES ($1, $2, $3, $4, 'unit', 'allow')`,
      [orgId, callerId, role.id, callerUnit.id],
    );

    const sessionId = randomUUID();
    await client.query(
      `INSERT INTO auth_sessions (id, user_id, expires_at) VALUES ($1, $2, now() + interval '1 day')`,
      [sessionId, callerId],
    );
    await client.query('COMMIT');
    // Planner statistics, as a database in service has them (autovacuum would gather them a bit later).
    await client.query('ANALYZE');
    return { orgId, callerId, sessionId, unitCount: units.length };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
