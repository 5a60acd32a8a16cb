import { AfterSalesFollowUps } from '../src/modules/tickets/follow-ups';
import { OutboxService } from '../src/platform/notifications/outbox/outbox.service';
import { makeUser, TestUser } from './support/factories';
import { FixtureOrg, insertMember, insertOrg, insertUnit } from './support/org-fixtures';
import { createTestApp, TestApp } from './support/test-app';

const DAY = 86_400_000;

/**
 * Tickets end to end: opening and editing, the state table, queues and assignment, messages with
 * identity first and the sandbox connector, canned replies, after-sales steps and follow-ups.
 */
describe('tickets', () => {
  let t: TestApp;
  let org: FixtureOrg;
  let other: FixtureOrg;
  let teamA: string;
  let teamB: string;
  let supervisor: TestUser;
  let manager: TestUser;
  let a1: TestUser;
  let a2: TestUser;
  let agentB: TestUser;
  let viewer: TestUser;
  let otherOwner: TestUser;

  const api = (path: string) => `/api/v1/orgs/${org.id}${path}`;
  const problem = (res: { headers: Record<string, string>; body: { code: string } }, code: string) => {
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe(code);
  };
  const base = { type: 'consultation', channel: 'phone', subject: 'Where is my parcel?' };
  const open = async (user: TestUser, body: Record<string, unknown> = {}) =>
    (
      await t
        .http()
        .post(api('/tickets'))
        .set(user.auth)
        .send({ ...base, ...body })
        .expect(201)
    ).body;
  const act = (user: TestUser, id: string, action: string, body: Record<string, unknown> = {}) =>
    t
      .http()
      .post(api(`/tickets/${id}/${action}`))
      .set(user.auth)
      .send(body);

  beforeAll(async () => {
    t = await createTestApp();
    org = await insertOrg(t, { kind: 'agency', name: 'Service Co' });
    other = await insertOrg(t, { kind: 'agency', name: 'Other Co' });
    teamA = await insertUnit(t, org, org.rootUnitId, 'Team A');
    teamB = await insertUnit(t, org, org.rootUnitId, 'Team B');
    [supervisor, manager, a1, a2, agentB, viewer, otherOwner] = await Promise.all(
      Array.from({ length: 7 }, () => makeUser(t)),
    );
    await insertMember(t, org, supervisor.id, {
      unitId: teamA,
      grants: [{ role: 'service_supervisor', unitId: teamA, scope: 'subtree' }],
    });
    await insertMember(t, org, manager.id, {
      grants: [{ permission: 'service:manage', scope: 'org' }],
    });
    for (const user of [a1, a2]) {
      await insertMember(t, org, user.id, {
        unitId: teamA,
        grants: [{ role: 'service_agent', unitId: teamA, scope: 'unit' }],
      });
    }
    await insertMember(t, org, agentB.id, {
      unitId: teamB,
      grants: [{ role: 'service_agent', unitId: teamB, scope: 'unit' }],
    });
    await insertMember(t, org, viewer.id, { unitId: teamA, grants: [{ role: 'viewer' }] });
    await insertMember(t, other, otherOwner.id, { grants: [{ role: 'owner' }] });
  });
  afterAll(() => t.close());

  describe('opening, reading and editing', () => {
    it('opens a ticket in the agent’s unit, with the customer found or created from the contact', async () => {
      const contact = { name: '王芳', phone: '13800138000', email: 'wang@example.com' };
      const ticket = await open(a1, { contact, tags: ['vip'], orderRef: 'ORD-1001', priority: 'high' });
      expect(ticket).toMatchObject({
        unitId: teamA,
        state: 'new',
        priority: 'high',
        tags: ['vip'],
        orderRef: 'ORD-1001',
        contact: { name: '王芳', phone: '13800138000' },
        allowedActions: ['open', 'wait-for-customer', 'escalate', 'resolve'],
      });
      expect(ticket.customerId).toEqual(expect.any(String));
      const [{ n }] = await t.db.query(
        `SELECT count(*)::int AS n FROM customers WHERE org_id = $1 AND id = $2`,
        [org.id, ticket.customerId],
      );
      expect(n).toBe(1);
      // The same phone again finds the same profile.
      const again = await open(a2, { contact: { phone: '13800138000' } });
      expect(again.customerId).toBe(ticket.customerId);
      // An existing customer by id; another organization's id is a bad reference.
      const byId = await open(a1, { customerId: ticket.customerId });
      expect(byId.customerId).toBe(ticket.customerId);
      const foreign = await t
        .http()
        .post(`/api/v1/orgs/${other.id}/tickets`)
        .set(otherOwner.auth)
        .send({
          ...base,
          customerId: ticket.customerId,
        });
      expect(foreign.status).toBe(422);
      problem(foreign, 'reference_not_found');
    });

    it('refuses bad input with the field named', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ type: 'after_sales' }, 'afterSalesKind'],
        [{ afterSalesKind: 'repair' }, 'afterSalesKind'],
        [{ productRef: 'SKU-1' }, 'productRef'],
        [{ channel: 'fax' }, 'channel'],
        [{ priority: 'asap' }, 'priority'],
        [{ surprise: true }, 'surprise'],
        [{ subject: '' }, 'subject'],
      ];
      for (const [body, field] of cases) {
        const res = await t
          .http()
          .post(api('/tickets'))
          .set(a1.auth)
          .send({ ...base, ...body });
        expect(res.status).toBe(400);
        problem(res, 'validation_failed');
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
    });

    it('denies the wrong role (403), another tenant (404) and another unit (404)', async () => {
      const ticket = await open(a1);
      const write = await t.http().post(api('/tickets')).set(viewer.auth).send(base);
      expect(write.status).toBe(403);
      problem(write, 'permission_denied');
      await t
        .http()
        .get(api(`/tickets/${ticket.id}`))
        .set(otherOwner.auth)
        .expect(404);
      await t.http().get(`/api/v1/orgs/${other.id}/tickets/${ticket.id}`).set(otherOwner.auth).expect(404);
      await t
        .http()
        .get(api(`/tickets/${ticket.id}`))
        .set(agentB.auth)
        .expect(404);
      await act(agentB, ticket.id, 'resolve').expect(404);
      const listB = await t.http().get(api('/tickets')).set(agentB.auth).expect(200);
      expect(listB.body.items.map((i: { id: string }) => i.id)).not.toContain(ticket.id);
      // Team B's agent cannot open a ticket in Team A either.
      await t
        .http()
        .post(api('/tickets'))
        .set(agentB.auth)
        .send({ ...base, unitId: teamA })
        .expect(403);
    });

    it('lists with filters and cursor paging, inside the scope', async () => {
      const tag = `batch-${Date.now()}`;
      const made = [];
      for (let i = 0; i < 3; i++)
        made.push(await open(a2, { tags: [tag], priority: i === 0 ? 'urgent' : 'low' }));
      const page1 = await t
        .http()
        .get(api(`/tickets?tag=${tag}&limit=2`))
        .set(a1.auth)
        .expect(200);
      expect(page1.body.items).toHaveLength(2);
      const page2 = await t
        .http()
        .get(api(`/tickets?tag=${tag}&limit=2&cursor=${page1.body.nextCursor}`))
        .set(a1.auth)
        .expect(200);
      expect(page2.body.nextCursor).toBeNull();
      const ids = [...page1.body.items, ...page2.body.items].map((i: { id: string }) => i.id).sort();
      expect(ids).toEqual(made.map((m) => m.id).sort());
      const urgent = await t
        .http()
        .get(api(`/tickets?tag=${tag}&priority=urgent`))
        .set(a1.auth)
        .expect(200);
      expect(urgent.body.items.map((i: { id: string }) => i.id)).toEqual([made[0].id]);
      const fromB = await t
        .http()
        .get(api(`/tickets?tag=${tag}`))
        .set(agentB.auth)
        .expect(200);
      expect(fromB.body.items).toEqual([]);
      await t.http().get(api('/tickets?state=lost')).set(a1.auth).expect(400);
    });

    it('edits with If-Match (412 when stale) and records what changed', async () => {
      const ticket = await open(a1);
      const got = await t
        .http()
        .get(api(`/tickets/${ticket.id}`))
        .set(a1.auth)
        .expect(200);
      const etag = got.headers.etag;
      const edited = await t
        .http()
        .patch(api(`/tickets/${ticket.id}`))
        .set(a1.auth)
        .set('If-Match', etag)
        .send({ priority: 'urgent', subject: 'Parcel lost' })
        .expect(200);
      expect(edited.body).toMatchObject({ priority: 'urgent', subject: 'Parcel lost' });
      const stale = await t
        .http()
        .patch(api(`/tickets/${ticket.id}`))
        .set(a1.auth)
        .set('If-Match', etag)
        .send({ priority: 'low' });
      expect(stale.status).toBe(412);
      await t
        .http()
        .patch(api(`/tickets/${ticket.id}`))
        .set(a1.auth)
        .send({ solution: 'x' })
        .expect(400);
      const history = await t
        .http()
        .get(api(`/tickets/${ticket.id}/history`))
        .set(a1.auth)
        .expect(200);
      expect(history.body.map((e: { action: string }) => e.action)).toEqual(['created', 'updated']);
      expect(history.body[1].data).toMatchObject({ priority: { from: 'normal', to: 'urgent' } });
    });

    it('replays a create under the same Idempotency-Key', async () => {
      const first = await t
        .http()
        .post(api('/tickets'))
        .set(a1.auth)
        .set('Idempotency-Key', 'tk-1')
        .send(base);
      const second = await t
        .http()
        .post(api('/tickets'))
        .set(a1.auth)
        .set('Idempotency-Key', 'tk-1')
        .send(base);
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(second.body.id).toBe(first.body.id);
    });
  });

  describe('the state table', () => {
    it('walks allowed moves and records each with who, from, to and why', async () => {
      const ticket = await open(a1);
      const path: [string, string][] = [
        ['open', 'open'],
        ['wait-for-customer', 'pending_customer'],
        ['open', 'open'],
        ['escalate', 'escalated'],
        ['resolve', 'resolved'],
        ['reopen', 'reopened'],
        ['resolve', 'resolved'],
        ['close', 'closed'],
      ];
      for (const [action, state] of path) {
        const res = await act(
          a1,
          ticket.id,
          action,
          action === 'escalate' ? { reason: 'Needs a refund approval' } : {},
        );
        expect(res.status).toBe(200);
        expect(res.body.state).toBe(state);
      }
      const history = await t
        .http()
        .get(api(`/tickets/${ticket.id}/history`))
        .set(a1.auth)
        .expect(200);
      const moves = history.body.filter((e: { action: string }) => e.action !== 'created');
      expect(moves.map((e: { fromState: string; toState: string }) => [e.fromState, e.toState])).toEqual([
        ['new', 'open'],
        ['open', 'pending_customer'],
        ['pending_customer', 'open'],
        ['open', 'escalated'],
        ['escalated', 'resolved'],
        ['resolved', 'reopened'],
        ['reopened', 'resolved'],
        ['resolved', 'closed'],
      ]);
      expect(moves[3]).toMatchObject({
        reason: 'Needs a refund approval',
        actorUserId: a1.id,
        actorKind: 'user',
      });
    });

    it('refuses moves the table does not allow with 409 and the current state', async () => {
      const ticket = await open(a1);
      for (const action of ['close', 'reopen']) {
        const res = await act(a1, ticket.id, action);
        expect(res.status).toBe(409);
        problem(res, 'invalid_state');
        expect(res.body.currentState).toBe('new');
      }
      const noReason = await act(a1, ticket.id, 'escalate');
      expect(noReason.status).toBe(400);
      await act(a1, ticket.id, 'resolve').expect(200);
      for (const action of ['open', 'wait-for-customer', 'escalate', 'resolve']) {
        const res = await act(a1, ticket.id, action, { reason: 'x' });
        expect(res.status).toBe(409);
        expect(res.body.currentState).toBe('resolved');
      }
      await act(a1, ticket.id, 'close').expect(200);
      for (const action of ['open', 'reopen', 'resolve', 'close']) {
        const res = await act(a1, ticket.id, action);
        expect(res.status).toBe(409);
        expect(res.body.currentState).toBe('closed');
      }
    });
  });

  describe('assignment and queues', () => {
    it('assigns to a member of the queue; a member of another unit is not eligible; agents cannot assign', async () => {
      const ticket = await open(a1);
      const assigned = await act(supervisor, ticket.id, 'assign', { assigneeId: a2.id }).expect(200);
      expect(assigned.body.assigneeId).toBe(a2.id);
      const wrong = await act(supervisor, ticket.id, 'assign', { assigneeId: agentB.id });
      expect(wrong.status).toBe(422);
      problem(wrong, 'assignee_not_eligible');
      await act(a1, ticket.id, 'assign', { assigneeId: a1.id }).expect(403);
      await act(supervisor, ticket.id, 'assign', {}).expect(400);
    });

    it('lets an agent of the queue claim an unassigned ticket once', async () => {
      const ticket = await open(a1);
      expect(ticket.assigneeId).toBeNull();
      const claimed = await act(a2, ticket.id, 'claim').expect(200);
      expect(claimed.body.assigneeId).toBe(a2.id);
      const again = await act(a1, ticket.id, 'claim');
      expect(again.status).toBe(409);
      problem(again, 'ticket_already_assigned');
      await act(agentB, ticket.id, 'claim').expect(404);
    });

    it('shows a queue only within scope and lets service:manage set it', async () => {
      await t
        .http()
        .get(api(`/ticket-queues/${teamA}`))
        .set(agentB.auth)
        .expect(404);
      await t.http().get(`/api/v1/orgs/${other.id}/ticket-queues/${teamA}`).set(otherOwner.auth).expect(404);
      await t
        .http()
        .put(api(`/ticket-queues/${teamA}`))
        .set(a1.auth)
        .send({ autoAssign: 'round_robin' })
        .expect(403);
      await t
        .http()
        .put(api(`/ticket-queues/${teamA}`))
        .set(manager.auth)
        .send({ autoAssign: 'fastest' })
        .expect(400);
      const queue = await t
        .http()
        .get(api(`/ticket-queues/${teamA}`))
        .set(a1.auth)
        .expect(200);
      expect([...queue.body.agentIds].sort()).toEqual([supervisor.id, a1.id, a2.id].sort());
      expect(queue.body.autoAssign).toBe('none');
    });

    it('round-robin hands tickets to the queue’s agents in turn', async () => {
      await t
        .http()
        .put(api(`/ticket-queues/${teamA}`))
        .set(manager.auth)
        .send({ autoAssign: 'round_robin' })
        .expect(200);
      const order = [supervisor.id, a1.id, a2.id].sort();
      const got: string[] = [];
      for (let i = 0; i < 6; i++) got.push((await open(a1, {})).assigneeId);
      // Six turns over three agents: each twice, never the same twice in a row, in a fixed cycle.
      const start = order.indexOf(got[0]);
      expect(got).toEqual(Array.from({ length: 6 }, (_, i) => order[(start + i) % 3]));
      await t
        .http()
        .put(api(`/ticket-queues/${teamA}`))
        .set(manager.auth)
        .send({ autoAssign: 'none' })
        .expect(200);
    });

    it('round-robin stays fair when tickets arrive at the same time (the queue row is locked)', async () => {
      await t
        .http()
        .put(api(`/ticket-queues/${teamA}`))
        .set(manager.auth)
        .send({ autoAssign: 'round_robin' })
        .expect(200);
      const made = await Promise.all(Array.from({ length: 6 }, () => open(a1, {})));
      const counts = new Map<string, number>();
      for (const ticket of made) counts.set(ticket.assigneeId, (counts.get(ticket.assigneeId) ?? 0) + 1);
      expect([...counts.keys()].sort()).toEqual([supervisor.id, a1.id, a2.id].sort());
      expect([...counts.values()]).toEqual([2, 2, 2]);
      await t
        .http()
        .put(api(`/ticket-queues/${teamA}`))
        .set(manager.auth)
        .send({ autoAssign: 'none' })
        .expect(200);
    });

    it('a self scope sees only the tickets assigned to it', async () => {
      const selfAgent = await makeUser(t);
      await insertMember(t, org, selfAgent.id, {
        unitId: teamA,
        grants: [{ role: 'service_agent', unitId: teamA, scope: 'self' }],
      });
      const mine = await open(supervisor, { assigneeId: a1.id });
      const notMine = await open(a1);
      await act(supervisor, mine.id, 'assign', { assigneeId: a2.id }).expect(200);
      // selfAgent is not an agent of the queue (a self grant covers no unit), so it cannot be assigned...
      const refused = await act(supervisor, mine.id, 'assign', { assigneeId: selfAgent.id });
      expect(refused.status).toBe(422);
      // ...but it sees what is assigned to it, and nothing else.
      await t.db.query('UPDATE tickets SET assignee_id = $2 WHERE id = $1', [mine.id, selfAgent.id]);
      await t
        .http()
        .get(api(`/tickets/${mine.id}`))
        .set(selfAgent.auth)
        .expect(200);
      await t
        .http()
        .get(api(`/tickets/${notMine.id}`))
        .set(selfAgent.auth)
        .expect(404);
      const list = await t.http().get(api('/tickets?limit=100')).set(selfAgent.auth).expect(200);
      expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([mine.id]);
    });

    it('least-loaded hands a ticket to the agent with the fewest active tickets', async () => {
      const loads: Record<string, number> = {};
      for (const id of [supervisor.id, a1.id, a2.id]) {
        const [{ n }] = await t.db.query(
          `SELECT count(*)::int AS n FROM tickets WHERE org_id = $1 AND assignee_id = $2
             AND state NOT IN ('resolved', 'closed')`,
          [org.id, id],
        );
        loads[id] = n;
      }
      // Make a2 clearly the least loaded: give the others three more each.
      for (const id of [supervisor.id, a1.id]) {
        for (let i = 0; i < 3; i++) await open(supervisor, { assigneeId: id, unitId: teamA });
        loads[id] += 3;
      }
      await t
        .http()
        .put(api(`/ticket-queues/${teamA}`))
        .set(manager.auth)
        .send({ autoAssign: 'least_loaded' })
        .expect(200);
      const expected = Object.entries(loads).sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : 1))[0][0];
      const ticket = await open(a1);
      expect(ticket.assigneeId).toBe(expected);
      await t
        .http()
        .put(api(`/ticket-queues/${teamA}`))
        .set(manager.auth)
        .send({ autoAssign: 'none' })
        .expect(200);
    });
  });

  describe('messages', () => {
    it('requires the identity check before the first public reply (identity first)', async () => {
      const ticket = await open(a1, { contact: { name: 'Li Lei', phone: '13900001111' } });
      const note = await t
        .http()
        .post(api(`/tickets/${ticket.id}/messages`))
        .set(a1.auth)
        .send({ kind: 'internal_note', body: 'Customer sounds upset' })
        .expect(201);
      t.clock.advance(1000);
      expect(note.body.delivery).toBeNull();
      const early = await t
        .http()
        .post(api(`/tickets/${ticket.id}/messages`))
        .set(a1.auth)
        .send({ kind: 'public_reply', body: 'Hello' });
      expect(early.status).toBe(409);
      problem(early, 'identity_check_required');
      const noReason = await t
        .http()
        .post(api(`/tickets/${ticket.id}/identity-check`))
        .set(a1.auth)
        .send({ method: 'not_needed' });
      expect(noReason.status).toBe(400);
      expect(noReason.body.errors[0].field).toBe('reason');
      await t
        .http()
        .post(api(`/tickets/${ticket.id}/identity-check`))
        .set(a1.auth)
        .send({ method: 'fingerprint' })
        .expect(400);
      const checked = await t
        .http()
        .post(api(`/tickets/${ticket.id}/identity-check`))
        .set(a1.auth)
        .send({ method: 'order_number', reason: 'ORD-77' })
        .expect(200);
      expect(checked.body.identityCheck).toMatchObject({
        method: 'order_number',
        note: 'ORD-77',
        checkedBy: a1.id,
      });

      const reply = await t
        .http()
        .post(api(`/tickets/${ticket.id}/messages`))
        .set(a1.auth)
        .send({
          kind: 'public_reply',
          body: 'We are on it',
          attachments: [{ url: 'https://files.example.com/a.pdf', name: 'Label' }],
        })
        .expect(201);
      expect(reply.body.delivery).toMatchObject({ status: 'pending', connector: 'sandbox', attempts: 0 });
      await t.get(OutboxService).drain();
      const list = await t
        .http()
        .get(api(`/tickets/${ticket.id}/messages`))
        .set(a1.auth)
        .expect(200);
      expect(list.body.items.map((m: { kind: string }) => m.kind)).toEqual(['internal_note', 'public_reply']);
      expect(list.body.items[1].delivery).toMatchObject({ status: 'sent', attempts: 1, lastError: null });
      const deliveries = await t
        .http()
        .get(api(`/tickets/${ticket.id}/deliveries`))
        .set(a1.auth)
        .expect(200);
      expect(deliveries.body.items).toHaveLength(1);
      expect(deliveries.body.items[0]).toMatchObject({
        connector: 'sandbox',
        channel: 'phone',
        recipient: '13900001111',
        body: 'We are on it',
      });
      await t
        .http()
        .get(api(`/tickets/${ticket.id}/messages`))
        .set(agentB.auth)
        .expect(404);
    });

    it('refuses http attachments, a body with a canned reply, and any message on a closed ticket', async () => {
      const ticket = await open(a1);
      await t
        .http()
        .post(api(`/tickets/${ticket.id}/messages`))
        .set(a1.auth)
        .send({ kind: 'internal_note', body: 'x', attachments: [{ url: 'http://files.example.com/a.pdf' }] })
        .expect(400);
      await t
        .http()
        .post(api(`/tickets/${ticket.id}/messages`))
        .set(a1.auth)
        .send({ kind: 'internal_note' })
        .expect(400);
      await act(a1, ticket.id, 'resolve').expect(200);
      await act(a1, ticket.id, 'close').expect(200);
      const closed = await t
        .http()
        .post(api(`/tickets/${ticket.id}/messages`))
        .set(a1.auth)
        .send({ kind: 'internal_note', body: 'late' });
      expect(closed.status).toBe(409);
      expect(closed.body.currentState).toBe('closed');
    });

    it('keeps canned replies per organization and fills in their placeholders', async () => {
      const bad = await t
        .http()
        .post(api('/canned-replies'))
        .set(manager.auth)
        .send({ name: 'Bad', body: 'Hi {{customer.password}}' });
      expect(bad.status).toBe(400);
      await t.http().post(api('/canned-replies')).set(a1.auth).send({ name: 'Hi', body: 'Hi' }).expect(403);
      const created = await t
        .http()
        .post(api('/canned-replies'))
        .set(manager.auth)
        .send({
          name: 'Greeting',
          body: '您好 {{customer.name}}，关于「{{ticket.subject}}」我们会尽快处理。',
        })
        .expect(201);
      expect(created.body.placeholders).toEqual(['customer.name', 'ticket.subject']);
      await t
        .http()
        .post(api('/canned-replies'))
        .set(manager.auth)
        .send({ name: 'greeting', body: 'x' })
        .expect(409);
      await t
        .http()
        .get(api(`/canned-replies/${created.body.id}`))
        .set(otherOwner.auth)
        .expect(404);
      await t
        .http()
        .get(`/api/v1/orgs/${other.id}/canned-replies/${created.body.id}`)
        .set(otherOwner.auth)
        .expect(404);

      const ticket = await open(a1, { contact: { name: '张伟', phone: '13700001111' }, subject: '退货' });
      await t
        .http()
        .post(api(`/tickets/${ticket.id}/identity-check`))
        .set(a1.auth)
        .send({ method: 'phone_verification' })
        .expect(200);
      const reply = await t
        .http()
        .post(api(`/tickets/${ticket.id}/messages`))
        .set(a1.auth)
        .send({ kind: 'public_reply', cannedReplyId: created.body.id })
        .expect(201);
      expect(reply.body.body).toBe('您好 张伟，关于「退货」我们会尽快处理。');
      expect(reply.body.cannedReplyId).toBe(created.body.id);

      const got = await t
        .http()
        .get(api(`/canned-replies/${created.body.id}`))
        .set(a1.auth)
        .expect(200);
      await t
        .http()
        .patch(api(`/canned-replies/${created.body.id}`))
        .set(manager.auth)
        .set('If-Match', got.headers.etag)
        .send({ body: 'Hello {{customer.name}}' })
        .expect(200);
      await t
        .http()
        .patch(api(`/canned-replies/${created.body.id}`))
        .set(manager.auth)
        .set('If-Match', got.headers.etag)
        .send({ body: 'stale' })
        .expect(412);
      await t
        .http()
        .delete(api(`/canned-replies/${created.body.id}`))
        .set(manager.auth)
        .expect(204);
      await t
        .http()
        .delete(api(`/canned-replies/${created.body.id}`))
        .set(manager.auth)
        .expect(404);
    });
  });

  describe('after-sales', () => {
    it('keeps a checklist of steps with a responsible member and due dates', async () => {
      const ticket = await open(a1, {
        type: 'after_sales',
        afterSalesKind: 'repair',
        productRef: 'SKU-9',
        parts: [{ name: 'Hinge', quantity: 2 }],
      });
      expect(ticket).toMatchObject({
        afterSalesKind: 'repair',
        productRef: 'SKU-9',
        parts: [{ name: 'Hinge', partNumber: null, quantity: 2 }],
      });
      const due = new Date(t.clock.now().getTime() + 2 * DAY).toISOString();
      const step = await t
        .http()
        .post(api(`/tickets/${ticket.id}/steps`))
        .set(a1.auth)
        .send({ title: 'Receive item', responsibleId: a2.id, dueAt: due })
        .expect(201);
      expect(step.body).toMatchObject({ position: 1, responsibleId: a2.id, dueAt: due, done: false });
      await t
        .http()
        .post(api(`/tickets/${ticket.id}/steps`))
        .set(a1.auth)
        .send({ title: 'Inspect' })
        .expect(201);
      await t
        .http()
        .post(api(`/tickets/${ticket.id}/steps`))
        .set(a1.auth)
        .send({ title: 'Ship', responsibleId: otherOwner.id })
        .expect(422);
      const done = await t
        .http()
        .patch(api(`/tickets/${ticket.id}/steps/${step.body.id}`))
        .set(a2.auth)
        .send({ done: true })
        .expect(200);
      expect(done.body).toMatchObject({ done: true, doneBy: a2.id });
      const steps = await t
        .http()
        .get(api(`/tickets/${ticket.id}/steps`))
        .set(a1.auth)
        .expect(200);
      expect(steps.body.map((s: { title: string }) => s.title)).toEqual(['Receive item', 'Inspect']);
      const consultation = await open(a1);
      await t
        .http()
        .post(api(`/tickets/${consultation.id}/steps`))
        .set(a1.auth)
        .send({ title: 'x' })
        .expect(422);
      await t
        .http()
        .get(api(`/tickets/${ticket.id}/steps`))
        .set(agentB.auth)
        .expect(404);
    });

    it('creates the follow-up the set number of days after resolution, once, for the assignee', async () => {
      await t.http().put(api('/ticket-settings')).set(a1.auth).send({ followUpDays: 5 }).expect(403);
      await t.http().put(api('/ticket-settings')).set(manager.auth).send({ followUpDays: 0 }).expect(400);
      const ticket = await open(a1, { type: 'after_sales', afterSalesKind: 'replace' });
      await act(a2, ticket.id, 'claim').expect(200);
      const resolved = await act(a2, ticket.id, 'resolve').expect(200);
      const resolvedAt = new Date(resolved.body.resolvedAt).getTime();
      const jobs = t.get(AfterSalesFollowUps);
      const listFor = async (user: TestUser) =>
        (
          await t
            .http()
            .get(api(`/ticket-follow-ups?assigneeId=${user.id}`))
            .set(user.auth)
            .expect(200)
        ).body.items.filter((f: { ticketId: string }) => f.ticketId === ticket.id);

      t.clock.set(new Date(resolvedAt + 3 * DAY - 60_000));
      await jobs.openDue();
      expect(await listFor(a2)).toEqual([]);
      t.clock.set(new Date(resolvedAt + 3 * DAY));
      await jobs.openDue();
      await jobs.openDue();
      const followUps = await listFor(a2);
      expect(followUps).toHaveLength(1);
      expect(followUps[0]).toMatchObject({
        assigneeId: a2.id,
        status: 'open',
        dueAt: new Date(resolvedAt + 3 * DAY).toISOString(),
      });
      const [{ n }] = await t.db.query(
        `SELECT count(*)::int AS n FROM ticket_follow_ups WHERE ticket_id = $1`,
        [ticket.id],
      );
      expect(n).toBe(1);
      await t.get(OutboxService).drain();
      const [{ notes }] = await t.db.query(
        `SELECT count(*)::int AS notes FROM notifications WHERE user_id = $1 AND type = 'tickets.follow_up.due'`,
        [a2.id],
      );
      expect(notes).toBe(1);
      const fromB = await t.http().get(api('/ticket-follow-ups')).set(agentB.auth).expect(200);
      expect(fromB.body.items.map((f: { ticketId: string }) => f.ticketId)).not.toContain(ticket.id);

      const completed = await t
        .http()
        .post(api(`/ticket-follow-ups/${followUps[0].id}/complete`))
        .set(a2.auth)
        .send({ note: 'Works again' })
        .expect(200);
      expect(completed.body).toMatchObject({ status: 'done', note: 'Works again' });
      await t
        .http()
        .post(api(`/ticket-follow-ups/${followUps[0].id}/complete`))
        .set(a2.auth)
        .send({})
        .expect(409);

      // A different delay from the setting; reopening before it is due cancels it.
      await t.http().put(api('/ticket-settings')).set(manager.auth).send({ followUpDays: 5 }).expect(200);
      const second = await open(a1, { type: 'after_sales', afterSalesKind: 'return' });
      const r2 = await act(a1, second.id, 'resolve').expect(200);
      const [scheduled] = await t.db.query(`SELECT due_at FROM ticket_follow_ups WHERE ticket_id = $1`, [
        second.id,
      ]);
      expect(new Date(scheduled.due_at).getTime()).toBe(new Date(r2.body.resolvedAt).getTime() + 5 * DAY);
      await act(a1, second.id, 'reopen').expect(200);
      const [cancelled] = await t.db.query(`SELECT status FROM ticket_follow_ups WHERE ticket_id = $1`, [
        second.id,
      ]);
      expect(cancelled.status).toBe('cancelled');
    });
  });
});
