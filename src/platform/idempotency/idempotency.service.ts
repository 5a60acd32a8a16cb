import { randomUUID } from 'node:crypto';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../clock/clock';
import { AppConfig } from '../config/app-config';
import { DomainError, ErrorCode } from '../errors';
import { JobsService } from '../jobs/jobs.service';
import { IDEMPOTENCY_KEY_HEADER } from './idempotency-key';

export const IDEMPOTENCY_PRUNE_JOB = 'idempotency.prune';

/**
 * An in-progress claim older than this is taken to be abandoned (its process died between claiming the
 * key and answering), and a retry of the same request may claim the key again. It is far longer than
 * any create takes, so a request that is merely slow is never run twice.
 */
export const IN_PROGRESS_LEASE_MS = 5 * 60_000;
const PRUNE_BATCH = 5_000;
/** Claim attempts when the row we collided with disappears meanwhile (its request failed and released it). */
const CLAIM_ATTEMPTS = 3;

/** Whom a key belongs to: keys are scoped per caller and never shared between callers. */
export interface IdempotencyPrincipal {
  kind: 'user' | 'api_key';
  id: string;
}

export interface IdempotentRequest {
  principal: IdempotencyPrincipal;
  key: string;
  method: string;
  /** The route pattern, e.g. `/api/v1/orgs/:orgId/units`. */
  route: string;
  /** `requestFingerprint` of the request. */
  fingerprint: string;
}

export interface StoredResponse {
  status: number;
  /** The response body as the handler returned it (JSON), or null for none. */
  body: unknown;
  headers: Record<string, string>;
}

/** Either the key is now ours to run the request under, or the request already ran: replay it. */
export type IdempotencyClaim =
  { kind: 'claimed'; claimId: string } | { kind: 'replay'; response: StoredResponse };

interface KeyRow {
  status: 'in_progress' | 'completed';
  request_hash: string;
  response_status: number | null;
  response_body: unknown;
  response_headers: Record<string, string>;
}

/**
 * Storage of idempotency keys (`idempotency_keys`). Every statement stands alone, outside the
 * handler's transaction: the claim must be visible to a concurrent retry before the handler commits.
 */
@Injectable()
export class IdempotencyService implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly jobs: JobsService,
  ) {}

  onModuleInit(): void {
    this.jobs.register(
      IDEMPOTENCY_PRUNE_JOB,
      async () => {
        await this.prune();
      },
      { pollingIntervalSeconds: 60, cron: '41 3 * * *' },
    );
  }

  /**
   * Claims the key for this request, or tells what became of the request that claimed it first.
   * One INSERT … ON CONFLICT decides the race between concurrent requests: exactly one of them inserts
   * (or takes over an expired row, or an abandoned claim of the same request). The others read the
   * row: a different request under the key → 422, still running → 409, completed → its response.
   */
  async claim(request: IdempotentRequest): Promise<IdempotencyClaim> {
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt += 1) {
      const now = this.clock.now();
      const claimId = randomUUID();
      const expiresAt = new Date(now.getTime() + this.config.env.IDEMPOTENCY_KEY_TTL_HOURS * 3_600_000);
      const claimed: { id: string }[] = await this.dataSource.query(
        `INSERT INTO idempotency_keys AS k
           (id, principal_kind, principal_id, key, method, route, request_hash, status, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'in_progress', $8, $9)
         ON CONFLICT (principal_kind, principal_id, key) DO UPDATE
           SET id = EXCLUDED.id, method = EXCLUDED.method, route = EXCLUDED.route,
               request_hash = EXCLUDED.request_hash, status = 'in_progress', response_status = NULL,
               response_body = NULL, response_headers = '{}', created_at = EXCLUDED.created_at,
               completed_at = NULL, expires_at = EXCLUDED.expires_at
           WHERE k.expires_at <= EXCLUDED.created_at
              OR (k.status = 'in_progress' AND k.created_at <= $10 AND k.request_hash = EXCLUDED.request_hash)
         RETURNING id`,
        [
          claimId,
          request.principal.kind,
          request.principal.id,
          request.key,
          request.method.slice(0, 10),
          request.route.slice(0, 300),
          request.fingerprint,
          now,
          expiresAt,
          new Date(now.getTime() - IN_PROGRESS_LEASE_MS),
        ],
      );
      if (claimed.length > 0) return { kind: 'claimed', claimId };

      const [row]: KeyRow[] = await this.dataSource.query(
        `SELECT status, request_hash, response_status, response_body, response_headers
         FROM idempotency_keys
         WHERE principal_kind = $1 AND principal_id = $2 AND key = $3 AND expires_at > $4`,
        [request.principal.kind, request.principal.id, request.key, now],
      );
      // Released (its request failed) or expired since the INSERT: try to claim it again.
      if (!row) continue;
      if (row.request_hash !== request.fingerprint) {
        throw new DomainError(
          ErrorCode.IdempotencyKeyReused,
          `This ${IDEMPOTENCY_KEY_HEADER} was already used for a different request; use a new key for a new request`,
        );
      }
      if (row.status === 'in_progress') throw inUse();
      return {
        kind: 'replay',
        response: {
          status: row.response_status ?? 200,
          body: row.response_body,
          headers: row.response_headers ?? {},
        },
      };
    }
    throw inUse();
  }

  /** Stores the successful response of a claimed request, for replays. */
  async complete(claimId: string, response: StoredResponse): Promise<void> {
    await this.dataSource.query(
      `UPDATE idempotency_keys
       SET status = 'completed', response_status = $2, response_body = $3::json, response_headers = $4::jsonb,
           completed_at = $5
       WHERE id = $1 AND status = 'in_progress'`,
      [
        claimId,
        response.status,
        response.body === undefined ? null : JSON.stringify(response.body),
        JSON.stringify(response.headers),
        this.clock.now(),
      ],
    );
  }

  /** Gives the key back after a failed request, so the client may retry with the same key. */
  async release(claimId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM idempotency_keys WHERE id = $1 AND status = 'in_progress'`, [
      claimId,
    ]);
  }

  /** Deletes expired keys in batches (the daily job); returns how many. */
  async prune(): Promise<number> {
    const now = this.clock.now();
    let total = 0;
    for (;;) {
      const [, deleted]: [unknown[], number] = await this.dataSource.query(
        `DELETE FROM idempotency_keys
         WHERE id IN (SELECT id FROM idempotency_keys WHERE expires_at <= $1 LIMIT $2)`,
        [now, PRUNE_BATCH],
      );
      total += deleted;
      if (deleted < PRUNE_BATCH) return total;
    }
  }
}

const inUse = () =>
  new DomainError(
    ErrorCode.IdempotencyKeyInUse,
    `A request with this ${IDEMPOTENCY_KEY_HEADER} is still being processed; retry later`,
    { headers: { 'Retry-After': '1' } },
  );
