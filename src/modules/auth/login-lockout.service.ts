import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../../platform/config/app-config';
import { queryRows } from '../../platform/database/query-rows';

/**
 * Locks a login identifier after LOGIN_MAX_FAILURES consecutive failures within LOGIN_LOCK_MINUTES, for
 * LOGIN_LOCK_MINUTES. Counted per normalized identifier whether or not it names an account, so a lock
 * (and its absence) says nothing about which accounts exist. Times come from the caller's clock.
 */
@Injectable()
export class LoginLockoutService {
  private readonly maxFailures: number;
  private readonly lockMs: number;

  constructor(
    private readonly dataSource: DataSource,
    { env }: AppConfig,
  ) {
    this.maxFailures = env.LOGIN_MAX_FAILURES;
    this.lockMs = env.LOGIN_LOCK_MINUTES * 60_000;
  }

  /** Whole seconds the identifier stays locked, or 0. */
  async lockedForSeconds(login: string, now: Date): Promise<number> {
    const [row] = await queryRows<{ locked_until: Date | null }>(
      this.dataSource,
      'SELECT locked_until FROM login_failures WHERE login = $1',
      [login],
    );
    const until = row?.locked_until?.getTime() ?? 0;
    return until > now.getTime() ? Math.ceil((until - now.getTime()) / 1000) : 0;
  }

  /** Counts a failure; returns true when this failure locked the identifier. */
  async recordFailure(manager: EntityManager, login: string, now: Date): Promise<boolean> {
    // One atomic upsert, so parallel failures are all counted. A failure after the window restarts it.
    const [row] = await queryRows<{ failures: number }>(
      manager,
      `INSERT INTO login_failures AS f (login, failures, window_started_at, locked_until, updated_at)
       VALUES ($1, 1, $2, NULL, $2)
       ON CONFLICT (login) DO UPDATE SET
         failures = CASE WHEN f.window_started_at <= $3 THEN 1 ELSE f.failures + 1 END,
         window_started_at = CASE WHEN f.window_started_at <= $3 THEN $2 ELSE f.window_started_at END,
         updated_at = $2
       RETURNING failures`,
      [login, now, new Date(now.getTime() - this.lockMs)],
    );
    if (row.failures < this.maxFailures) return false;
    // The count restarts, so once the lock runs out the identifier has its full number of tries again.
    await manager.query(
      `UPDATE login_failures SET locked_until = $2, failures = 0, window_started_at = $3 WHERE login = $1`,
      [login, new Date(now.getTime() + this.lockMs), now],
    );
    return true;
  }

  /** A success ends the run of failures. */
  async clear(manager: EntityManager, logins: string[]): Promise<void> {
    if (logins.length === 0) return;
    await manager.query('DELETE FROM login_failures WHERE login = ANY($1::text[])', [logins]);
  }
}
