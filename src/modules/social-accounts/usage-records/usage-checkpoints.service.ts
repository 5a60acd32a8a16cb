import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../../platform/clock/clock';
import { AppConfig } from '../../../platform/config/app-config';
import { JobsService } from '../../../platform/jobs/jobs.service';
import { CheckpointSigner } from './checkpoint-signer';
import { microsOf } from './usage-chain';

export const USAGE_CHECKPOINT_JOB = 'usage-records.checkpoint';

const BATCH = 200;

/** The newest record of a chain, as a checkpoint attests it. */
export interface ChainHead {
  accountId: string;
  seq: number;
  headHash: string;
}

/**
 * Signed checkpoints of usage-record chains. A hash chain cannot show that its newest records were
 * deleted; a checkpoint (account, seq, head hash, time, HMAC) can, since verification then expects the
 * chain to reach `seq` with that hash. Checkpoints are written in two ways:
 *
 * - by `append`, in the appending transaction, as soon as a chain has `USAGE_CHECKPOINT_EVERY_RECORDS`
 *   records past its last checkpoint (so the checkpoint commits or rolls back with the record);
 * - by a job every minute, for each chain that moved since its last checkpoint and whose last checkpoint
 *   is at least `USAGE_CHECKPOINT_INTERVAL_SECONDS` old (or that has none yet).
 *
 * Both write while holding the chain head's row lock, the lock appends take, so a checkpoint never
 * races an append to the same account.
 */
@Injectable()
export class UsageCheckpoints implements OnModuleInit {
  private readonly logger = new Logger('UsageCheckpoints');
  readonly signer: CheckpointSigner;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly jobs: JobsService,
    private readonly config: AppConfig,
  ) {
    // Fails at start-up, naming the variable, rather than on the first append.
    this.signer = CheckpointSigner.fromConfig(
      config.env.USAGE_CHECKPOINT_KEYS,
      config.env.USAGE_CHECKPOINT_ACTIVE_KEY_ID,
    );
  }

  onModuleInit(): void {
    // pg-boss schedules by the minute; the handler decides which chains are due by their own interval.
    this.jobs.register(USAGE_CHECKPOINT_JOB, () => this.runCheckpointPass().then(() => undefined), {
      pollingIntervalSeconds: 30,
      cron: '* * * * *',
    });
  }

  /** Records since the last checkpoint after which `append` writes one. */
  get everyRecords(): number {
    return this.config.env.USAGE_CHECKPOINT_EVERY_RECORDS;
  }

  /**
   * Signs `head` and stores the checkpoint through `manager`. The caller holds the chain head's row
   * lock, inside a transaction, and updates nothing else of the head: this marks it checkpointed.
   */
  async write(manager: EntityManager, head: ChainHead): Promise<void> {
    const signedAt = this.clock.now();
    const { keyId, signature } = this.signer.sign({ ...head, signedAtMicros: microsOf(signedAt) });
    await manager.query(
      `INSERT INTO account_usage_checkpoints (account_id, seq, head_hash, signed_at, key_id, signature)
       VALUES ($1, $2, $3, $4::timestamptz, $5, $6) ON CONFLICT (account_id, seq) DO NOTHING`,
      [head.accountId, head.seq, head.headHash, signedAt.toISOString(), keyId, signature],
    );
    await manager.query(
      `UPDATE account_usage_heads SET checkpoint_seq = $2, checkpointed_at = $3::timestamptz WHERE account_id = $1`,
      [head.accountId, head.seq, signedAt.toISOString()],
    );
  }

  /**
   * Checkpoints every chain that is due now; returns how many it signed. Safe in any number of replicas
   * at once (SKIP LOCKED): a chain being appended to right now is simply left for the next pass.
   */
  async runCheckpointPass(): Promise<number> {
    let signed = 0;
    // Keyset over account ids, so a chain left unsigned (see below) cannot keep a pass from ending.
    let after: string | null = null;
    for (;;) {
      const batch = await this.dataSource.transaction((manager) => this.checkpointBatch(manager, after));
      signed += batch.written;
      if (batch.seen < BATCH || !batch.last) return signed;
      after = batch.last;
    }
  }

  private async checkpointBatch(
    manager: EntityManager,
    after: string | null,
  ): Promise<{ seen: number; written: number; last: string | null }> {
    const now = this.clock.now();
    const dueBefore = new Date(now.getTime() - this.config.env.USAGE_CHECKPOINT_INTERVAL_SECONDS * 1000);
    const due: { account_id: string; seq: string }[] = await manager.query(
      `SELECT account_id, seq FROM account_usage_heads
        WHERE seq > checkpoint_seq AND (checkpointed_at IS NULL OR checkpointed_at <= $1::timestamptz)
          AND ($2::uuid IS NULL OR account_id > $2::uuid)
        ORDER BY account_id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
      [dueBefore.toISOString(), after],
    );
    let written = 0;
    for (const head of due) {
      // Sign the newest record as stored, not the head row: if they disagree, the chain lost its tail
      // (or the head was edited), and signing it would bless the damage. Verification reports it.
      const [newest]: { seq: string; hash: string }[] = await manager.query(
        `SELECT seq, hash FROM account_usage_records WHERE account_id = $1 ORDER BY seq DESC LIMIT 1`,
        [head.account_id],
      );
      if (!newest || newest.seq !== head.seq) {
        this.logger.error(
          { accountId: head.account_id, headSeq: head.seq, newestSeq: newest?.seq ?? null },
          'Usage-record chain head and newest record disagree; not checkpointing it. Run verify.',
        );
        continue;
      }
      await this.write(manager, {
        accountId: head.account_id,
        seq: Number(newest.seq),
        headHash: newest.hash,
      });
      written += 1;
    }
    return { seen: due.length, written, last: due[due.length - 1]?.account_id ?? null };
  }
}
