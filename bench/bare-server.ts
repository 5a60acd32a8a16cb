import Fastify from 'fastify';
import { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import type { Statement } from './app-server';
import { answerParent } from './ipc';

/**
 * The reference the app is measured against: bare Fastify and `pg`, no Nest, no guards, no ORM.
 *   GET /hello    a constant JSON body (compare with the app's /health/live)
 *   GET /members  runs, in order, the statements the parent captured from the app serving the members
 *                 list (the access snapshot and the scoped page query), with the same parameters, and
 *                 answers the last result's rows as `{ items, nextCursor }`.
 *   GET /member   one member row by primary key (org_members joined to its user, both by primary key):
 *                 the physical floor of a request that needs one round trip to PostgreSQL.
 * Same pool size and session settings as the app's DataSource.
 */

/** A plain parameterized query, as a hand-written handler would send it (no named statement). */
const MEMBER_BY_KEY = `SELECT m.user_id, u.username, u.email, m.unit_id, m.status, m.joined_at
  FROM org_members m JOIN users u ON u.id = m.user_id
  WHERE m.org_id = $1 AND m.user_id = $2`;

async function main(): Promise<void> {
  const pool = new Pool({
    connectionString: process.env.DATABASE_URL,
    max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
    options: '-c TimeZone=UTC',
  });
  let statements: Statement[] = [];
  let memberKey: [string, string] | null = null;

  const app = Fastify({ logger: false });
  app.get('/hello', async () => ({ status: 'ok' }));
  app.get('/members', async (_request, reply) => {
    if (statements.length === 0) return reply.code(503).send({ error: 'no statements captured' });
    let rows: unknown[] = [];
    for (const statement of statements) rows = (await pool.query(statement.query, statement.parameters)).rows;
    return { items: rows, nextCursor: null };
  });

  app.get('/member', async (_request, reply) => {
    if (!memberKey) return reply.code(503).send({ error: 'no member key' });
    const { rows } = await pool.query(MEMBER_BY_KEY, memberKey);
    return rows[0] ?? reply.code(404).send({ error: 'no such member' });
  });

  answerParent({
    statements: async (message) => {
      statements = message.statements as Statement[];
      return { count: statements.length };
    },
    member: async (message) => {
      memberKey = [String(message.orgId), String(message.userId)];
      return {};
    },
  });
  process.once(
    'SIGTERM',
    () =>
      void app
        .close()
        .then(() => pool.end())
        .then(() => process.exit(0)),
  );

  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  process.send?.({ type: 'listening', port });
}

main().catch((error: unknown) => {
  process.send?.({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
