import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { AppConfig } from '../../platform/config/app-config';
import { DomainError, ErrorCode } from '../../platform/errors';
import { NotificationsService } from '../../platform/notifications/notifications.service';
import { ClientContext } from './client-context';
import { parseLogin } from './identifiers';
import { LoginAttempt, LoginFailureReason, LoginResult } from './login-attempt.entity';
import { LoginLockoutService } from './login-lockout.service';
import { PasswordHasher } from './password-hasher';
import { rateLimited, secondsUntilAllowed } from './rate-window';
import { SessionService, TokenPair } from './session.service';
import { queryRows } from '../../platform/database/query-rows';
import { UserAccountsService } from './user-accounts.service';

export interface Credentials {
  login: string;
  password: string;
}

const IP_WINDOW_MS = 60_000;

/**
 * Password login: per-IP limit, then lockout, then the password; every attempt lands in the login
 * history. Unknown logins take the same path and time as known ones (a dummy hash is verified) and
 * get the same answers, so nothing here tells an attacker which accounts exist.
 */
@Injectable()
export class LoginService {
  private readonly perIpPerMinute: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly hasher: PasswordHasher,
    private readonly accounts: UserAccountsService,
    private readonly lockout: LoginLockoutService,
    private readonly sessions: SessionService,
    private readonly notifications: NotificationsService,
    { env }: AppConfig,
  ) {
    this.perIpPerMinute = env.LOGIN_PER_IP_PER_MINUTE;
  }

  async login(client: ClientContext, credentials: Credentials): Promise<TokenPair> {
    const now = this.clock.now();
    const login = parseLogin(credentials.login);
    const account = await this.accounts.findByLogin(login);
    const attempt = { userId: account?.id ?? null, login: login.value, client, now };

    const ipWait = await this.ipRetryAfter(client.ip, now);
    if (ipWait > 0) {
      await this.record(this.dataSource.manager, {
        ...attempt,
        result: 'rate_limited',
        reason: 'ip_rate_limited',
      });
      throw rateLimited(
        ipWait,
        'Too many sign-in attempts from this network; retry after Retry-After seconds',
      );
    }

    const lockedFor = await this.lockout.lockedForSeconds(login.value, now);
    if (lockedFor > 0) {
      await this.record(this.dataSource.manager, { ...attempt, result: 'locked', reason: 'account_locked' });
      throw this.locked(lockedFor);
    }

    const passwordOk = account
      ? await this.hasher.verify(account.passwordHash, credentials.password)
      : await this.hasher.verifyAgainstNothing(credentials.password);
    if (!account || !passwordOk || account.status !== 'active') {
      const reason: LoginFailureReason = account && passwordOk ? 'account_disabled' : 'invalid_credentials';
      await this.dataSource.transaction(async (manager) => {
        await this.lockout.recordFailure(manager, login.value, now);
        await this.record(manager, { ...attempt, result: 'failure', reason });
      });
      throw new DomainError(ErrorCode.InvalidCredentials, 'The login or password is wrong');
    }

    return this.dataSource.transaction(async (manager) => {
      const device = await this.deviceHistory(manager, account.id, client);
      await this.lockout.clear(manager, [login.value]);
      const opened = await this.sessions.open(manager, account.id, client);
      await this.record(manager, {
        ...attempt,
        result: 'success',
        reason: null,
        sessionId: opened.sessionId,
      });
      // The first login of an account is not news; a later one from an unseen IP and browser is.
      if (device.signedInBefore && !device.knownDevice) {
        await this.notifications.notify(manager, {
          userIds: [account.id],
          type: 'auth.login.new_device',
          title: 'New sign-in to your account',
          body:
            `Your account was signed in from a new device or network (IP ${client.ip}` +
            `${client.userAgent ? `, ${client.userAgent}` : ''}) at ${now.toISOString()}. ` +
            'If this was not you, reset your password now.',
          data: {
            ip: client.ip,
            userAgent: client.userAgent,
            at: now.toISOString(),
            sessionId: opened.sessionId,
          },
        });
      }
      return opened.tokens;
    });
  }

  private async ipRetryAfter(ip: string, now: Date): Promise<number> {
    // Attempts refused by this very limit do not count, so a blocked client is free again a minute
    // after its last real attempt rather than a minute after it stops knocking.
    const rows = await queryRows<{ created_at: Date }>(
      this.dataSource,
      `SELECT created_at FROM login_attempts
       WHERE ip = $1 AND created_at > $2 AND created_at <= $3 AND result <> 'rate_limited'
       ORDER BY created_at DESC LIMIT $4`,
      [ip, new Date(now.getTime() - IP_WINDOW_MS), now, this.perIpPerMinute],
    );
    return secondsUntilAllowed(
      rows.map((r) => r.created_at),
      now,
      [{ windowMs: IP_WINDOW_MS, max: this.perIpPerMinute }],
    );
  }

  private async deviceHistory(
    manager: EntityManager,
    userId: string,
    client: ClientContext,
  ): Promise<{ signedInBefore: boolean; knownDevice: boolean }> {
    const [row] = await queryRows<{ signed_in_before: boolean; known_device: boolean }>(
      manager,
      `SELECT
         EXISTS (SELECT 1 FROM login_attempts WHERE user_id = $1 AND result = 'success') AS signed_in_before,
         EXISTS (SELECT 1 FROM login_attempts WHERE user_id = $1 AND result = 'success'
                   AND ip = $2 AND user_agent IS NOT DISTINCT FROM $3) AS known_device`,
      [userId, client.ip, client.userAgent],
    );
    return { signedInBefore: row.signed_in_before, knownDevice: row.known_device };
  }

  private async record(
    manager: EntityManager,
    attempt: {
      userId: string | null;
      login: string;
      client: ClientContext;
      now: Date;
      result: LoginResult;
      reason: LoginFailureReason | null;
      sessionId?: string;
    },
  ): Promise<void> {
    await manager.insert(LoginAttempt, {
      userId: attempt.userId,
      login: attempt.login.slice(0, 254),
      ip: attempt.client.ip,
      userAgent: attempt.client.userAgent,
      result: attempt.result,
      reason: attempt.reason,
      sessionId: attempt.sessionId ?? null,
      createdAt: attempt.now,
    });
  }

  private locked(seconds: number): DomainError {
    return new DomainError(
      ErrorCode.AccountLocked,
      'Too many failed sign-ins: this login is locked for a while; retry after Retry-After seconds',
      { headers: { 'Retry-After': String(seconds) }, extensions: { retryAfterSeconds: seconds } },
    );
  }
}
