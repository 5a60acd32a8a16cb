import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { DomainError } from '../../platform/errors';
import { ContactKind, normaliseContact, presentContact } from './contact-points';
import { recordCustomerEvent } from './customer-events';
import { lockContactValues } from './customer-store';
import { MAX_MERGE_HOPS } from './customer.types';

export interface CustomerContact {
  name?: string;
  company?: string;
  phone?: string;
  email?: string;
  douyinId?: string;
  wechatId?: string;
}

export interface CustomerSummary {
  id: string;
  displayName: string;
  kind: 'person' | 'company';
  tier: string;
  /** Masked unless `unmasked` was asked for. */
  phone: string | null;
  email: string | null;
}

/** Contact fields of CustomerContact in the order that decides which existing profile wins. */
const CONTACT_FIELDS: { field: keyof CustomerContact; kind: ContactKind }[] = [
  { field: 'phone', kind: 'phone' },
  { field: 'email', kind: 'email' },
  { field: 'douyinId', kind: 'douyin' },
  { field: 'wechatId', kind: 'wechat' },
];

/**
 * What other modules (tickets first) know of customers: find or create a profile from contact details,
 * check that a customer id belongs to an organization, and show short summaries. It never applies a
 * data scope: the calling module decides who may see the ticket, and a ticket's customer is shown with
 * it. Masking still holds; an unmasked summary is the caller's read to record in the operation log.
 */
