import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError } from '../../platform/errors';
import { DEFAULT_PAGE_SIZE, Page } from '../../platform/http/pagination';
import { CustomerHistoryEntryDto } from './customer.dto';

/** One entry of a customer's history, from whichever module owns it. */
export interface CustomerHistoryEntry {
  /** Unique within the source; with `occurredAt` it orders entries and keys the cursor. */
  id: string;
  kind: string;
  /** The profile it happened to: one of the ids the source was asked about. */
  customerId: string;
  actorUserId: string | null;
  details: Record<string, unknown>;
  occurredAt: Date;
}

/**
 * A module's contribution to customer history, registered with `CustomerHistory.register` in the
 * module's `onModuleInit`. The customers module never reads the contributing module's tables: it asks
 * the source. `customerIds` holds the profile and every profile merged into it, so entries recorded
 * against a merged-away profile stay in the history.
 */
export interface CustomerHistorySource {
  /** Stable name shown as the entry's `source`, e.g. `tickets`. */
  readonly name: string;
  /**
   * At most `limit` entries of these customers in `orgId`, newest first, none later than `notAfter`
   * when given (the history drops the ones it already showed).
   */
  entries(
    orgId: string,
    customerIds: readonly string[],
    page: { notAfter: Date | null; limit: number },
  ): Promise<CustomerHistoryEntry[]>;
}

interface Cursor {
  at: string;
  id: string;
  source: string;
}

const encode = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');

function decode(raw: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Cursor;
    if (typeof c.at !== 'string' || typeof c.id !== 'string' || typeof c.source !== 'string')
      throw new Error();
    if (Number.isNaN(new Date(c.at).getTime())) throw new Error();
    return c;
  } catch {
    throw DomainError.validation('cursor', 'is not a valid cursor');
  }
}

/**
 * A customer's history across modules: its own events (created, edited, merged, care contacts) plus
 * whatever registered sources contribute, merged into one newest-first list with one cursor.
 */
@Injectable()
export class CustomerHistory {
  private readonly sources = new Map<string, CustomerHistorySource>();

  constructor(private readonly dataSource: DataSource) {
    this.register({ name: 'customers', entries: (orgId, ids, page) => this.ownEntries(orgId, ids, page) });
  }

  register(source: CustomerHistorySource): void {
    if (this.sources.has(source.name)) throw new Error(`History source "${source.name}" registered twice`);
    this.sources.set(source.name, source);
  }

  async page(
    orgId: string,
    customerIds: readonly string[],
    query: { limit?: number; cursor?: string },
  ): Promise<Page<CustomerHistoryEntryDto>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const cursor = query.cursor ? decode(query.cursor) : null;
    // Ties on (at, id) across sources are broken by source name, so no entry is skipped or repeated.
    const lists = await Promise.all(
      [...this.sources.values()].map(async (source) => {
        const entries = await source.entries(orgId, customerIds, {
          notAfter: cursor ? new Date(cursor.at) : null,
          limit: limit + 1,
        });
        return entries
          .map((entry) => ({ source: source.name, entry }))
          .filter(({ entry, source: name }) => !cursor || isBefore(entry, name, cursor));
      }),
    );
    const all = lists.flat().sort((a, b) => compare(b, a));
    const items = all.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(({ source, entry }) => ({
        id: entry.id,
        source,
        kind: entry.kind,
        customerId: entry.customerId,
        actorUserId: entry.actorUserId,
        details: entry.details,
        occurredAt: entry.occurredAt.toISOString(),
      })),
      nextCursor:
        all.length > limit && last
          ? encode({ at: last.entry.occurredAt.toISOString(), id: last.entry.id, source: last.source })
          : null,
    };
  }

  private async ownEntries(
    orgId: string,
    customerIds: readonly string[],
    page: { notAfter: Date | null; limit: number },
  ): Promise<CustomerHistoryEntry[]> {
    const rows: {
      id: string;
      kind: string;
      customer_id: string;
      actor_user_id: string | null;
      details: Record<string, unknown>;
      occurred_at: Date;
    }[] = await this.dataSource.query(
      `SELECT id, kind, customer_id, actor_user_id, details, occurred_at FROM customer_events
        WHERE org_id = $1 AND customer_id = ANY($2::uuid[]) AND ($3::timestamptz IS NULL OR occurred_at <= $3)
        ORDER BY occurred_at DESC, id DESC LIMIT $4`,
      [orgId, customerIds, page.notAfter, page.limit],
    );
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      customerId: r.customer_id,
      actorUserId: r.actor_user_id,
      details: r.details,
      occurredAt: r.occurred_at,
    }));
  }
}

type Tagged = { source: string; entry: CustomerHistoryEntry };

function compare(a: Tagged, b: Tagged): number {
  const t = a.entry.occurredAt.getTime() - b.entry.occurredAt.getTime();
  if (t !== 0) return t;
  if (a.source !== b.source) return a.source < b.source ? -1 : 1;
  return a.entry.id < b.entry.id ? -1 : a.entry.id > b.entry.id ? 1 : 0;
}

/** Strictly after the cursor in newest-first order. */
function isBefore(entry: CustomerHistoryEntry, source: string, cursor: Cursor): boolean {
  return (
    compare(
      { source, entry },
      { source: cursor.source, entry: { ...entry, id: cursor.id, occurredAt: new Date(cursor.at) } },
    ) < 0
  );
}
