import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../../../platform/clock/clock';
import { Actor } from '../../access/actor';
import { UsageAction } from './usage-actions';
import { chainHash, ChainedFields, GENESIS_HASH, JsonValue, microsOf, normalizeDetails } from './usage-chain';
import { UsageCheckpoints } from './usage-checkpoints.service';

export interface UsageEntry {
  accountId: string;
  /** The brand that owns the account. */
  brandOrgId: string;
  action: UsageAction;
  /** Who acted; null for the system (a job). IP and request id come from it. */
  actor: Actor | null;
  /** The organization the actor acted in (the brand, an agency, or the platform). */
  actorOrgId: string | null;
  /** The agency concerned, when there is one: it can then read this record too. */
  agencyOrgId: string | null;
  /**
   * What happened, never a secret. Only strings, integers, booleans, null, arrays and objects;
   * `undefined` members are dropped and Dates become ISO text, as JSON would store them.
   */
  details?: { [key: string]: JsonValue };
}

export interface AppendedRecord {
  id: string;
  seq: number;
  hash: string;
}

interface HeadRow {
  seq: string;
  head_hash: string;
  checkpoint_seq: string;
}

/** Blank means "not known": stored as NULL, which the CSV export can tell apart from text. */
const orNull = (value: string | null | undefined, max: number): string | null => value?.slice(0, max) || null;

/**
 * Appends account usage records (账号使用记录) to each account's hash chain. Call inside the
 * transaction of the action being recorded, so that the record and the action commit together.
 */
@Injectable()
export class UsageRecordsService {
  constructor(
    private readonly clock: Clock,
    private readonly checkpoints: UsageCheckpoints,
  ) {}

  /**
   * The chain head row is locked for the rest of the transaction, so concurrent appends to one account
   * queue up behind each other and never fork the chain; appends to different accounts don't wait.
   * (Under READ COMMITTED, the default, a waiting append reads the head its predecessor committed; a
   * REPEATABLE READ caller gets a serialization failure instead, which answers 409 "retry".)
   * When the chain has `USAGE_CHECKPOINT_EVERY_RECORDS` records past its last checkpoint, the new head
   * is checkpointed in the same transaction.
   */
  async append(manager: EntityManager, entry: UsageEntry): Promise<AppendedRecord> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('UsageRecordsService.append must run inside a transaction');
    }
    const head = await this.lockHead(manager, entry.accountId);
    const occurredAt = this.clock.now();
    // Every value is normalized to exactly what the row will hold before it is hashed, so that
    // verification, which recomputes from the stored row, arrives at the same hash.
    const fields: ChainedFields = {
      accountId: entry.accountId.toLowerCase(),
      seq: Number(head.seq) + 1,
      brandOrgId: entry.brandOrgId.toLowerCase(),
      actorOrgId: entry.actorOrgId?.toLowerCase() ?? null,
      agencyOrgId: entry.agencyOrgId?.toLowerCase() ?? null,
      actorUserId: entry.actor?.userId?.toLowerCase() ?? null,
      apiKeyId: entry.actor?.apiKeyId?.toLowerCase() ?? null,
      action: entry.action,
      ip: orNull(entry.actor?.ip, 64),
      requestId: orNull(entry.actor?.requestId, 128),
      occurredAtMicros: microsOf(occurredAt),
      details: normalizeDetails(entry.details),
    };
    const hash = chainHash(head.head_hash, fields);
    // One round trip: the record and the head that now points at it.
    const [{ id }]: { id: string }[] = await manager.query(
      `WITH record AS (
         INSERT INTO account_usage_records
           (account_id, seq, brand_org_id, actor_org_id, agency_org_id, actor_user_id, api_key_id, action, ip,
            request_id, occurred_at, details, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::timestamptz, $12::jsonb, $13, $14)
         RETURNING id
       ), moved AS (
         UPDATE account_usage_heads SET seq = $2, head_hash = $14, updated_at = now() WHERE account_id = $1
       )
       SELECT id FROM record`,
      [
        fields.accountId,
        fields.seq,
        fields.brandOrgId,
        fields.actorOrgId,
        fields.agencyOrgId,
        fields.actorUserId,
        fields.apiKeyId,
        fields.action,
        fields.ip,
        fields.requestId,
        // ISO text in UTC: neither the Node process's nor the session's time zone can shift it.
        occurredAt.toISOString(),
        JSON.stringify(fields.details),
        head.head_hash,
        hash,
      ],
    );
    if (fields.seq - Number(head.checkpoint_seq) >= this.checkpoints.everyRecords) {
      await this.checkpoints.write(manager, { accountId: fields.accountId, seq: fields.seq, headHash: hash });
    }
    return { id, seq: fields.seq, hash };
  }

  /** Locks the account's chain head, creating it (at the genesis hash) for the first record. */
  private async lockHead(manager: EntityManager, accountId: string): Promise<HeadRow> {
    const select = `SELECT seq, head_hash, checkpoint_seq FROM account_usage_heads WHERE account_id = $1 FOR UPDATE`;
    const [existing]: HeadRow[] = await manager.query(select, [accountId]);
    if (existing) return existing;
    // Two first appends racing: the second INSERT waits for the first to commit, then does nothing,
    // and its SELECT … FOR UPDATE reads the head the first one left.
    await manager.query(
      `INSERT INTO account_usage_heads (account_id, seq, head_hash) VALUES ($1, 0, $2) ON CONFLICT (account_id) DO NOTHING`,
      [accountId, GENESIS_HASH],
    );
    const [head]: HeadRow[] = await manager.query(select, [accountId]);
    return head;
  }
}
