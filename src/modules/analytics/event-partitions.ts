import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/*
 * Monthly partitions of `analytics_events`, named `analytics_events_yYYYYmMM` and bounded by UTC
 * months. They are shared by every organization, so a partition can only go once it is past the
 * longest retention any organization has; shorter retentions are DELETEs inside partitions.
 */

const PARENT = 'analytics_events';
/** Serializes partition DDL between replicas and requests (CREATE … PARTITION OF locks the parent). */
const DDL_LOCK = `pg_advisory_xact_lock(hashtext('analytics_events.partitions'))`;

export function monthStart(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

export function addMonths(month: Date, months: number): Date {
  return new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + months, 1));
}

export function partitionName(month: Date): string {
  return `${PARENT}_y${month.getUTCFullYear()}m${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
}

const NAME = /^analytics_events_y(\d{4})m(\d{2})$/;

/** The month a partition name stands for, or null for anything else. */
export function monthOfPartition(name: string): Date | null {
  const match = NAME.exec(name);
  return match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1)) : null;
}

@Injectable()
export class EventPartitions {
  private readonly logger = new Logger('AnalyticsPartitions');
  /** Months known to have a partition in this process; a dropped one is only ever in the past. */
  private readonly known = new Set<string>();

  constructor(private readonly dataSource: DataSource) {}

  async list(manager: EntityManager = this.dataSource.manager): Promise<Date[]> {
    const rows: { name: string }[] = await manager.query(
      `SELECT c.relname AS name FROM pg_inherits i
         JOIN pg_class c ON c.oid = i.inhrelid
         JOIN pg_class p ON p.oid = i.inhparent
        WHERE p.relname = $1 AND p.relnamespace = current_schema()::regnamespace`,
      [PARENT],
    );
    return rows
      .map((row) => monthOfPartition(row.name))
      .filter((month): month is Date => month !== null)
      .sort((a, b) => a.getTime() - b.getTime());
  }

  /**
   * Makes sure every month of `times` has its partition, creating missing ones in a short transaction
   * of their own (a history import may reach months before the job's horizon).
   */
  async ensure(times: Iterable<Date>): Promise<void> {
    const missing = new Map<string, Date>();
    for (const at of times) {
      const month = monthStart(at);
      const name = partitionName(month);
      if (!this.known.has(name)) missing.set(name, month);
    }
    if (missing.size === 0) return;
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT ${DDL_LOCK}`);
      for (const month of missing.values()) await this.create(manager, month);
    });
  }

  /** Creates the partitions of `from`'s month through `months` months after it; answers the new ones. */
  async createAhead(from: Date, months: number): Promise<string[]> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT ${DDL_LOCK}`);
      const created: string[] = [];
      for (let n = 0; n <= months; n++) {
        const month = addMonths(monthStart(from), n);
        if (await this.create(manager, month)) created.push(partitionName(month));
      }
      return created;
    });
  }

  /** Drops every partition that ends on or before `cutoff`; answers the dropped ones. */
  async dropEndingBy(cutoff: Date): Promise<string[]> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT ${DDL_LOCK}`);
      const dropped: string[] = [];
      for (const month of await this.list(manager)) {
        const end = addMonths(month, 1);
        if (end.getTime() > cutoff.getTime()) continue;
        const name = partitionName(month);
        await manager.query(`DROP TABLE IF EXISTS ${name}`);
        await manager.query(`DELETE FROM analytics_event_ids WHERE occurred_at < $1`, [end]);
        this.known.delete(name);
        dropped.push(name);
      }
      if (dropped.length > 0) this.logger.log(`Dropped analytics partitions ${dropped.join(', ')}`);
      return dropped;
    });
  }

  private async create(manager: EntityManager, month: Date): Promise<boolean> {
    const name = partitionName(month);
    const [{ exists }] = await manager.query(`SELECT to_regclass($1) IS NOT NULL AS exists`, [name]);
    if (!exists) {
      // Names and bounds come from a Date, never from input; DDL takes no parameters.
      await manager.query(
        `CREATE TABLE ${name} PARTITION OF ${PARENT}
           FOR VALUES FROM ('${month.toISOString()}') TO ('${addMonths(month, 1).toISOString()}')`,
      );
    }
    this.known.add(name);
    return !exists;
  }
}
