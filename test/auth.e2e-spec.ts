import { randomInt } from 'node:crypto';
import { main as admin } from '../src/cli/admin';
import { PLATFORM_ORG_ID } from '../src/modules/access/platform-org';
import { MessageSender, OutgoingMessage } from '../src/modules/auth/message-sender';
import { OutboxService } from '../src/platform/notifications/outbox/outbox.service';
import { apiClient, expectData, expectProblem } from './support/api-client';
import { makeUser } from './support/factories';
import { createTestApp, TestApp } from './support/test-app';

/** The SMS and mail gateways are outside the system: capture what would have been sent. */
class CapturingSender extends MessageSender {
  readonly messages: OutgoingMessage[] = [];

  async send(message: OutgoingMessage): Promise<void> {
    this.messages.push(message);
  }

  lastTo(target: string, event?: string): OutgoingMessage | undefined {
    return [...this.messages].reverse().find((m) => m.target === target && (!event || m.event === event));
  }

  countTo(target: string): number {
    return this.messages.filter((m) => m.target === target).length;
  }
}

interface Registered {
  id: string;
  username: string;
  password: string;
  email: string;
  phone: string;
}

interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  tokenType: string;
}

const MINUTE = 60_000;
const AGREEMENTS = { terms: '2025-01', privacy: '2025-01.2' };
const GOOD_PASSWORD = 'Lantern-orchard-73-quietly';

