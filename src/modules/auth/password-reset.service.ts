import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { DomainError, ErrorCode } from '../../platform/errors';
import { NotificationsService } from '../../platform/notifications/notifications.service';
import { ClientContext } from './client-context';
import { Channel, channelOf, parseLogin } from './identifiers';
import { LoginLockoutService } from './login-lockout.service';
import { MessageSender } from './message-sender';
import { PasswordResetToken } from './password-reset-token.entity';
import { longestWindowMs, MESSAGE_LIMITS, secondsUntilAllowed } from './rate-window';
import { newOpaqueToken, sha256Hex } from '../../platform/crypto/tokens';
import { SessionService } from './session.service';
import { queryRows } from '../../platform/database/query-rows';
import { UserAccountsService } from './user-accounts.service';
import { VerificationCodeService } from './verification-code.service';

export const RESET_TOKEN_TTL_MINUTES = 30;

/** Proof of control of the account: the reset token, or a `password_reset` code sent to `login`. */
export interface ResetConfirmation {
  token?: string;
  login?: string;
  code?: string;
  newPassword: string;
}

/**
 * Forgotten passwords. A request always answers the same (202), whether or not the login names an
 * account. The token goes to the account's email, else its phone; it is single-use, valid 30 minutes,
 * stored as a hash, and a newer request replaces it. Setting the new password signs out every session.
 */
@Injectable()
export class PasswordResetService {
  private readonly logger = new Logger('PasswordReset');

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly sender: MessageSender,
    private readonly accounts: UserAccountsService,
    private readonly codes: VerificationCodeService,
    private readonly sessions: SessionService,
    private readonly lockout: LoginLockoutService,
    private readonly notifications: NotificationsService,
  ) {}

  async request(client: ClientContext, login: string): Promise<void> {
    const account = await this.accounts.findByLogin(parseLogin(login));
    if (!account || account.status !== 'active') return;
    const channel: Channel = account.email ? 'email' : 'sms';
    const target = account.email ?? account.phone;
    if (!target) return;

    const token = newOpaqueToken();
    const now = this.clock.now();
    const issued = await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `password-reset:${account.id}`,
      ]);
      const recent = await queryRows<{ created_at: Date }>(
        manager,
        'SELECT created_at FROM password_reset_tokens WHERE user_id = $1 AND created_at > $2',
        [account.id, new Date(now.getTime() - longestWindowMs(MESSAGE_LIMITS))],
      );
      // Over the limit, stay silent: a 429 here would tell the caller that the account exists.
      const recentTimes = recent.map((r) => r.created_at);
      if (secondsUntilAllowed(recentTimes, now, MESSAGE_LIMITS) > 0) return false;
      await manager.query(
        'UPDATE password_reset_tokens SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL',
        [account.id, now],
      );
      await manager.insert(PasswordResetToken, {
        userId: account.id,
        tokenHash: sha256Hex(token),
        channel,
        ip: client.ip,
        createdAt: now,
        expiresAt: new Date(now.getTime() + RESET_TOKEN_TTL_MINUTES * 60_000),
        usedAt: null,
      });
      return true;
    });
    if (!issued) return;

    try {
      await this.sender.send({
        channel,
        target,
        subject: 'Reset your Daiyun password',
        text:
          `Someone asked to reset the password of your Daiyun account ${account.username}. ` +
          `To choose a new password, use this reset token within ${RESET_TOKEN_TTL_MINUTES} minutes: ${token}\n` +
          'If it was not you, ignore this message; your password stays as it is.',
        event: 'password_reset.requested',
        data: { token, username: account.username, expiresInMinutes: RESET_TOKEN_TTL_MINUTES },
      });
    } catch (error) {
      // The answer is 202 either way; the person can ask again.
      this.logger.error({ err: error, userId: account.id, channel }, 'Sending a password reset token failed');
    }
  }

  async confirm(input: ResetConfirmation): Promise<void> {
    const proof = input.token
      ? await this.tokenProof(input.token)
      : input.login && input.code
        ? await this.codeProof(input.login, input.code)
        : null;
    if (!proof) throw DomainError.validation('token', 'send the reset token, or login and code');
    const passwordHash = await this.accounts.preparePassword(proof.account, input.newPassword, 'newPassword');

    await this.dataSource.transaction(async (manager) => {
      await proof.consume(manager);
      await manager.query(
        'UPDATE password_reset_tokens SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL',
        [proof.account.id, this.clock.now()],
      );
      await this.accounts.setPasswordHash(manager, proof.account.id, passwordHash);
      await this.sessions.revokeAllForUser(manager, proof.account.id, 'password_reset');
      // A locked-out owner who proved control of the account may sign in with the new password at once.
      const identifiers = [proof.account.username.toLowerCase(), proof.account.email, proof.account.phone];
      await this.lockout.clear(
        manager,
        identifiers.filter((value): value is string => Boolean(value)),
      );
      await this.notifications.notify(manager, {
        userIds: [proof.account.id],
        type: 'auth.password.reset',
        title: 'Your password was changed',
        body: 'Your password was reset and every device was signed out. If this was not you, contact support.',
        data: { at: this.clock.now().toISOString() },
      });
    });
  }

  private async tokenProof(token: string) {
    const now = this.clock.now();
    const [row] = await queryRows<{ id: string; user_id: string }>(
      this.dataSource,
      `SELECT id, user_id FROM password_reset_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2`,
      [sha256Hex(token), now],
    );
    const account = row ? await this.accounts.findById(row.user_id) : null;
    if (!row || !account || account.status !== 'active') throw this.invalidToken();
    return {
      account,
      consume: async (manager: EntityManager) => {
        const used = await queryRows<{ id: string }>(
          manager,
          'UPDATE password_reset_tokens SET used_at = $2 WHERE id = $1 AND used_at IS NULL RETURNING id',
          [row.id, this.clock.now()],
        );
        if (used.length === 0) throw this.invalidToken();
      },
    };
  }

  /** The same reset, proven with a code sent (purpose `password_reset`) to the account's email or phone. */
  private async codeProof(login: string, code: string) {
    const identifier = parseLogin(login);
    const channel = channelOf(identifier);
    if (!channel)
      throw DomainError.validation('login', 'must be the email address or mobile number the code went to');
    // The code is checked before the account is looked at, so a wrong code and an unknown login
    // answer alike.
    const codeId = await this.codes.check({
      channel,
      target: identifier.value,
      purpose: 'password_reset',
      code,
    });
    const account = await this.accounts.findByLogin(identifier);
    if (!account || account.status !== 'active') {
      throw new DomainError(
        ErrorCode.VerificationCodeInvalid,
        'The verification code is wrong, used or expired',
        {
          errors: [{ field: 'code', message: 'is wrong, used or expired; request a new code' }],
        },
      );
    }
    return { account, consume: (manager: EntityManager) => this.codes.consume(manager, codeId) };
  }

  private invalidToken(): DomainError {
    return new DomainError(
      ErrorCode.TokenInvalid,
      'The reset token is invalid, used or expired; ask for a new one',
    );
  }
}