@Injectable()
export class CustomerDirectory {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /**
   * The org's live customer holding one of these contact points (phone first, then email, Douyin,
   * WeChat), else a new one with all of them; runs inside the caller's transaction. A new profile
   * belongs to the creating member's primary unit (none for public or API-key callers). Contact values
   * are validated here: an invalid one is a 400 naming the field (`phone`, `email`, `douyinId`, `wechatId`).
   */
  async resolve(
    manager: EntityManager,
    orgId: string,
    contact: CustomerContact,
    createdBy: string | null,
  ): Promise<{ id: string; tier: string; created: boolean }> {
    const points = normaliseAll(contact);
    // Concurrent resolves of one new contact point must not create two profiles.
    await lockContactValues(manager, orgId, points);
    if (points.length > 0) {
      const found: { id: string; tier: string; kind: ContactKind }[] = await manager.query(
        `SELECT c.id, c.tier, p.kind FROM customer_contact_points p
           JOIN customers c ON c.org_id = p.org_id AND c.id = p.customer_id AND c.status = 'active'
          WHERE p.org_id = $1 AND p.retired_at IS NULL AND (p.kind, p.value) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
        [orgId, points.map((p) => p.kind), points.map((p) => p.value)],
      );
      for (const point of points) {
        const hit = found.find((f) => f.kind === point.kind);
        if (hit) return { id: hit.id, tier: hit.tier, created: false };
      }
    }

    const name = contact.name?.trim() || contact.company?.trim() || null;
    const displayName =
      name ?? (points[0] ? presentContact(points[0].kind, points[0].value, false) : 'Customer');
    const kind = !contact.name?.trim() && contact.company?.trim() ? 'company' : 'person';
    const unit: { unit_id: string }[] = createdBy
      ? await manager.query(
          `SELECT unit_id FROM org_members WHERE org_id = $1 AND user_id = $2 AND status = 'active'`,
          [orgId, createdBy],
        )
      : [];
    const now = this.clock.now();
    const [{ id, tier }]: { id: string; tier: string }[] = await manager.query(
      `INSERT INTO customers (org_id, unit_id, kind, display_name, company_name, created_by, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id, tier`,
      [
        orgId,
        unit[0]?.unit_id ?? null,
        kind,
        displayName.slice(0, 200),
        contact.company?.trim() || null,
        createdBy,
        now,
      ],
    );
    for (const point of points) {
      await manager.query(
        `INSERT INTO customer_contact_points (org_id, customer_id, kind, value, is_primary, created_at)
         VALUES ($1, $2, $3, $4, true, $5)`,
        [orgId, id, point.kind, point.value, now],
      );
    }
    await recordCustomerEvent(manager, {
      orgId,
      customerId: id,
      kind: 'customer.created',
      actorUserId: createdBy,
      details: { source: 'resolve', displayName },
      at: now,
    });
    return { id, tier, created: true };
  }

  /**
   * The customer in this organization, following `merged_into` from a merged profile to the one it
   * now lives in; null for an id of another organization, an unknown id or an archived profile.
   */
  async find(
    manager: EntityManager | null,
    orgId: string,
    customerId: string,
  ): Promise<{ id: string; tier: string } | null> {
    const db = manager ?? this.dataSource.manager;
    let id = customerId;
    for (let hop = 0; hop <= MAX_MERGE_HOPS; hop++) {
      const rows: { id: string; tier: string; status: string; merged_into: string | null }[] = await db.query(
        `SELECT id, tier, status, merged_into FROM customers WHERE org_id = $1 AND id = $2`,
        [orgId, id],
      );
      const row = rows[0];
      if (!row) return null;
      if (row.status === 'active') return { id: row.id, tier: row.tier };
      if (row.status !== 'merged' || !row.merged_into) return null;
      id = row.merged_into;
    }
    return null;
  }

  /**
   * Short summaries keyed by the ids asked for (a merged id maps to its surviving profile's summary);
   * ids of other organizations are simply absent.
   */
  async summaries(
    orgId: string,
    ids: readonly string[],
    options: { unmasked: boolean },
  ): Promise<Map<string, CustomerSummary>> {
    const result = new Map<string, CustomerSummary>();
    const wanted = [...new Set(ids)];
    if (wanted.length === 0) return result;
    const rows: {
      asked: string;
      id: string;
      display_name: string;
      kind: 'person' | 'company';
      tier: string;
      phone: string | null;
      email: string | null;
    }[] = await this.dataSource.query(
      `WITH RECURSIVE chain (asked, id, merged_into, hops) AS (
         SELECT c.id, c.id, c.merged_into, 0 FROM customers c WHERE c.org_id = $1 AND c.id = ANY($2::uuid[])
         UNION ALL
         SELECT chain.asked, c.id, c.merged_into, chain.hops + 1
           FROM chain JOIN customers c ON c.org_id = $1 AND c.id = chain.merged_into
          WHERE chain.hops < $3
       )
       SELECT chain.asked, c.id, c.display_name, c.kind, c.tier,
              (SELECT p.value FROM customer_contact_points p WHERE p.org_id = c.org_id AND p.customer_id = c.id
                  AND p.kind = 'phone' AND p.retired_at IS NULL ORDER BY p.is_primary DESC, p.created_at LIMIT 1) AS phone,
              (SELECT p.value FROM customer_contact_points p WHERE p.org_id = c.org_id AND p.customer_id = c.id
                  AND p.kind = 'email' AND p.retired_at IS NULL ORDER BY p.is_primary DESC, p.created_at LIMIT 1) AS email
         FROM chain JOIN customers c ON c.org_id = $1 AND c.id = chain.id
        WHERE chain.merged_into IS NULL`,
      [orgId, wanted, MAX_MERGE_HOPS],
    );
    for (const row of rows) {
      result.set(row.asked, {
        id: row.id,
        displayName: row.display_name,
        kind: row.kind,
        tier: row.tier,
        phone: row.phone === null ? null : presentContact('phone', row.phone, options.unmasked),
        email: row.email === null ? null : presentContact('email', row.email, options.unmasked),
      });
    }
    return result;
  }
}

function normaliseAll(contact: CustomerContact): { kind: ContactKind; value: string }[] {
  const points: { kind: ContactKind; value: string }[] = [];
  for (const { field, kind } of CONTACT_FIELDS) {
    const raw = contact[field];
    if (raw === undefined || raw === null || raw.trim() === '') continue;
    const value = normaliseContact(kind, raw);
    if (value === null) throw DomainError.validation(field, `not a valid ${kind}`);
    points.push({ kind, value });
  }
  return points;
}