describe('auth', () => {
  let t: TestApp;
  const sender = new CapturingSender();
  let ipSequence = 0;
  let nameSequence = 0;

  /** Each scenario signs in from its own address, so per-IP limits of one do not leak into another. */
  const nextIp = () => `198.51.100.${(ipSequence += 1)}`;
  const newPhone = () => `139${String(randomInt(0, 1e8)).padStart(8, '0')}`;
  const newUsername = () => `user_${Date.now().toString(36)}_${(nameSequence += 1)}`;
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const post = (path: string, ip = '203.0.113.250', userAgent = 'jest-agent/1.0') =>
    t.http().post(`/api/v1${path}`).set('X-Forwarded-For', ip).set('User-Agent', userAgent);

  /** Sends a register code to a phone and returns it, as the person would read it off the SMS. */
  async function codeFor(phone: string, purpose = 'register', channel = 'sms'): Promise<string> {
    await post('/auth/verification-codes', nextIp()).send({ channel, target: phone, purpose }).expect(202);
    const message = sender.lastTo(phone, 'verification.code.sent');
    expect(message).toBeDefined();
    return String(message?.data.code);
  }

  async function register(overrides: Partial<Registered> = {}): Promise<Registered> {
    const username = overrides.username ?? newUsername();
    const user = {
      username,
      password: overrides.password ?? GOOD_PASSWORD,
      email: overrides.email ?? `${username}@example.com`,
      phone: overrides.phone ?? newPhone(),
    };
    const code = await codeFor(user.phone);
    const res = await post('/auth/register')
      .send({ ...user, code, agreements: AGREEMENTS })
      .expect(201);
    expect(res.body).toEqual({ id: expect.any(String), username });
    return { id: res.body.id, ...user };
  }

  const login = (loginId: string, password: string, ip = nextIp(), userAgent = 'jest-agent/1.0') =>
    post('/auth/login', ip, userAgent).send({ login: loginId, password });

  /** A problem document without the per-request members, to compare two answers. */
  const shape = (body: Record<string, unknown>) => {
    const { requestId: _requestId, instance: _instance, ...rest } = body;
    return rest;
  };

  beforeAll(async () => {
    t = await createTestApp({
      env: { TRUST_PROXY: 'true', LOGIN_PER_IP_PER_MINUTE: '30' },
      // The harness types tokens as concrete classes; Nest itself accepts the abstract class as a token.
      overrides: [{ provide: MessageSender, useValue: sender }],
    });
  });
  afterAll(() => t.close());

  describe('register → login → refresh → reuse → logout', () => {
    it('runs the whole token lifecycle and revokes the family on reuse', async () => {
      const user = await register();

      const first = await login(user.username, user.password).expect(200);
      const pair1 = first.body as Tokens;
      expect(pair1).toEqual({
        accessToken: expect.any(String),
        refreshToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        expiresIn: 900,
        tokenType: 'Bearer',
      });
      await t.http().get('/api/v1/me/login-history').set(bearer(pair1.accessToken)).expect(200);

      // Only hashes are stored.
      const stored = await t.db.query(`SELECT token_hash FROM refresh_tokens`);
      expect(JSON.stringify(stored)).not.toContain(pair1.refreshToken);

      const second = await post('/auth/refresh').send({ refreshToken: pair1.refreshToken }).expect(200);
      const pair2 = second.body as Tokens;
      expect(pair2.refreshToken).not.toBe(pair1.refreshToken);
      await t.http().get('/api/v1/me/login-history').set(bearer(pair2.accessToken)).expect(200);

      // The first token again: it was copied. The whole family goes.
      const reuse = await post('/auth/refresh').send({ refreshToken: pair1.refreshToken }).expect(401);
      expect(reuse.body.code).toBe('token_reused');
      const afterReuse = await post('/auth/refresh').send({ refreshToken: pair2.refreshToken }).expect(401);
      expect(afterReuse.body.code).toBe('token_invalid');
      const revoked = await t
        .http()
        .get('/api/v1/me/login-history')
        .set(bearer(pair2.accessToken))
        .expect(401);
      expect(revoked.body.code).toBe('unauthenticated');
      const [session] = await t.db.query(`SELECT revoked_reason FROM auth_sessions WHERE user_id = $1`, [
        user.id,
      ]);
      expect(session.revoked_reason).toBe('refresh_reuse');

      // A fresh login is unaffected, and logout ends it.
      const pair3 = (await login(user.phone, user.password).expect(200)).body as Tokens;
      await post('/auth/logout').set(bearer(pair3.accessToken)).expect(204);
      await t.http().get('/api/v1/me/login-history').set(bearer(pair3.accessToken)).expect(401);
      const afterLogout = await post('/auth/refresh').send({ refreshToken: pair3.refreshToken }).expect(401);
      expect(afterLogout.body.code).toBe('token_invalid');
    });

    it('signs a person up, in, refreshed and out through the generated client', async () => {
      const ip = nextIp();
      const client = apiClient(t);
      const headers = { 'X-Forwarded-For': ip, 'User-Agent': 'partner-app/2.0' };
      const username = newUsername();
      const phone = newPhone();

      const sent = await client.POST('/api/v1/auth/verification-codes', {
        headers,
        body: { channel: 'sms', target: phone, purpose: 'register' },
      });
      expect(sent.response.status).toBe(202);
      const code = String(sender.lastTo(phone, 'verification.code.sent')?.data.code);
      const registered = expectData(
        await client.POST('/api/v1/auth/register', {
          headers,
          body: {
            username,
            password: GOOD_PASSWORD,
            email: `${username}@example.com`,
            phone,
            code,
            agreements: AGREEMENTS,
          },
        }),
        201,
      );
      expect(registered.username).toBe(username);

      const pair = expectData(
        await client.POST('/api/v1/auth/login', {
          headers,
          body: { login: username, password: GOOD_PASSWORD },
        }),
        200,
      );
      expect(pair).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
      const history = expectData(
        await apiClient(t, { accessToken: pair.accessToken }).GET('/api/v1/me/login-history', {}),
        200,
      );
      expect(history.items).toEqual([
        expect.objectContaining({ result: 'success', reason: null, ip, userAgent: 'partner-app/2.0' }),
      ]);

      const next = expectData(
        await client.POST('/api/v1/auth/refresh', { headers, body: { refreshToken: pair.refreshToken } }),
        200,
      );
      expect(next.refreshToken).not.toBe(pair.refreshToken);
      const signedIn = apiClient(t, { accessToken: next.accessToken });
      const out = await signedIn.POST('/api/v1/auth/logout', {
        headers,
        body: { refreshToken: next.refreshToken },
      });
      expect(out.response.status).toBe(204);
      const [session] = await t.db.query('SELECT revoked_at FROM auth_sessions WHERE user_id = $1', [
        registered.id,
      ]);
      expect(session.revoked_at).not.toBeNull();
      const refused = expectProblem(
        await client.POST('/api/v1/auth/refresh', { headers, body: { refreshToken: next.refreshToken } }),
        401,
      );
      expect(refused.code).toBe('token_invalid');
    });

    it('logs in by email (any case) and by phone with a country prefix', async () => {
      const user = await register();
      await login(user.email.toUpperCase(), user.password).expect(200);
      await login(`+86 ${user.phone}`, user.password).expect(200);
    });

    it('logout with a refresh token also signs out that session of the same user only', async () => {
      const user = await register();
      const other = await register();
      const a = (await login(user.username, user.password).expect(200)).body as Tokens;
      const b = (await login(user.username, user.password).expect(200)).body as Tokens;
      const c = (await login(other.username, other.password).expect(200)).body as Tokens;
      await post('/auth/logout')
        .set(bearer(a.accessToken))
        .send({ refreshToken: b.refreshToken })
        .expect(204);
      await post('/auth/logout').set(bearer(b.accessToken)).expect(401);
      // Someone else's token is ignored, not revoked.
      const d = (await login(user.username, user.password).expect(200)).body as Tokens;
      await post('/auth/logout')
        .set(bearer(d.accessToken))
        .send({ refreshToken: c.refreshToken })
        .expect(204);
      await t.http().get('/api/v1/me/login-history').set(bearer(c.accessToken)).expect(200);
    });

    it('refuses logout without a token and an unknown refresh token', async () => {
      await post('/auth/logout').expect(401);
      const res = await post('/auth/refresh').send({ refreshToken: 'not-a-token' }).expect(401);
      expect(res.body.code).toBe('token_invalid');
    });

    it('answers 401 on a signed-in route for an access token whose session was revoked', async () => {
      const user = await makeUser(t);
      await t.http().get('/api/v1/me/login-history').set(user.auth).expect(200);
      await t.db.query(`UPDATE auth_sessions SET revoked_at = now() WHERE id = $1`, [user.sessionId]);
      const res = await t.http().get('/api/v1/me/login-history').set(user.auth).expect(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe('unauthenticated');
    });
  });

  describe('lockout', () => {
    it('locks after 5 failures within 15 minutes, even for the right password, until the lock runs out', async () => {
      const user = await register();
      for (let i = 0; i < 5; i += 1) {
        const res = await login(user.username, 'wrong-password-123').expect(401);
        expect(res.body.code).toBe('invalid_credentials');
      }
      const locked = await login(user.username, user.password).expect(423);
      expect(locked.body.code).toBe('account_locked');
      expect(Number(locked.headers['retry-after'])).toBe(15 * 60);

      t.clock.advance(10 * MINUTE);
      const still = await login(user.username, user.password).expect(423);
      expect(Number(still.headers['retry-after'])).toBe(5 * 60);

      t.clock.advance(5 * MINUTE);
      await login(user.username, user.password).expect(200);
    });

    it('does not lock when the failures are spread over more than 15 minutes', async () => {
      const user = await register();
      for (let i = 0; i < 4; i += 1) await login(user.username, 'wrong-password-123').expect(401);
      t.clock.advance(16 * MINUTE);
      for (let i = 0; i < 4; i += 1) await login(user.username, 'wrong-password-123').expect(401);
      await login(user.username, user.password).expect(200);
    });

    it('a success resets the count of failures', async () => {
      const user = await register();
      for (let i = 0; i < 4; i += 1) await login(user.username, 'wrong-password-123').expect(401);
      await login(user.username, user.password).expect(200);
      for (let i = 0; i < 4; i += 1) await login(user.username, 'wrong-password-123').expect(401);
      await login(user.username, user.password).expect(200);
    });

    it('treats an unknown username exactly like a known one', async () => {
      const known = await register();
      const unknown = newUsername();
      const answers: Record<string, unknown>[][] = [[], []];
      for (let i = 0; i < 5; i += 1) {
        answers[0].push(shape((await login(known.username, 'wrong-password-123').expect(401)).body));
        answers[1].push(shape((await login(unknown, 'wrong-password-123').expect(401)).body));
      }
      expect(answers[1]).toEqual(answers[0]);
      const lockedKnown = await login(known.username, 'wrong-password-123').expect(423);
      const lockedUnknown = await login(unknown, 'wrong-password-123').expect(423);
      expect(shape(lockedUnknown.body)).toEqual(shape(lockedKnown.body));
      expect(lockedUnknown.headers['retry-after']).toBe(lockedKnown.headers['retry-after']);
      t.clock.advance(15 * MINUTE);
      await login(unknown, 'wrong-password-123').expect(401);
    });

    it('limits login attempts per IP (429 with Retry-After) and records the refusal', async () => {
      const user = await register();
      const ip = nextIp();
      for (let i = 0; i < 30; i += 1) {
        await login(`nobody_${i}_${ip}`, 'wrong-password-123', ip).expect(401);
        t.clock.advance(1000);
      }
      // Even the right password: the address is over its limit until its oldest attempt is a minute old.
      const limited = await login(user.username, user.password, ip).expect(429);
      expect(limited.body.code).toBe('rate_limited');
      expect(Number(limited.headers['retry-after'])).toBe(30);
      // Another address is not affected; this one is free again once the window slides on.
      const tokens = (await login(user.username, user.password).expect(200)).body as Tokens;
      t.clock.advance(30 * 1000);
      await login(user.username, user.password, ip).expect(200);

      const res = await t.http().get('/api/v1/me/login-history').set(bearer(tokens.accessToken)).expect(200);
      expect(res.body.items).toContainEqual(
        expect.objectContaining({ ip, result: 'rate_limited', reason: 'ip_rate_limited' }),
      );
    });
  });

  describe('verification codes', () => {
    it('allows one code a minute and ten a day per target, answering 429 with Retry-After', async () => {
      const phone = newPhone();
      await post('/auth/verification-codes')
        .send({ channel: 'sms', target: phone, purpose: 'register' })
        .expect(202);
      const tooSoon = await post('/auth/verification-codes')
        .send({ channel: 'sms', target: phone, purpose: 'password_reset' })
        .expect(429);
      expect(tooSoon.body.code).toBe('rate_limited');
      expect(Number(tooSoon.headers['retry-after'])).toBe(60);

      for (let i = 1; i < 10; i += 1) {
        t.clock.advance(MINUTE);
        await post('/auth/verification-codes')
          .send({ channel: 'sms', target: phone, purpose: 'register' })
          .expect(202);
      }
      t.clock.advance(MINUTE);
      const daily = await post('/auth/verification-codes')
        .send({ channel: 'sms', target: phone, purpose: 'register' })
        .expect(429);
      // The oldest of the ten leaves the 24-hour window 10 minutes from its start.
      expect(Number(daily.headers['retry-after'])).toBe(24 * 3600 - 10 * 60);
      expect(sender.countTo(phone)).toBe(10);
    });

    it('limits codes per client IP across targets', async () => {
      const ip = nextIp();
      for (let i = 0; i < 30; i += 1) {
        await post('/auth/verification-codes', ip)
          .send({ channel: 'sms', target: newPhone(), purpose: 'register' })
          .expect(202);
        t.clock.advance(1000);
      }
      const limited = await post('/auth/verification-codes', ip)
        .send({ channel: 'sms', target: newPhone(), purpose: 'register' })
        .expect(429);
      expect(limited.body.code).toBe('rate_limited');
      expect(Number(limited.headers['retry-after'])).toBe(3600 - 30);
      t.clock.advance(3600 * 1000);
      await post('/auth/verification-codes', ip)
        .send({ channel: 'sms', target: newPhone(), purpose: 'register' })
        .expect(202);
    });

    it('validates the target for its channel', async () => {
      const sms = await post('/auth/verification-codes')
        .send({ channel: 'sms', target: '12345', purpose: 'register' })
        .expect(400);
      expect(sms.body.errors).toEqual([{ field: 'target', message: expect.stringContaining('mobile') }]);
      const email = await post('/auth/verification-codes')
        .send({ channel: 'email', target: '13800138000', purpose: 'register' })
        .expect(400);
      expect(email.body.errors).toEqual([{ field: 'target', message: 'target must be an email address' }]);
      await post('/auth/verification-codes')
        .send({ channel: 'fax', target: '13800138000', purpose: 'register' })
        .expect(400);
      const address = `Code.${Date.now()}@Example.com`;
      await post('/auth/verification-codes')
        .send({ channel: 'email', target: address, purpose: 'register' })
        .expect(202);
      expect(sender.lastTo(address.toLowerCase())?.channel).toBe('email');
    });

    it('refuses a wrong code, a code after 5 tries, and an expired code', async () => {
      const username = newUsername();
      const body = (phone: string, code: string) => ({
        username,
        password: GOOD_PASSWORD,
        email: `${username}@example.com`,
        phone,
        code,
        agreements: AGREEMENTS,
      });

      const phone = newPhone();
      const code = await codeFor(phone);
      const wrong = code === '000000' ? '111111' : '000000';
      const res = await post('/auth/register').send(body(phone, wrong)).expect(400);
      expect(res.body).toMatchObject({
        code: 'verification_code_invalid',
        errors: [{ field: 'code', message: expect.any(String) }],
      });
      for (let i = 0; i < 4; i += 1) await post('/auth/register').send(body(phone, wrong)).expect(400);
      // Five tries spent: even the right code no longer works.
      await post('/auth/register').send(body(phone, code)).expect(400);

      const phone2 = newPhone();
      const code2 = await codeFor(phone2);
      t.clock.advance(10 * MINUTE);
      await post('/auth/register').send(body(phone2, code2)).expect(400);

      // A code for another purpose or another phone does not count either.
      const phone3 = newPhone();
      await post('/auth/verification-codes')
        .send({ channel: 'sms', target: phone3, purpose: 'password_reset' })
        .expect(202);
      const other = await codeFor(newPhone());
      await post('/auth/register').send(body(phone3, other)).expect(400);
    });

    it('stores codes only as keyed hashes', async () => {
      const phone = newPhone();
      const code = await codeFor(phone);
      const rows = await t.db.query(`SELECT * FROM verification_codes WHERE target = $1`, [phone]);
      expect(rows).toHaveLength(1);
      expect(JSON.stringify(rows)).not.toContain(`"${code}"`);
      expect(rows[0].code_hash).toMatch(/^[0-9a-f]{64}$/);
    });
  });

  describe('registration', () => {
    it('stores the accepted agreement versions with time and IP', async () => {
      const user = await register();
      const rows = await t.db.query(
        `SELECT document, version, ip, user_agent, accepted_at FROM agreement_acceptances WHERE user_id = $1
         ORDER BY document`,
        [user.id],
      );
      expect(rows).toEqual([
        {
          document: 'privacy',
          version: '2025-01.2',
          ip: '203.0.113.250',
          user_agent: 'jest-agent/1.0',
          accepted_at: expect.any(Date),
        },
        {
          document: 'terms',
          version: '2025-01',
          ip: '203.0.113.250',
          user_agent: 'jest-agent/1.0',
          accepted_at: expect.any(Date),
        },
      ]);
      const [stored] = await t.db.query(`SELECT password_hash FROM users WHERE id = $1`, [user.id]);
      expect(stored.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    });

    it('refuses weak passwords with field errors, without spending the code', async () => {
      const username = newUsername();
      const phone = newPhone();
      const code = await codeFor(phone);
      const attempt = (password: string) =>
        post('/auth/register').send({
          username,
          password,
          email: `${username}@example.com`,
          phone,
          code,
          agreements: AGREEMENTS,
        });

      for (const [password, message] of [
        ['short1!', 'at least 10 characters'],
        ['password1234', 'too common'],
        ['Qwertyuiop123', 'too common'],
        [`My-${username.toUpperCase()}-secret`, 'must not contain the username'],
      ]) {
        const res = await attempt(password).expect(400);
        expect(res.body.code).toBe('weak_password');
        expect(res.body.errors).toEqual(
          expect.arrayContaining([{ field: 'password', message: expect.stringContaining(message) }]),
        );
      }
      await attempt(GOOD_PASSWORD).expect(201);
    });

    it('answers 409 duplicate for a taken username, email or phone without naming the account', async () => {
      const first = await register();
      const attempts = [
        { username: first.username.toUpperCase(), email: `${newUsername()}@example.com`, phone: newPhone() },
        { username: newUsername(), email: first.email.toUpperCase(), phone: newPhone() },
        // The code goes to the phone of the existing account: only its holder learns it is taken.
        { username: newUsername(), email: `${newUsername()}@example.com`, phone: first.phone },
      ];
      const answers: Record<string, unknown>[] = [];
      // The phone had its registration code a moment ago.
      t.clock.advance(MINUTE);
      for (const fields of attempts) {
        const code = await codeFor(fields.phone);
        const res = await post('/auth/register')
          .send({ ...fields, password: GOOD_PASSWORD, code, agreements: AGREEMENTS })
          .expect(409);
        expect(res.body.code).toBe('duplicate');
        const text = JSON.stringify(res.body);
        for (const secret of [first.id, first.username, first.email, first.phone])
          expect(text).not.toContain(secret);
        answers.push(shape(res.body));
      }
      // The same answer whichever value is taken.
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);
      const [{ count }] = await t.db.query(`SELECT count(*)::int AS count FROM users WHERE phone = $1`, [
        first.phone,
      ]);
      expect(count).toBe(1);
    });

    it('rejects unknown fields, also inside agreements, and malformed fields', async () => {
      const res = await post('/auth/register')
        .send({
          username: 'ab',
          password: GOOD_PASSWORD,
          email: 'not-an-email',
          phone: '12345',
          code: '12',
          agreements: { terms: '1', privacy: '1', marketing: '1' },
          isAdmin: true,
        })
        .expect(400);
      expect(res.body.code).toBe('validation_failed');
      const fields = (res.body.errors as { field: string }[]).map((e) => e.field);
      expect(fields).toEqual(
        expect.arrayContaining(['username', 'email', 'phone', 'code', 'agreements.marketing', 'isAdmin']),
      );
      expect(res.body.errors).toContainEqual({ field: 'isAdmin', message: 'unknown field' });
      const loginRes = await post('/auth/login')
        .send({ login: 'x', password: 'y', remember: true })
        .expect(400);
      expect(loginRes.body.errors).toEqual([{ field: 'remember', message: 'unknown field' }]);
    });
  });

  describe('password reset', () => {
    it('sends a single-use token, applies the policy, and revokes every session', async () => {
      const user = await register();
      const a = (await login(user.username, user.password).expect(200)).body as Tokens;
      const b = (await login(user.email, user.password).expect(200)).body as Tokens;

      await post('/auth/password-reset/request').send({ login: user.username }).expect(202);
      const message = sender.lastTo(user.email, 'password_reset.requested');
      expect(message?.channel).toBe('email');
      const token = String(message?.data.token);
      expect(message?.text).toContain(token);

      const weak = await post('/auth/password-reset/confirm')
        .send({ token, newPassword: 'short' })
        .expect(400);
      expect(weak.body).toMatchObject({ code: 'weak_password', errors: [{ field: 'newPassword' }] });

      const newPassword = 'Another-long-passphrase-41';
      await post('/auth/password-reset/confirm').send({ token, newPassword }).expect(204);

      for (const pair of [a, b]) {
        await t.http().get('/api/v1/me/login-history').set(bearer(pair.accessToken)).expect(401);
        await post('/auth/refresh').send({ refreshToken: pair.refreshToken }).expect(401);
      }
      const reused = await post('/auth/password-reset/confirm')
        .send({ token, newPassword: 'Yet-another-one-99x' })
        .expect(401);
      expect(reused.body.code).toBe('token_invalid');
      await login(user.username, user.password).expect(401);
      await login(user.username, newPassword).expect(200);
      const rows = await t.db.query(
        `SELECT revoked_reason FROM auth_sessions WHERE user_id = $1 AND revoked_at IS NOT NULL`,
        [user.id],
      );
      expect(rows.map((r: { revoked_reason: string }) => r.revoked_reason)).toEqual([
        'password_reset',
        'password_reset',
      ]);
    });

    it('answers 202 for an unknown login and sends nothing', async () => {
      const before = sender.messages.length;
      await post('/auth/password-reset/request').send({ login: 'no_such_person' }).expect(202);
      await post('/auth/password-reset/request').send({ login: 'nobody@example.com' }).expect(202);
      expect(sender.messages.length).toBe(before);
    });

    it('expires the token after 30 minutes and replaces it with a newer one', async () => {
      const user = await register();
      await post('/auth/password-reset/request').send({ login: user.phone }).expect(202);
      const first = String(sender.lastTo(user.email, 'password_reset.requested')?.data.token);
      t.clock.advance(MINUTE);
      await post('/auth/password-reset/request').send({ login: user.phone }).expect(202);
      const second = String(sender.lastTo(user.email, 'password_reset.requested')?.data.token);
      expect(second).not.toBe(first);
      await post('/auth/password-reset/confirm')
        .send({ token: first, newPassword: 'Another-long-passphrase-41' })
        .expect(401);
      t.clock.advance(30 * MINUTE);
      await post('/auth/password-reset/confirm')
        .send({ token: second, newPassword: 'Another-long-passphrase-41' })
        .expect(401);
    });

    it('also accepts a password_reset code sent to the phone', async () => {
      const user = await register();
      const other = newPhone();
      // A code for a number with no account is not sent, yet the answer is the same.
      await post('/auth/verification-codes')
        .send({ channel: 'sms', target: other, purpose: 'password_reset' })
        .expect(202);
      expect(sender.lastTo(other)).toBeUndefined();

      t.clock.advance(MINUTE);
      const code = await codeFor(user.phone, 'password_reset');
      const newPassword = 'Code-reset-passphrase-77';
      await post('/auth/password-reset/confirm').send({ login: user.phone, code, newPassword }).expect(204);
      await login(user.phone, newPassword).expect(200);
      const again = await post('/auth/password-reset/confirm')
        .send({ login: user.phone, code, newPassword: 'Code-reset-passphrase-78' })
        .expect(400);
      expect(again.body.code).toBe('verification_code_invalid');
      await post('/auth/password-reset/confirm').send({ newPassword }).expect(400);
    });
  });

  describe('login history and new-device notifications', () => {
    it('lists every attempt on the account, newest first, paged, and only to its owner', async () => {
      const user = await register();
      const other = await register();
      const ip = nextIp();
      await login(user.username, 'wrong-password-123', ip, 'Browser/1').expect(401);
      t.clock.advance(1000);
      const tokens = (await login(user.username, user.password, ip, 'Browser/2').expect(200)).body as Tokens;
      await login(other.username, other.password).expect(200);

      const page1 = await t
        .http()
        .get('/api/v1/me/login-history?limit=1')
        .set(bearer(tokens.accessToken))
        .expect(200);
      expect(page1.body.items).toEqual([
        {
          id: expect.any(String),
          time: expect.any(String),
          ip,
          userAgent: 'Browser/2',
          result: 'success',
          reason: null,
        },
      ]);
      expect(page1.body.nextCursor).toEqual(expect.any(String));
      const page2 = await t
        .http()
        .get(`/api/v1/me/login-history?limit=1&cursor=${page1.body.nextCursor}`)
        .set(bearer(tokens.accessToken))
        .expect(200);
      expect(page2.body.items).toEqual([
        {
          id: expect.any(String),
          time: expect.any(String),
          ip,
          userAgent: 'Browser/1',
          result: 'failure',
          reason: 'invalid_credentials',
        },
      ]);
      expect(page2.body.nextCursor).toBeNull();
      expect(new Date(page1.body.items[0].time).getTime()).toBeGreaterThan(
        new Date(page2.body.items[0].time).getTime(),
      );
      await t.http().get('/api/v1/me/login-history?limit=1000').set(bearer(tokens.accessToken)).expect(400);
    });

    it('records locked attempts too', async () => {
      const user = await register();
      for (let i = 0; i < 5; i += 1) {
        await login(user.username, 'wrong-password-123').expect(401);
        t.clock.advance(1000);
      }
      await login(user.username, user.password).expect(423);
      t.clock.advance(15 * MINUTE);
      const tokens = (await login(user.username, user.password).expect(200)).body as Tokens;
      const res = await t.http().get('/api/v1/me/login-history').set(bearer(tokens.accessToken)).expect(200);
      const results = (res.body.items as { result: string; reason: string | null }[]).map(
        (i) => `${i.result}:${i.reason}`,
      );
      expect(results).toEqual([
        'success:null',
        'locked:account_locked',
        ...Array(5).fill('failure:invalid_credentials'),
      ]);
    });

    it('notifies on a sign-in from a new IP and browser, but not on the first or a known one', async () => {
      const user = await register();
      const outbox = t.get(OutboxService);
      const notificationsOf = async (token: string) => {
        await outbox.drain();
        const res = await t.http().get('/api/v1/notifications?limit=100').set(bearer(token)).expect(200);
        return (res.body.items as { type: string; data: Record<string, unknown> }[]).filter(
          (n) => n.type === 'auth.login.new_device',
        );
      };
      const home = nextIp();
      const first = (await login(user.username, user.password, home, 'Home/1').expect(200)).body as Tokens;
      expect(await notificationsOf(first.accessToken)).toHaveLength(0);
      await login(user.username, user.password, home, 'Home/1').expect(200);
      expect(await notificationsOf(first.accessToken)).toHaveLength(0);

      const cafe = nextIp();
      await login(user.username, user.password, cafe, 'Phone/7').expect(200);
      const found = await notificationsOf(first.accessToken);
      expect(found).toHaveLength(1);
      expect(found[0].data).toMatchObject({ ip: cafe, userAgent: 'Phone/7' });
    });
  });

  describe('ops CLI', () => {
    it('create-platform-admin makes a platform owner who can sign in and use platform endpoints', async () => {
      const output: string[] = [];
      const previous = process.env.DATABASE_URL;
      process.env.DATABASE_URL = (t.db.options as { url?: string }).url;
      try {
        const username = newUsername();
        const password = 'Platform-owner-passphrase-9';
        const code = await admin(
          [
            'create-platform-admin',
            '--username',
            username,
            '--password',
            password,
            '--email',
            `${username}@ops.example`,
          ],
          (line) => output.push(line),
        );
        expect(code).toBe(0);
        expect(output.join('\n')).toContain(`Created platform administrator ${username}`);

        const [grant] = await t.db.query(
          `SELECT g.scope, g.unit_id, r.system_key, m.status FROM users u
           JOIN org_members m ON m.user_id = u.id AND m.org_id = $1
           JOIN access_grants g ON g.user_id = u.id AND g.org_id = $1
           JOIN roles r ON r.id = g.role_id
           WHERE u.username = $2`,
          [PLATFORM_ORG_ID, username],
        );
        expect(grant).toEqual({
          scope: 'org',
          unit_id: '00000000-0000-4000-8000-000000000002',
          system_key: 'owner',
          status: 'active',
        });
        const tokens = (await login(username, password).expect(200)).body as Tokens;
        await t.http().get('/api/v1/platform/verifications').set(bearer(tokens.accessToken)).expect(200);

        // The same rules as registration: a taken name and a weak password are refused.
        output.length = 0;
        expect(
          await admin(['create-platform-admin', '--username', username, '--password', password], (l) =>
            output.push(l),
          ),
        ).toBe(1);
        expect(output[0]).toContain('already exists');
        output.length = 0;
        expect(
          await admin(
            ['create-platform-admin', '--username', newUsername(), '--password', 'password1234'],
            (l) => output.push(l),
          ),
        ).toBe(1);
        expect(output.join('\n')).toContain('password is too common');
        expect(await admin(['create-platform-admin', '--username', 'x'], () => undefined)).toBe(2);
        expect(await admin(['no-such-command'], () => undefined)).toBe(2);
      } finally {
        if (previous === undefined) delete process.env.DATABASE_URL;
        else process.env.DATABASE_URL = previous;
      }
    });
  });
});
