import { NotificationsService } from '../src/platform/notifications/notifications.service';
import { OutboxService } from '../src/platform/notifications/outbox/outbox.service';
import { apiClient, expectData } from './support/api-client';
import { makeUser, TestUser } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

interface NotificationBody {
  id: string;
  orgId: string | null;
  type: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  readAt: string | null;
  createdAt: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns a value, or fails after `timeoutMs`. */
async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await sleep(100);
  }
}

describe('notifications', () => {
  let t: TestApp;
  let notifications: NotificationsService;
  let outbox: OutboxService;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ jobs: true });
    notifications = t.get(NotificationsService);
    outbox = t.get(OutboxService);
    alice = await makeUser(t);
    bob = await makeUser(t);
  });
  afterAll(() => t.close());

  const list = async (user: TestUser, query = '') => {
    const res = await t.http().get(`/api/v1/notifications${query}`).set(user.auth).expect(200);
    return res.body as { items: NotificationBody[]; nextCursor: string | null };
  };
  const findByTitle = async (user: TestUser, title: string) =>
    (await list(user, '?limit=100')).items.find((n) => n.title === title);

  /** Rows straight into the table, for tests about reading rather than delivering. */
  const insertNotification = async (userId: string, title: string, createdAt: Date) => {
    const [{ id }] = await t.db.query(
      `INSERT INTO notifications (user_id, type, title, body, created_at) VALUES ($1, 'test.note', $2, 'b', $3)
       RETURNING id`,
      [userId, title, createdAt],
    );
    return id as string;
  };

  it('delivers a notification requested in a committed transaction, promptly', async () => {
    const started = Date.now();
    await t.db.transaction(async (manager) => {
      await notifications.notify(manager, {
        userIds: [alice.id, alice.id, bob.id],
        type: 'test.committed',
        title: 'Committed change',
        body: 'Something changed',
        data: { answer: 42 },
      });
    });

    const delivered = await eventually(() => findByTitle(alice, 'Committed change'));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(delivered).toMatchObject({
      type: 'test.committed',
      body: 'Something changed',
      data: { answer: 42 },
      orgId: null,
      readAt: null,
    });
    expect(delivered.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // Duplicate recipients collapse to one row; every recipient gets their own.
    expect(
      (await list(alice, '?limit=100')).items.filter((n) => n.title === 'Committed change'),
    ).toHaveLength(1);
    await eventually(() => findByTitle(bob, 'Committed change'));

    const [event] = await t.db.query(
      `SELECT attempts, processed_at, last_error FROM outbox_events WHERE payload->>'title' = 'Committed change'`,
    );
    expect(event).toMatchObject({ attempts: 1, last_error: null });
    expect(event.processed_at).not.toBeNull();
  });

  it('never delivers a notification whose transaction rolled back', async () => {
    await expect(
      t.db.transaction(async (manager) => {
        await notifications.notify(manager, {
          userIds: [alice.id],
          type: 'test.rolled_back',
          title: 'Rolled back change',
          body: 'Should never arrive',
        });
        throw new Error('change refused');
      }),
    ).rejects.toThrow('change refused');

    // A later committed notification arriving proves the drainer has run since.
    await t.db.transaction((manager) =>
      notifications.notify(manager, {
        userIds: [alice.id],
        type: 'test.after',
        title: 'After rollback',
        body: 'b',
      }),
    );
    await eventually(() => findByTitle(alice, 'After rollback'));
    await outbox.drain();
    expect(await findByTitle(alice, 'Rolled back change')).toBeUndefined();
    const events = await t.db.query(
      `SELECT 1 FROM outbox_events WHERE payload->>'title' = 'Rolled back change'`,
    );
    expect(events).toHaveLength(0);
  });

  it('keeps a notification invisible to the drainer until its transaction commits', async () => {
    await t.db.transaction(async (manager) => {
      await notifications.notify(manager, {
        userIds: [bob.id],
        type: 'test.pending',
        title: 'Pending',
        body: 'b',
      });
      // Another connection, as another replica would drain: the uncommitted row is not there for it.
      await outbox.drain();
      const seen = await t.db.query(`SELECT 1 FROM notifications WHERE title = 'Pending'`);
      expect(seen).toHaveLength(0);
    });
    await eventually(() => findByTitle(bob, 'Pending'));
  });

  it('wakes the drainer after COMMIT, not before, and not after ROLLBACK', async () => {
    const drainJobs = async (): Promise<number> =>
      (
        await t.db.query(
          `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'outbox.drain' AND data->>'trigger' = 'kick'`,
        )
      )[0].n;
    const before = await drainJobs();
    await expect(
      t.db.transaction(async (manager) => {
        await notifications.notify(manager, {
          userIds: [bob.id],
          type: 'test.wake',
          title: 'Wake 1',
          body: 'b',
        });
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    await t.db.transaction(async (manager) => {
      await notifications.notify(manager, {
        userIds: [bob.id],
        type: 'test.wake',
        title: 'Wake 2',
        body: 'b',
      });
      await notifications.notify(manager, {
        userIds: [bob.id],
        type: 'test.wake',
        title: 'Wake 3',
        body: 'b',
      });
      await sleep(200);
      expect(await drainJobs()).toBe(before);
    });
    // One transaction, one wake-up, however many notifications it wrote.
    await eventually(async () => ((await drainJobs()) > before ? true : undefined));
    await sleep(200);
    expect(await drainJobs()).toBe(before + 1);
    await eventually(() => findByTitle(bob, 'Wake 3'));
  });

  it('also delivers a notify made outside any transaction', async () => {
    await notifications.notify(t.db.manager, {
      userIds: [bob.id],
      type: 'test.plain',
      title: 'Plain',
      body: 'b',
    });
    await eventually(() => findByTitle(bob, 'Plain'));
  });

  it('refuses malformed requests as programming errors, and ignores an empty recipient list', async () => {
    await expect(
      notifications.notify(t.db.manager, { userIds: ['nope'], type: 'test.x', title: 't', body: 'b' }),
    ).rejects.toThrow(/not a user id/);
    await expect(
      notifications.notify(t.db.manager, { userIds: [alice.id], type: 'Bad Type', title: 't', body: 'b' }),
    ).rejects.toThrow(/not a notification type/);
    const before = await t.db.query(`SELECT count(*)::int AS n FROM outbox_events`);
    await notifications.notify(t.db.manager, { userIds: [], type: 'test.none', title: 't', body: 'b' });
    expect(await t.db.query(`SELECT count(*)::int AS n FROM outbox_events`)).toEqual(before);
  });

  it('lists only my own notifications, newest first, with cursor pagination and an unread filter', async () => {
    const carol = await makeUser(t);
    const base = Date.now() - 60_000;
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1)
      ids.push(await insertNotification(carol.id, `Note ${i}`, new Date(base + i * 1000)));
    await insertNotification(alice.id, 'Not for carol', new Date(base));

    const first = await list(carol, '?limit=2');
    expect(first.items.map((n) => n.title)).toEqual(['Note 4', 'Note 3']);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await list(carol, `?limit=2&cursor=${first.nextCursor}`);
    expect(second.items.map((n) => n.title)).toEqual(['Note 2', 'Note 1']);
    const third = await list(carol, `?limit=2&cursor=${second.nextCursor}`);
    expect(third.items.map((n) => n.title)).toEqual(['Note 0']);
    expect(third.nextCursor).toBeNull();

    await t.http().post(`/api/v1/notifications/${ids[4]}/read`).set(carol.auth).expect(204);
    // Idempotent: reading again is fine and keeps the first read time.
    const [{ read_at: firstRead }] = await t.db.query(`SELECT read_at FROM notifications WHERE id = $1`, [
      ids[4],
    ]);
    await t.http().post(`/api/v1/notifications/${ids[4]}/read`).set(carol.auth).expect(204);
    const [{ read_at: secondRead }] = await t.db.query(`SELECT read_at FROM notifications WHERE id = $1`, [
      ids[4],
    ]);
    expect(secondRead).toEqual(firstRead);

    const unread = await list(carol, '?unread=true');
    expect(unread.items.map((n) => n.title)).toEqual(['Note 3', 'Note 2', 'Note 1', 'Note 0']);
    const all = await list(carol, '?unread=false');
    expect(all.items).toHaveLength(5);
    expect(all.items[0].readAt).toEqual(expect.any(String));
    const count = await t.http().get('/api/v1/notifications/unread-count').set(carol.auth).expect(200);
    expect(count.body).toEqual({ count: 4 });

    await t.http().post('/api/v1/notifications/read-all').set(carol.auth).expect(204);
    expect((await list(carol, '?unread=true')).items).toHaveLength(0);
    // Someone else's notifications are untouched.
    const [{ read_at: aliceRead }] = await t.db.query(
      `SELECT read_at FROM notifications WHERE title = 'Not for carol'`,
    );
    expect(aliceRead).toBeNull();
  });

  it('lists, counts and marks notifications read through the generated client', async () => {
    const dave = await makeUser(t);
    const client = apiClient(t, { accessToken: dave.token });
    await notifications.notify(t.db.manager, {
      userIds: [dave.id],
      type: 'test.client',
      title: 'First for Dave',
      body: 'one',
      data: { step: 1 },
    });
    await notifications.notify(t.db.manager, {
      userIds: [dave.id],
      type: 'test.client',
      title: 'Second for Dave',
      body: 'two',
    });
    const delivered = await eventually(async () => {
      const page = expectData(
        await client.GET('/api/v1/notifications', { params: { query: { limit: 10 } } }),
        200,
      );
      return page.items.length === 2 ? page : undefined;
    });
    expect(delivered.items.map((n) => n.title).sort()).toEqual(['First for Dave', 'Second for Dave']);
    const first = delivered.items.find((n) => n.title === 'First for Dave');
    expect(first).toMatchObject({
      type: 'test.client',
      body: 'one',
      data: { step: 1 },
      readAt: null,
      orgId: null,
    });
    expect(expectData(await client.GET('/api/v1/notifications/unread-count', {}), 200)).toEqual({ count: 2 });

    const read = await client.POST('/api/v1/notifications/{id}/read', {
      params: { path: { id: String(first?.id) } },
    });
    expect(read.response.status).toBe(204);
    const unread = expectData(
      await client.GET('/api/v1/notifications', { params: { query: { unread: true } } }),
      200,
    );
    expect(unread.items.map((n) => n.title)).toEqual(['Second for Dave']);
    expect(expectData(await client.GET('/api/v1/notifications/unread-count', {}), 200)).toEqual({ count: 1 });

    expect((await client.POST('/api/v1/notifications/read-all', {})).response.status).toBe(204);
    expect(expectData(await client.GET('/api/v1/notifications/unread-count', {}), 200)).toEqual({ count: 0 });
    const rows = await t.db.query('SELECT read_at FROM notifications WHERE user_id = $1', [dave.id]);
    expect(rows.map((r: { read_at: Date | null }) => r.read_at)).toEqual([
      expect.any(Date),
      expect.any(Date),
    ]);
  });

  it("answers 404 for another user's notification, and for one that does not exist", async () => {
    const id = await insertNotification(alice.id, 'Private to alice', new Date());
    const res = await t.http().post(`/api/v1/notifications/${id}/read`).set(bob.auth).expect(404);
    expect(res.body).toMatchObject({ code: 'not_found' });
    const [{ read_at }] = await t.db.query(`SELECT read_at FROM notifications WHERE id = $1`, [id]);
    expect(read_at).toBeNull();
    await t
      .http()
      .post(`/api/v1/notifications/00000000-0000-4000-8000-0000000000ff/read`)
      .set(bob.auth)
      .expect(404);
  });

  it('validates ids, cursors, limits and filters', async () => {
    const badId = await t.http().post('/api/v1/notifications/not-a-uuid/read').set(alice.auth).expect(400);
    expect(badId.body.errors).toEqual([{ field: 'id', message: 'must be a UUID' }]);
    const badCursor = await t
      .http()
      .get('/api/v1/notifications?cursor=bm90LWEtY3Vyc29y')
      .set(alice.auth)
      .expect(400);
    expect(badCursor.body.errors[0].field).toBe('cursor');
    await t.http().get('/api/v1/notifications?cursor=!!!').set(alice.auth).expect(400);
    for (const limit of ['0', '101', 'ten']) {
      const res = await t.http().get(`/api/v1/notifications?limit=${limit}`).set(alice.auth).expect(400);
      expect(res.body.errors[0].field).toBe('limit');
    }
    const badUnread = await t.http().get('/api/v1/notifications?unread=yes').set(alice.auth).expect(400);
    expect(badUnread.body.errors[0].field).toBe('unread');
    await t.http().get('/api/v1/notifications?colour=red').set(alice.auth).expect(400);
  });

  it('requires a signed-in user', async () => {
    await t.http().get('/api/v1/notifications').expect(401);
    await t.http().post('/api/v1/notifications/read-all').expect(401);
  });

  describe('outbox', () => {
    it('records a failure with attempts and last_error, and retries after the backoff', async () => {
      let calls = 0;
      outbox.registerHandler('test.flaky', async (manager) => {
        calls += 1;
        // Written before failing: the savepoint must undo it.
        await manager.query(
          `INSERT INTO notifications (user_id, type, title, body) VALUES ($1, 'test.flaky', 'Flaky', 'b')`,
          [alice.id],
        );
        if (calls === 1) throw new Error('downstream unavailable');
      });
      const id = await outbox.enqueue(t.db.manager, 'test.flaky', { n: 1 });
      const failed = await eventually(async () => {
        const [row] = await t.db.query(
          `SELECT attempts, last_error, processed_at, available_at FROM outbox_events WHERE id = $1`,
          [id],
        );
        return row.attempts === 1 ? row : undefined;
      });
      expect(failed).toMatchObject({ attempts: 1, last_error: 'downstream unavailable', processed_at: null });
      expect(new Date(failed.available_at).getTime()).toBeGreaterThan(t.clock.now().getTime());
      expect(await t.db.query(`SELECT 1 FROM notifications WHERE title = 'Flaky'`)).toHaveLength(0);

      // Not due yet: nothing happens however often the drainer runs.
      await outbox.drain();
      expect(calls).toBe(1);

      t.clock.advance(11_000);
      // The job worker may be the one to take it; either way it is processed once.
      await outbox.drain();
      const done = await eventually(async () => {
        const [row] = await t.db.query(
          `SELECT attempts, last_error, processed_at FROM outbox_events WHERE id = $1`,
          [id],
        );
        return row.processed_at ? row : undefined;
      });
      expect(done).toMatchObject({ attempts: 2, last_error: null });
      expect(calls).toBe(2);
      expect(await t.db.query(`SELECT 1 FROM notifications WHERE title = 'Flaky'`)).toHaveLength(1);
    });

    it('retries an event of a type no handler knows, instead of dropping it', async () => {
      const id = await outbox.enqueue(t.db.manager, 'test.unknown', {});
      await outbox.drain();
      const [row] = await t.db.query(
        `SELECT attempts, last_error, processed_at FROM outbox_events WHERE id = $1`,
        [id],
      );
      expect(row.attempts).toBe(1);
      expect(row.last_error).toMatch(/No handler/);
      expect(row.processed_at).toBeNull();
    });

    it('never hands the same event to two concurrent drainers', async () => {
      const seen: string[] = [];
      outbox.registerHandler('test.count', async (_manager, event) => {
        seen.push(event.id);
        await sleep(2);
      });
      const ids = await t.db.transaction(async (manager) => {
        const created: string[] = [];
        for (let i = 0; i < 250; i += 1) created.push(await outbox.enqueue(manager, 'test.count', { i }));
        return created;
      });
      await Promise.all([outbox.drain(), outbox.drain(), outbox.drain()]);
      await eventually(async () => (seen.length >= ids.length ? true : undefined));
      await sleep(200);
      expect(seen).toHaveLength(ids.length);
      expect(new Set(seen).size).toBe(ids.length);
      const [{ pending }] = await t.db.query(
        `SELECT count(*)::int AS pending FROM outbox_events WHERE type = 'test.count' AND processed_at IS NULL`,
      );
      expect(pending).toBe(0);
    });
  });
});
