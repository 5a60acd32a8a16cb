import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { AppConfig } from '../../platform/config/app-config';
import { DomainError, ErrorCode } from '../../platform/errors';
import { ClientContext } from './client-context';
import { Channel, normalizeTarget } from './identifiers';
import { MessageSender } from './message-sender';
import {
  CODES_PER_IP_LIMITS,
  longestWindowMs,
  MESSAGE_LIMITS,
  rateLimited,
  secondsUntilAllowed,
  WindowLimit,
} from './rate-window';
import { deriveKey, keyedHash, newNumericCode, sameHex } from './secrets';
import { queryRows } from '../../platform/database/query-rows';
import { UserAccountsService } from './user-accounts.service';
import { VerificationCode, VerificationPurpose } from './verification-code.entity';

export const CODE_TTL_MINUTES = 10;
export const CODE_MAX_ATTEMPTS = 5;

export interface CodeRequest {
  channel: Channel;
  target: string;
  purpose: VerificationPurpose;
}

export interface CodeSubmission extends CodeRequest {
  code: string;
}

const SUBJECTS: Record<VerificationPurpose, string> = {
  register: 'Your Daiyun registration code',
  password_reset: 'Your Daiyun password reset code',
};

/**
 * Six-digit codes proving control of an email address or mobile number. Only a keyed hash is stored;
 * a code is good for 10 minutes and 5 tries, and only the newest code of a target and purpose counts.
 */
@Injectable()
export class VerificationCodeService {
  private readonly logger = new Logger('VerificationCodes');
  private readonly key: Buffer;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly sender: MessageSender,
    private readonly accounts: UserAccountsService,
    { env }: AppConfig,
  ) {
    this.key = deriveKey(env.JWT_SECRET, 'verification-code');
  }

  /**
   * Issues and sends a code, unless the target had one within the minute or ten within the day (429).
   * A password-reset code for an address no account has is recorded (so limits answer the same) but
   * not sent: the answer must not tell whether an account exists.
   */
  async send(client: ClientContext, request: CodeRequest): Promise<void> {
    const target = normalizeTarget(request.channel, request.target);
    const deliver =
      request.purpose !== 'password_reset' || (await this.hasActiveAccount(request.channel, target));
    const code = newNumericCode();
    const now = this.clock.now();

    const id = await this.dataSource.transaction(async (manager) => {
      // Two concurrent requests for one target must not both pass the once-a-minute check.
      await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `verification-code:${target}`,
      ]);
      const wait = await this.waitFor(manager, 'target', target, MESSAGE_LIMITS, now);
      if (wait > 0) {
        throw rateLimited(wait, 'A code was sent to this address recently; retry after Retry-After seconds');
      }
      const ipWait = await this.waitFor(manager, 'ip', client.ip, CODES_PER_IP_LIMITS, now);
      if (ipWait > 0) {
        throw rateLimited(
          ipWait,
          'Too many codes were requested from this network; retry after Retry-After seconds',
        );
      }
      const row = manager.create(VerificationCode, {
        channel: request.channel,
        target,
        purpose: request.purpose,
        codeHash: this.hash(request.channel, target, request.purpose, code),
        attempts: 0,
        maxAttempts: CODE_MAX_ATTEMPTS,
        ip: client.ip,
        createdAt: now,
        expiresAt: new Date(now.getTime() + CODE_TTL_MINUTES * 60_000),
        consumedAt: null,
      });
      return (await manager.save(row)).id;
    });
    if (!deliver) return;

    try {
      await this.sender.send({
        channel: request.channel,
        target,
        subject: SUBJECTS[request.purpose],
        text: `Your Daiyun verification code is ${code}. It is valid for ${CODE_TTL_MINUTES} minutes. Do not share it with anyone.`,
        event: 'verification.code.sent',
        data: { code, purpose: request.purpose, expiresInMinutes: CODE_TTL_MINUTES },
      });
    } catch (error) {
      // An undelivered code must not count against the limits, or the person could not ask again.
      await this.dataSource.query('DELETE FROM verification_codes WHERE id = $1', [id]);
      this.logger.error({ err: error, channel: request.channel }, 'Sending a verification code failed');
      throw new DomainError(ErrorCode.ServiceUnavailable, 'The code could not be sent; retry later');
    }
  }

  /**
   * Checks a submitted code and returns its id for `consume`. Every check spends one of the code's
   * tries before comparing, in one atomic UPDATE, so parallel guesses cannot exceed the limit.
   */
  async check(submission: CodeSubmission, field = 'code'): Promise<string> {
    const target = normalizeTarget(submission.channel, submission.target);
    const now = this.clock.now();
    const rows = await queryRows<{ id: string; code_hash: string }>(
      this.dataSource,
      `UPDATE verification_codes SET attempts = attempts + 1
       WHERE id = (SELECT id FROM verification_codes
                   WHERE channel = $1 AND target = $2 AND purpose = $3
                   ORDER BY created_at DESC, id DESC LIMIT 1)
         AND consumed_at IS NULL AND expires_at > $4 AND attempts < max_attempts
       RETURNING id, code_hash`,
      [submission.channel, target, submission.purpose, now],
    );
    const row = rows[0];
    const expected = this.hash(submission.channel, target, submission.purpose, submission.code);
    if (!row || !sameHex(row.code_hash, expected)) throw this.invalid(field);
    return row.id;
  }

  /**
   * Marks a checked code used, inside the transaction of what it authorizes: if that transaction rolls
   * back (say, a duplicate username) the code stays usable for its remaining tries.
   */
  async consume(manager: EntityManager, codeId: string, field = 'code'): Promise<void> {
    const rows = await queryRows<{ id: string }>(
      manager,
      'UPDATE verification_codes SET consumed_at = $2 WHERE id = $1 AND consumed_at IS NULL RETURNING id',
      [codeId, this.clock.now()],
    );
    if (rows.length === 0) throw this.invalid(field);
  }

  /** Seconds until one more code fits the limits on codes sent to a target or asked for from an IP. */
  private async waitFor(
    manager: EntityManager,
    column: 'target' | 'ip',
    value: string,
    limits: readonly WindowLimit[],
    now: Date,
  ): Promise<number> {
    const rows = await queryRows<{ created_at: Date }>(
      manager,
      `SELECT created_at FROM verification_codes WHERE ${column} = $1 AND created_at > $2`,
      [value, new Date(now.getTime() - longestWindowMs(limits))],
    );
    return secondsUntilAllowed(
      rows.map((r) => r.created_at),
      now,
      limits,
    );
  }

  private async hasActiveAccount(channel: Channel, target: string): Promise<boolean> {
    const account = await this.accounts.findByLogin({
      kind: channel === 'email' ? 'email' : 'phone',
      value: target,
    });
    return account?.status === 'active';
  }

  private hash(channel: Channel, target: string, purpose: VerificationPurpose, code: string): string {
    return keyedHash(this.key, `${channel}\n${target}\n${purpose}\n${code}`);
  }

  private invalid(field: string): DomainError {
    return new DomainError(
      ErrorCode.VerificationCodeInvalid,
      'The verification code is wrong, used or expired',
      {
        errors: [{ field, message: 'is wrong, used or expired; request a new code' }],
      },
    );
  }
}
