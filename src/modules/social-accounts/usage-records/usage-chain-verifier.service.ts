import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../../platform/clock/clock';
import { DataScope } from '../../access/data-scope';
import { SocialAccountAccess } from '../account-access.service';
import { CheckpointSigner } from './checkpoint-signer';
import { CHAIN_FORMAT, chainHash, dateFromMicros, GENESIS_HASH } from './usage-chain';
import { UsageCheckpoints } from './usage-checkpoints.service';
import { chainedFieldsOf, RECORD_SELECT_SQL, UsageRecordRow } from './usage-record-row';
import {
  BreakReason,
  UsageChainBreakDto,
  UsageChainVerificationDto,
  UsageCheckpointDto,
} from './usage-records.dto';

const VERIFY_BATCH = 1000;

interface CheckpointRow {
  seq: string;
  head_hash: string;
  signed_at_micros: string;
  key_id: string;
  signature: string;
}

/** What the scan found before the checkpoint and the head are compared with it. */
interface Scan {
  count: number;
  headHash: string;
  firstBad: UsageChainBreakDto | null;
  /** The record at the checkpoint's seq, met on the way. */
  atCheckpoint: { id: string; hash: string } | null;
}

/**
 * Recomputes an account's chain from the stored rows and compares it with the latest signed checkpoint
 * and the chain head. Reads in batches (never the whole chain in memory) inside one REPEATABLE READ
 * snapshot, so appends committing meanwhile cannot make a sound chain look broken.
 */
@Injectable()
export class UsageChainVerifier {
  private readonly signer: CheckpointSigner;

  constructor(
    private readonly dataSource: DataSource,
    private readonly access: SocialAccountAccess,
    private readonly clock: Clock,
    checkpoints: UsageCheckpoints,
  ) {
    this.signer = checkpoints.signer;
  }

  /** For the brand and for agencies alike: the verdict names records but reveals none of their content. */
  async verify(scope: DataScope, accountId: string): Promise<UsageChainVerificationDto> {
    const access = await this.access.require(scope, accountId, { operable: false });
    return this.dataSource.transaction('REPEATABLE READ', (manager) =>
      this.verifyChain(manager, access.accountId),
    );
  }

  /** The verification itself, on whatever connection `manager` holds (tests use other time zones). */
  async verifyChain(manager: EntityManager, accountId: string): Promise<UsageChainVerificationDto> {
    const [checkpointRow]: CheckpointRow[] = await manager.query(
      `SELECT seq::text AS seq, head_hash, (extract(epoch FROM signed_at) * 1000000)::bigint::text AS signed_at_micros,
              key_id, signature
         FROM account_usage_checkpoints WHERE account_id = $1 ORDER BY seq DESC LIMIT 1`,
      [accountId],
    );
    const [head]: { seq: string }[] = await manager.query(
      `SELECT seq::text AS seq FROM account_usage_heads WHERE account_id = $1`,
      [accountId],
    );
    const checkpointSeq = checkpointRow ? Number(checkpointRow.seq) : null;
    const scan = await this.scan(manager, accountId, checkpointSeq);
    const checkpoint = checkpointRow ? this.checkpointDto(accountId, checkpointRow) : null;
    const result = (
      status: UsageChainVerificationDto['status'],
      detail: string,
      firstBadRecord: UsageChainBreakDto | null = null,
    ): UsageChainVerificationDto => ({
      status,
      count: scan.count,
      headHash: scan.headHash,
      checkpoint,
      firstBadRecord,
      detail,
      chainFormat: CHAIN_FORMAT,
      verifiedAt: this.clock.now().toISOString(),
    });

    if (scan.firstBad) {
      return result('broken', breakDetail(scan.firstBad), scan.firstBad);
    }
    if (checkpoint) {
      if (!checkpoint.valid) {
        return result(
          'broken',
          `The latest checkpoint (seq ${checkpoint.seq}, key "${checkpoint.keyId}") has a signature that does not verify`,
        );
      }
      if (scan.count < checkpoint.seq) {
        return result(
          'truncated',
          `The chain ends at seq ${scan.count}, but a checkpoint signed at ${checkpoint.signedAt} attests ` +
            `${checkpoint.seq} records: the newest records were removed`,
        );
      }
      if (scan.atCheckpoint && scan.atCheckpoint.hash !== checkpoint.headHash) {
        const bad: UsageChainBreakDto = {
          id: scan.atCheckpoint.id,
          seq: checkpoint.seq,
          reason: 'checkpoint_mismatch',
        };
        return result('broken', breakDetail(bad), bad);
      }
    }
    // The head row is not evidence of a sound chain (anyone who can delete records can edit it), but a
    // head ahead of the chain is evidence of a missing tail, caught even before a checkpoint covers it.
    if (head && Number(head.seq) > scan.count) {
      return result(
        'truncated',
        `The chain ends at seq ${scan.count}, but its head was recorded at seq ${head.seq}: the newest records were removed`,
      );
    }
    return result(
      'ok',
      checkpoint
        ? `${scan.count} records verify, up to and beyond the checkpoint at seq ${checkpoint.seq}`
        : `${scan.count} records verify; no checkpoint has been signed yet, so a removed tail would not show`,
    );
  }

