import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { AppConfig } from '../../platform/config/app-config';
import { JobsService } from '../../platform/jobs/jobs.service';
import { AuthorizationsService } from './authorizations.service';

export const AUTHORIZATION_EXPIRY_JOB = 'social-accounts.authorization-expiry';

const BATCH = 100;

/**
 * Warns both sides some days before an authorization ends and marks it expired when it has ended,
 * with a usage record per account. Access itself never waits for this job: the access rule compares
 * the end with the clock on every request. Batches use SKIP LOCKED so replicas never double-process.
 */
@Injectable()
export class AuthorizationExpiryJob implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly jobs: JobsService,
    private readonly authorizations: AuthorizationsService,
  ) {}

  onModuleInit(): void {
    this.jobs.register(AUTHORIZATION_EXPIRY_JOB, () => this.run().then(() => undefined), {
      pollingIntervalSeconds: 30,
      cron: '* * * * *',
    });
  }

  /** One pass; returns how many authorizations were warned and expired. */
  async run(): Promise<{ warned: number; expired: number }> {
    let warned = 0;
    let expired = 0;
    for (let n = await this.warnBatch(); n > 0; n = await this.warnBatch()) warned += n;
    for (let n = await this.expireBatch(); n > 0; n = await this.expireBatch()) expired += n;
    return { warned, expired };
  }

  private warnBatch(): Promise<number> {
    const now = this.clock.now();
    const horizon = new Date(now.getTime() + this.config.env.AUTHORIZATION_EXPIRY_WARNING_DAYS * 86_400_000);
    return this.dataSource.transaction(async (manager) => {
      const rows: { id: string }[] = await manager.query(
        `SELECT id FROM account_authorizations
          WHERE status = 'active' AND expiry_warned_at IS NULL AND valid_until > $1 AND valid_until <= $2
          ORDER BY valid_until LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
        [now, horizon],
      );
      for (const { id } of rows) {
        await manager.query(`UPDATE account_authorizations SET expiry_warned_at = $2 WHERE id = $1`, [
          id,
          now,
        ]);
        const authorization = await this.authorizations.loadOne(manager, id);
        const message = {
          type: 'social_account.authorization_expiring',
          title: `Authorization between ${authorization.brandName} and ${authorization.agencyName} ends soon`,
          body: `It ends at ${authorization.validUntil}. Accounts: ${authorization.accounts.map((a) => a.handle).join(', ')}`,
          authorizationId: id,
        };
        await this.authorizations.tell(manager, authorization.brandOrgId, message);
        await this.authorizations.tell(manager, authorization.agencyOrgId, message);
      }
      return rows.length;
    });
  }

  private expireBatch(): Promise<number> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (manager) => {
      const rows: { id: string; status: string }[] = await manager.query(
        `SELECT id, status FROM account_authorizations
          WHERE status IN ('offered', 'active') AND valid_until <= $1
          ORDER BY valid_until LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
        [now],
      );
      for (const { id, status } of rows) {
        await manager.query(
          `UPDATE account_authorizations SET status = 'expired', updated_at = $2, version = version + 1 WHERE id = $1`,
          [id, now],
        );
        const authorization = await this.authorizations.loadOne(manager, id);
        await this.authorizations.recordOnAccounts(manager, null, authorization, 'authorization.expired', {
          previousStatus: status,
          validUntil: authorization.validUntil,
        });
        const message = {
          type: 'social_account.authorization_expired',
          title: `Authorization between ${authorization.brandName} and ${authorization.agencyName} has ended`,
          body: `Accounts: ${authorization.accounts.map((a) => a.handle).join(', ')}`,
          authorizationId: id,
        };
        await this.authorizations.tell(manager, authorization.brandOrgId, message);
        await this.authorizations.tell(manager, authorization.agencyOrgId, message);
      }
      return rows.length;
    });
  }
}
