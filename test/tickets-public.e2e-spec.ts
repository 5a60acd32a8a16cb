import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { OutboxService } from '../src/platform/notifications/outbox/outbox.service';
import { makeUser, TestUser } from './support/factories';
import { FixtureOrg, insertMember, insertOrg, systemRoleId } from './support/org-fixtures';
import { createTestApp, TestApp } from './support/test-app';

const DAY = 86_400_000;

interface Received {
  to: string[];
  raw: string;
}

/**
 * The customer's side of tickets: opening one through a challenge or a partner's API key, the signed
 * per-ticket link (isolation, no internal notes), reopening within 7 days and a new linked ticket after,
 * and public replies sent by email through a real local SMTP server, retried after a failure.
 */
describe('tickets: public side and email', () => {
  let t: TestApp;
  let smtp: SMTPServer;
  let org: FixtureOrg;
  let other: FixtureOrg;
  let agent: TestUser;
  let owner: TestUser;
  const received: Received[] = [];
  let refuseNext = 0;

  const pub = (path: string) => `/api/v1/public${path}`;
  const api = (path: string) => `/api/v1/orgs/${org.id}${path}`;
  const solve = async (orgId: string) => {
    const res = await t
      .http()
      .get(pub(`/orgs/${orgId}/ticket-challenge`))
      .expect(200);
    const [, a, b] = /What is (\d+) \+ (\d+)\?/.exec(res.body.question)!;
    return {
      token: res.body.token as string,
      answer: String(Number(a) + Number(b)),
      wrong: String(Number(a) + Number(b) + 1),
    };
  };
  const request = {
    subject: 'My kettle leaks',
    description: 'Since Monday',
    contact: { name: 'Chen', email: 'chen@example.com' },
  };
  const openPublic = async () => {
    const c = await solve(org.id);
    const res = await t
      .http()
      .post(pub(`/orgs/${org.id}/tickets`))
      .send({ ...request, challenge: { token: c.token, answer: c.answer } })
      .expect(201);
    return res.body as { ticketId: string; replyToken: string; state: string };
  };

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        let raw = '';
        stream.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
        stream.on('end', () => {
          if (refuseNext > 0) {
            refuseNext -= 1;
            const error = Object.assign(new Error('Mailbox busy, try later'), { responseCode: 451 });
            return callback(error);
          }
          received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const port = (smtp.server.address() as AddressInfo).port;
    t = await createTestApp({ env: { SMTP_URL: `smtp://127.0.0.1:${port}` } });
    org = await insertOrg(t, { kind: 'brand', name: 'Kettle Co' });
    other = await insertOrg(t, { kind: 'brand', name: 'Other Co' });
    [agent, owner] = await Promise.all([makeUser(t), makeUser(t)]);
    await insertMember(t, org, agent.id, { grants: [{ role: 'service_agent', scope: 'org' }] });
    await insertMember(t, org, owner.id, { grants: [{ role: 'owner' }] });
  });
  afterAll(async () => {
    delete process.env.SMTP_URL;
    await t.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  describe('opening a ticket', () => {
    it('opens with a solved challenge, once; a wrong, reused or missing answer is refused', async () => {
      const c = await solve(org.id);
      const wrong = await t
        .http()
        .post(pub(`/orgs/${org.id}/tickets`))
        .send({ ...request, challenge: { token: c.token, answer: c.wrong } });
      expect(wrong.status).toBe(422);
      expect(wrong.body.code).toBe('challenge_failed');
      const ok = await t
        .http()
        .post(pub(`/orgs/${org.id}/tickets`))
        .send({ ...request, challenge: { token: c.token, answer: c.answer } })
        .expect(201);
      expect(ok.body.state).toBe('new');
      const again = await t
        .http()
        .post(pub(`/orgs/${org.id}/tickets`))
        .send({ ...request, challenge: { token: c.token, answer: c.answer } });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('challenge_used');
      // A challenge of one organization does not open tickets in another.
      const c2 = await solve(org.id);
      const elsewhere = await t
        .http()
        .post(pub(`/orgs/${other.id}/tickets`))
        .send({ ...request, challenge: { token: c2.token, answer: c2.answer } });
      expect(elsewhere.status).toBe(422);
      await t
        .http()
        .post(pub(`/orgs/${org.id}/tickets`))
        .send(request)
        .expect(401);
      await t
        .http()
        .post(pub(`/orgs/${org.id}/tickets`))
        .send({ ...request, contact: { name: 'No way to reach' } })
        .expect(400);

      const stored = await t
        .http()
        .get(api(`/tickets/${ok.body.ticketId}`))
        .set(agent.auth)
        .expect(200);
      expect(stored.body).toMatchObject({
        source: 'public',
        channel: 'web',
        unitId: org.rootUnitId,
        subject: request.subject,
      });
      expect(stored.body.customerId).toEqual(expect.any(String));
    });

    it('refuses an expired challenge', async () => {
      const c = await solve(org.id);
      t.clock.advance(11 * 60_000);
      const res = await t
        .http()
        .post(pub(`/orgs/${org.id}/tickets`))
        .send({ ...request, challenge: { token: c.token, answer: c.answer } });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('challenge_failed');
    });

    it('opens with a partner API key of the organization holding tickets:write', async () => {
      const roleId = await systemRoleId(t, org, 'service_agent');
      const key = await t
        .http()
        .post(api('/api-keys'))
        .set(owner.auth)
        .send({ name: 'Help widget', grants: [{ roleId, unitId: org.rootUnitId, scope: 'org' }] })
        .expect(201);
      const res = await t
        .http()
        .post(pub(`/orgs/${org.id}/tickets`))
        .set('X-API-Key', key.body.key)
        .send(request)
        .expect(201);
      const stored = await t
        .http()
        .get(api(`/tickets/${res.body.ticketId}`))
        .set(agent.auth)
        .expect(200);
      expect(stored.body).toMatchObject({ source: 'api_key', channel: 'api' });
      await t
        .http()
        .post(pub(`/orgs/${other.id}/tickets`))
        .set('X-API-Key', key.body.key)
        .send(request)
        .expect(401);
      await t
        .http()
        .post(pub(`/orgs/${org.id}/tickets`))
        .set('X-API-Key', 'dyk_not_a_key')
        .send(request)
        .expect(401);
      const analystRole = await systemRoleId(t, org, 'analyst');
      const weak = await t
        .http()
        .post(api('/api-keys'))
        .set(owner.auth)
        .send({ name: 'Reports', grants: [{ roleId: analystRole, unitId: org.rootUnitId, scope: 'org' }] })
        .expect(201);
      await t
        .http()
        .post(pub(`/orgs/${org.id}/tickets`))
        .set('X-API-Key', weak.body.key)
        .send(request)
        .expect(403);
    });
  });

  describe('the signed link', () => {
    it('shows only that ticket’s public messages, never internal notes; a forged link is 404', async () => {
      const mine = await openPublic();
      const theirs = await openPublic();
      await t
        .http()
        .post(api(`/tickets/${mine.ticketId}/identity-check`))
        .set(agent.auth)
        .send({ method: 'not_needed', reason: 'General question' })
        .expect(200);
      await t
        .http()
        .post(api(`/tickets/${mine.ticketId}/messages`))
        .set(agent.auth)
        .send({ kind: 'internal_note', body: 'Secret note' })
        .expect(201);
      t.clock.advance(1000);
      await t
        .http()
        .post(api(`/tickets/${mine.ticketId}/messages`))
        .set(agent.auth)
        .send({ kind: 'public_reply', body: 'Please send a photo' })
        .expect(201);
      t.clock.advance(1000);
      await t
        .http()
        .post(pub(`/tickets/${theirs.replyToken}/messages`))
        .send({ body: 'Other customer text' })
        .expect(201);

      const thread = await t
        .http()
        .get(pub(`/tickets/${mine.replyToken}/messages`))
        .expect(200);
      expect(thread.body.items.map((m: { from: string; body: string }) => [m.from, m.body])).toEqual([
        ['agent', 'Please send a photo'],
      ]);
      expect(JSON.stringify(thread.body)).not.toContain('Secret note');
      expect(JSON.stringify(thread.body)).not.toContain('Other customer text');

      const [id, mac] = mine.replyToken.split('.');
      const forged = `${theirs.replyToken.split('.')[0]}.${mac}`;
      await t
        .http()
        .get(pub(`/tickets/${forged}/messages`))
        .expect(404);
      await t
        .http()
        .get(pub(`/tickets/${id}.AAAA/messages`))
        .expect(404);
      await t
        .http()
        .post(pub(`/tickets/${forged}/messages`))
        .send({ body: 'x' })
        .expect(404);
    });

    it('a reply to a ticket waiting for the customer opens it', async () => {
      const mine = await openPublic();
      await t
        .http()
        .post(api(`/tickets/${mine.ticketId}/wait-for-customer`))
        .set(agent.auth)
        .expect(200);
      const res = await t
        .http()
        .post(pub(`/tickets/${mine.replyToken}/messages`))
        .send({ body: 'Here is the photo' })
        .expect(201);
      expect(res.body).toMatchObject({ ticketId: mine.ticketId, state: 'open', outcome: 'added' });
    });

    it('reopens within 7 days of resolution; later, a reply opens a new ticket linked to the old one', async () => {
      const mine = await openPublic();
      await t
        .http()
        .post(api(`/tickets/${mine.ticketId}/resolve`))
        .set(agent.auth)
        .expect(200);
      t.clock.advance(7 * DAY - 60_000);
      const within = await t
        .http()
        .post(pub(`/tickets/${mine.replyToken}/messages`))
        .send({ body: 'Still leaking' })
        .expect(201);
      expect(within.body).toMatchObject({ ticketId: mine.ticketId, state: 'reopened', outcome: 'reopened' });
      const history = await t
        .http()
        .get(api(`/tickets/${mine.ticketId}/history`))
        .set(agent.auth)
        .expect(200);
      expect(history.body.at(-1)).toMatchObject({
        action: 'customer_reopen',
        fromState: 'resolved',
        toState: 'reopened',
        actorKind: 'customer',
      });

      await t
        .http()
        .post(api(`/tickets/${mine.ticketId}/resolve`))
        .set(agent.auth)
        .expect(200);
      t.clock.advance(7 * DAY + 60_000);
      const late = await t
        .http()
        .post(pub(`/tickets/${mine.replyToken}/messages`))
        .send({ body: 'It broke again' })
        .expect(201);
      expect(late.body.outcome).toBe('new_ticket');
      expect(late.body.ticketId).not.toBe(mine.ticketId);
      const continued = await t
        .http()
        .get(api(`/tickets/${late.body.ticketId}`))
        .set(agent.auth)
        .expect(200);
      expect(continued.body).toMatchObject({
        previousTicketId: mine.ticketId,
        state: 'new',
        subject: `Re: ${request.subject}`,
      });
      const old = await t
        .http()
        .get(api(`/tickets/${mine.ticketId}`))
        .set(agent.auth)
        .expect(200);
      expect(old.body.state).toBe('resolved');
      const newThread = await t
        .http()
        .get(pub(`/tickets/${late.body.replyToken}/messages`))
        .expect(200);
      expect(newThread.body.items.map((m: { body: string }) => m.body)).toEqual(['It broke again']);
    });
  });

  describe('email connector', () => {
    it('sends a public reply of an email ticket through SMTP, retrying after a refusal', async () => {
      const ticket = (
        await t
          .http()
          .post(api('/tickets'))
          .set(agent.auth)
          .send({
            type: 'complaint',
            channel: 'email',
            subject: 'Refund',
            contact: { email: 'zhao@example.com' },
          })
          .expect(201)
      ).body;
      await t
        .http()
        .post(api(`/tickets/${ticket.id}/identity-check`))
        .set(agent.auth)
        .send({ method: 'account_login' })
        .expect(200);
      refuseNext = 1;
      const reply = await t
        .http()
        .post(api(`/tickets/${ticket.id}/messages`))
        .set(agent.auth)
        .send({ kind: 'public_reply', body: 'Your refund is on its way' })
        .expect(201);
      expect(reply.body.delivery).toMatchObject({ connector: 'email', status: 'pending' });
      const before = received.length;
      await t.get(OutboxService).drain();
      const afterFailure = await t
        .http()
        .get(api(`/tickets/${ticket.id}/messages`))
        .set(agent.auth)
        .expect(200);
      expect(afterFailure.body.items[0].delivery).toMatchObject({ status: 'pending', attempts: 1 });
      expect(afterFailure.body.items[0].delivery.lastError).toMatch(/busy/i);
      expect(received.length).toBe(before);

      t.clock.advance(11_000);
      await t.get(OutboxService).drain();
      const sent = await t
        .http()
        .get(api(`/tickets/${ticket.id}/messages`))
        .set(agent.auth)
        .expect(200);
      expect(sent.body.items[0].delivery).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
      expect(received.length).toBe(before + 1);
      const mail = received[received.length - 1];
      expect(mail.to).toEqual(['zhao@example.com']);
      expect(mail.raw).toContain('Your refund is on its way');
      expect(mail.raw).toContain(`X-Daiyun-Ticket: ${ticket.id}`);
      const deliveries = await t
        .http()
        .get(api(`/tickets/${ticket.id}/deliveries`))
        .set(agent.auth)
        .expect(200);
      expect(deliveries.body.items).toHaveLength(1);
      expect(deliveries.body.items[0]).toMatchObject({ connector: 'email', recipient: 'zhao@example.com' });

      // Draining again sends nothing twice.
      await t.get(OutboxService).drain();
      expect(received.length).toBe(before + 1);
    });
  });
});
