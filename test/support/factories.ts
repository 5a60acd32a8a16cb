import { randomBytes, randomUUID } from 'node:crypto';
import { AccessTokenService } from '../../src/modules/access/access-token.service';
import { TestApp } from './test-app';

export interface TestUser {
  id: string;
  username: string;
  email: string;
  phone: string;
  /** Bearer token of a live session. */
  token: string;
  sessionId: string;
  auth: { Authorization: string };
}

let phoneSequence = 0;

/**
 * A user with a live session, made directly in the database (fast, no verification code round trip).
 * The password hash is a placeholder that no password matches; use the auth endpoints to test login.
 */
export async function makeUser(t: TestApp, overrides: { username?: string } = {}): Promise<TestUser> {
  const suffix = randomBytes(4).toString('hex');
  const username = overrides.username ?? `user_${suffix}`;
  const email = `${username}@example.com`;
  phoneSequence += 1;
  const phone = `139${String(Date.now() % 1e4).padStart(4, '0')}${String(phoneSequence).padStart(4, '0')}`;
  const [{ id }] = await t.db.query(
    `INSERT INTO users (username, email, phone, password_hash) VALUES ($1, $2, $3, 'no-login') RETURNING id`,
    [username, email, phone],
  );
  const session = await signIn(t, id);
  return { id, username, email, phone, ...session };
}

/** Opens a session for a user and signs an access token for it, as login would. */
export async function signIn(
  t: TestApp,
  userId: string,
): Promise<Pick<TestUser, 'token' | 'sessionId' | 'auth'>> {
  const sessionId = randomUUID();
  const now = t.clock.now();
  await t.db.query(`INSERT INTO auth_sessions (id, user_id, expires_at) VALUES ($1, $2, $3)`, [
    sessionId,
    userId,
    new Date(now.getTime() + 30 * 86_400_000),
  ]);
  const token = t.get(AccessTokenService).sign({ sub: userId, sid: sessionId }, now);
  return { token, sessionId, auth: { Authorization: `Bearer ${token}` } };
}