  /** Walks the chain in seq order, batch by batch, and stops at the first record that fails. */
  private async scan(manager: EntityManager, accountId: string, checkpointSeq: number | null): Promise<Scan> {
    const scan: Scan = { count: 0, headHash: GENESIS_HASH, firstBad: null, atCheckpoint: null };
    let after = '0';
    for (;;) {
      const rows: UsageRecordRow[] = await manager.query(
        `SELECT ${RECORD_SELECT_SQL} FROM account_usage_records r
          WHERE r.account_id = $1 AND r.seq > $2 ORDER BY r.seq LIMIT ${VERIFY_BATCH}`,
        [accountId, after],
      );
      for (const row of rows) {
        const seq = Number(row.seq);
        const reason = this.check(row, seq, scan);
        if (reason) {
          scan.firstBad = { id: row.id, seq, reason };
          return scan;
        }
        scan.count = seq;
        scan.headHash = row.hash;
        if (seq === checkpointSeq) scan.atCheckpoint = { id: row.id, hash: row.hash };
      }
      if (rows.length < VERIFY_BATCH) return scan;
      after = rows[rows.length - 1].seq;
    }
  }

  private check(row: UsageRecordRow, seq: number, scan: Scan): BreakReason | null {
    if (seq !== scan.count + 1) return 'sequence_gap';
    if (row.prev_hash !== scan.headHash) return 'prev_hash_mismatch';
    let recomputed: string;
    try {
      recomputed = chainHash(row.prev_hash, chainedFieldsOf(row));
    } catch {
      // Details no append could have written (a decimal, say): the row was changed behind our back.
      return 'hash_mismatch';
    }
    return recomputed === row.hash ? null : 'hash_mismatch';
  }

  private checkpointDto(accountId: string, row: CheckpointRow): UsageCheckpointDto {
    const seq = Number(row.seq);
    const claim = { accountId, seq, headHash: row.head_hash, signedAtMicros: row.signed_at_micros };
    return {
      seq,
      headHash: row.head_hash,
      signedAt: dateFromMicros(row.signed_at_micros).toISOString(),
      keyId: row.key_id,
      valid: this.signer.verify(claim, row.key_id, row.signature),
    };
  }
}

function breakDetail(bad: UsageChainBreakDto): string {
  switch (bad.reason) {
    case 'sequence_gap':
      return `Record seq ${bad.seq} follows a gap: the records before it are missing`;
    case 'prev_hash_mismatch':
      return `Record seq ${bad.seq} does not link to the record before it: that record was altered or replaced`;
    case 'hash_mismatch':
      return `Record seq ${bad.seq} does not match its hash: its content was altered`;
    case 'checkpoint_mismatch':
      return `Record seq ${bad.seq} differs from the signed checkpoint: the chain was rewritten up to it`;
  }
}
