import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { provisionServiceLevels } from '../src/modules/service-levels/provisioning';
import { SlaBreachSweep, SweepResult } from '../src/modules/ticket-slas/sla-breach-sweep';
import { OutboxService } from '../src/platform/notifications/outbox/outbox.service';
import { makeUser, TestUser } from './support/factories';
import { FixtureOrg, insertMember, insertOrg, insertUnit } from './support/org-fixtures';
import { createTestApp, TestApp } from './support/test-app';

const at = (local: string) => new Date(`${local}+08:00`);

type Reply = { id: number; error?: string; result?: SweepResult; pid?: number };

/** Waits for `promise` at most `ms`, leaving no timer behind (so Jest can exit). */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/**
 * The breach sweep's exactly-once guarantee across two OS processes on one database: this test's app
 * and a forked child process running the app (test/support/sweep-process.ts through
 * @swc-node/register) sweep at the same moment; every breached ticket is escalated, recorded and
 * notified exactly once. The child is always killed in afterAll.
 */
describe('ticket SLAs: two processes sweeping one database', () => {
  let t: TestApp;
  let org: FixtureOrg;
  let teamA: string;
  let supervisor: TestUser;
  let agent: TestUser;
  let child: ChildProcess | undefined;
  let nextId = 1;
  const pending = new Map<number, (reply: Reply) => void>();

  const ask = (message: Record<string, unknown>): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, (reply) => (reply.error ? reject(new Error(reply.error)) : resolve(reply)));
      child!.send({ ...message, id });
    });

  beforeAll(async () => {
    t = await createTestApp();
    org = await insertOrg(t, { kind: 'agency', name: 'Service Co' });
    await provisionServiceLevels(t.db, org.id);
    teamA = await insertUnit(t, org, org.rootUnitId, 'Team A');
    [supervisor, agent] = await Promise.all([makeUser(t), makeUser(t)]);
    await insertMember(t, org, supervisor.id, {
      unitId: teamA,
      grants: [{ role: 'service_supervisor', unitId: teamA, scope: 'subtree' }],
    });
    await insertMember(t, org, agent.id, {
      unitId: teamA,
      grants: [{ role: 'service_agent', unitId: teamA, scope: 'unit' }],
    });

    child = fork(join(__dirname, 'support', 'sweep-process.ts'), [], {
      execArgv: ['-r', '@swc-node/register'],
      env: { ...process.env, SWEEP_DATABASE_URL: t.databaseUrl, SWC_NODE_PROJECT: 'tsconfig.json' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const proc = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the sweep process did not start in time')), 150_000);
      proc.on('message', (message: Reply & { type?: string }) => {
        if (message.type === 'ready') {
          clearTimeout(timer);
          resolve();
          return;
        }
        pending.get(message.id)?.(message);
        pending.delete(message.id);
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the sweep process exited with ${code}`));
      });
    });
  }, 180_000);

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const proc = child;
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      await within(
        ask({ type: 'close' }).catch(() => undefined),
        10_000,
      );
      await within(exited, 10_000);
      // Closing failed or hung: the child is killed all the same.
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    }
    await t?.close();
  }, 60_000);

  it('escalates each breached ticket exactly once when both processes sweep at the same time', async () => {
    const created: string[] = [];
    t.clock.set(at('2026-04-01T09:00:00'));
    for (let i = 0; i < 40; i++) {
      const res = await t
        .http()
        .post(`/api/v1/orgs/${org.id}/tickets`)
        .set(agent.auth)
        .send({ channel: 'phone', type: 'complaint', subject: `Breach ${i}` });
      expect(res.status).toBe(201);
      created.push(res.body.id as string);
    }
    // Complaints: 900 working minutes from Wed 04-01 09:00 is Thu 04-02 18:00; the sweeps run Fri 10:00.
    const now = at('2026-04-03T10:00:00');
    t.clock.set(now);
    // Both start at the same wall-clock moment, half a second from now (IPC latency taken out).
    const startAt = Date.now() + 500;
    const [mine, theirs] = await Promise.all([
      new Promise((resolve) => setTimeout(resolve, startAt - Date.now())).then(() =>
        t.get(SlaBreachSweep).sweep(),
      ),
      ask({ type: 'sweep', now: now.toISOString(), startAt }),
    ]);
    expect(theirs.pid).not.toBe(process.pid);
    expect(mine.escalated + theirs.result!.escalated).toBe(created.length);
    expect(mine.breached + theirs.result!.breached).toBe(created.length);

    const counts: { ticket_id: string; state: string; breached: number; escalated: number; moves: number }[] =
      await t.db.query(
        `SELECT tk.id AS ticket_id, tk.state,
                (SELECT count(*)::int FROM ticket_sla_events e WHERE e.ticket_id = tk.id AND e.kind = 'breached') AS breached,
                (SELECT count(*)::int FROM ticket_sla_events e WHERE e.ticket_id = tk.id AND e.kind = 'escalated') AS escalated,
                (SELECT count(*)::int FROM ticket_events e WHERE e.ticket_id = tk.id AND e.action = 'escalate'
                    AND e.actor_kind = 'system') AS moves
           FROM tickets tk WHERE tk.id = ANY($1::uuid[])`,
        [created],
      );
    expect(counts).toHaveLength(created.length);
    for (const row of counts) {
      expect(row).toMatchObject({ state: 'escalated', breached: 1, escalated: 1, moves: 1 });
    }

    // The supervisor hears of each breach once, whichever process swept it.
    await t.get(OutboxService).drain();
    const notified: { data: { tickets: { ticketId: string }[] } }[] = await t.db.query(
      `SELECT data FROM notifications WHERE user_id = $1 AND type = 'tickets.sla.breached'`,
      [supervisor.id],
    );
    const ticketIds = notified.flatMap((n) => n.data.tickets.map((x) => x.ticketId));
    for (const id of created) expect(ticketIds.filter((x) => x === id)).toHaveLength(1);

    // Sweeping again in both processes finds nothing left.
    const [again, againThere] = await Promise.all([
      t.get(SlaBreachSweep).sweep(),
      ask({ type: 'sweep', now: now.toISOString() }),
    ]);
    expect(again.escalated + againThere.result!.escalated).toBe(0);
  }, 120_000);
});
