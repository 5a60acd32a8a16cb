import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../../../platform/config/app-config';
import { rateLimited, secondsUntilAllowed, WindowLimit } from '../../auth/rate-window';

const HOUR_MS = 60 * 60_000;

/**
 * At most CREDENTIAL_REVEALS_PER_HOUR reveals per person in any sliding hour, across organizations,
 * counted from the recorded reveals (so every replica agrees and a failed reveal costs nothing).
 */
@Injectable()
export class RevealRateLimit {
  private readonly limit: WindowLimit;

  constructor({ env }: AppConfig) {
    this.limit = { windowMs: HOUR_MS, max: env.CREDENTIAL_REVEALS_PER_HOUR };
  }

  /**
   * Call inside the reveal's transaction, before recording it. The advisory lock queues a person's
   * concurrent reveals until this transaction ends, so two requests cannot both take the last slot.
   */
  async assertAllowed(manager: EntityManager, userId: string, now: Date): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `credential-reveal:${userId}`,
    ]);
    const rows: { created_at: Date }[] = await manager.query(
      `SELECT created_at FROM credential_reveals WHERE user_id = $1 AND created_at > $2`,
      [userId, new Date(now.getTime() - this.limit.windowMs)],
    );
    const wait = secondsUntilAllowed(
      rows.map((row) => row.created_at),
      now,
      [this.limit],
    );
    if (wait > 0) {
      throw rateLimited(wait, `At most ${this.limit.max} credential reveals an hour; retry in ${wait} s`);
    }
  }
}
