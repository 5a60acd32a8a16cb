import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../clock/clock';
import { AppConfig } from '../../config/app-config';
import { JobsService } from '../../jobs/jobs.service';
import { OutboxCommitSubscriber } from './outbox-commit.subscriber';
import {
  DrainResult,
  OUTBOX_DRAIN_JOB,
  OUTBOX_PRUNE_JOB,
  OutboxEnvelope,
  OutboxHandler,
} from './outbox.types';

interface ClaimedRow {
  id: string;
  type: string;
  payload: Record<string, unknown>;
  created_at: Date;
  attempts: number;
}

const BATCH_SIZE = 100;
/** Batches per run; a run that hits the cap schedules the next one at once rather than waiting. */
const MAX_BATCHES_PER_RUN = 20;
const MAX_ATTEMPTS = 10;
const FIRST_RETRY_MS = 10_000;
const MAX_RETRY_MS = 3_600_000;
const KEEP_PROCESSED_MS = 7 * 86_400_000;
const KEEP_FAILED_MS = 30 * 86_400_000;
const EVENT_TYPE = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$/;

/** Backoff after the n-th failed attempt: 10 s, 20 s, 40 s … capped at an hour. */
export const retryDelayMs = (attempts: number) =>
  Math.min(FIRST_RETRY_MS * 2 ** (attempts - 1), MAX_RETRY_MS);

/**
 * The transactional outbox. `enqueue` writes an event in the caller's transaction, so an event exists
 * exactly when the change that caused it committed. The drainer (pg-boss job `outbox.drain`) claims due
 * events with FOR UPDATE SKIP LOCKED, runs the handler registered for each type in the same
 * transaction that marks the event processed, and records failures with a growing delay. Two replicas
 * draining at once take disjoint rows, and an event's effects and its "processed" mark commit together.
 */
@Injectable()
export class OutboxService implements OnModuleInit {
  private readonly logger = new Logger('Outbox');
  private readonly handlers = new Map<string, OutboxHandler>();
  private readonly subscriber = new OutboxCommitSubscriber(() => this.kick());
  private kickInFlight = false;
  private kickAgain = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: JobsService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.dataSource.subscribers.push(this.subscriber);
    const drain = async () => {
      await this.drain();
    };
    this.jobs.register(OUTBOX_DRAIN_JOB, drain, {
      pollingIntervalSeconds: this.config.env.OUTBOX_POLL_SECONDS,
      // Safety net: events whose kick was lost (a crash right after COMMIT) or whose retry is due.
      cron: '* * * * *',
    });
    this.jobs.register(OUTBOX_PRUNE_JOB, () => this.prune(), {
      pollingIntervalSeconds: 60,
      cron: '17 3 * * *',
    });
  }

  /** Plugs in the handler for one event type. Call it from a module's onModuleInit. */
  registerHandler<P extends object>(type: string, handler: OutboxHandler<P>): void {
    if (this.handlers.has(type)) throw new Error(`Outbox handler for "${type}" is already registered`);
    this.handlers.set(type, handler as unknown as OutboxHandler);
  }

  /**
   * Writes an event through `manager` (pass the transaction's manager) and returns its id. When the
   * manager runs a transaction, the drainer is woken once it commits; a rollback discards the event.
   */
  async enqueue(manager: EntityManager, type: string, payload: object): Promise<string> {
    if (type.length > 64 || !EVENT_TYPE.test(type)) throw new Error(`Invalid outbox event type "${type}"`);
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO outbox_events (type, payload, available_at) VALUES ($1, $2::jsonb, $3) RETURNING id`,
      [type, JSON.stringify(payload), this.clock.now()],
    );
    const runner = manager.queryRunner;
    if (runner?.isTransactionActive) this.subscriber.track(runner);
    else this.kick();
    return rows[0].id;
  }

  /**
   * Asks for a drain run soon (fire and forget). Concurrent kicks collapse: while one job is being
   * queued, later kicks only ask for one more, queued after it, which still sees every event committed
   * before it was asked for.
   */
  kick(): void {
    if (this.kickInFlight) {
      this.kickAgain = true;
      return;
    }
    this.kickInFlight = true;
    void this.jobs
      // Labelled so that someone reading the queue tells wake-ups from the cron's runs.
      .send(OUTBOX_DRAIN_JOB, { trigger: 'kick' })
      .catch((error: unknown) =>
        this.logger.warn({ err: error }, 'Could not queue an outbox drain; the schedule will'),
      )
      .finally(() => {
        this.kickInFlight = false;
        if (this.kickAgain) {
          this.kickAgain = false;
          this.kick();
        }
      });
  }

  /** Processes every due event (up to a cap per run). Safe to run concurrently, in any replica. */
  async drain(): Promise<DrainResult> {
    const total: DrainResult = { processed: 0, failed: 0 };
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch += 1) {
      const result = await this.dataSource.transaction((manager) => this.drainBatch(manager));
      total.processed += result.processed;
      total.failed += result.failed;
      if (result.processed + result.failed < BATCH_SIZE) return total;
    }
    this.kick();
    return total;
  }

  /** Deletes processed events after a week and given-up ones after a month. */
  async prune(): Promise<void> {
    const now = this.clock.now().getTime();
    await this.dataSource.query(`DELETE FROM outbox_events WHERE processed_at < $1 OR failed_at < $2`, [
      new Date(now - KEEP_PROCESSED_MS),
      new Date(now - KEEP_FAILED_MS),
    ]);
  }

  private async drainBatch(manager: EntityManager): Promise<DrainResult> {
    const now = this.clock.now();
    const rows: ClaimedRow[] = await manager.query(
      `SELECT id, type, payload, created_at, attempts FROM outbox_events
       WHERE processed_at IS NULL AND failed_at IS NULL AND available_at <= $1
       ORDER BY available_at, id
       LIMIT $2
       FOR UPDATE SKIP LOCKED`,
      [now, BATCH_SIZE],
    );
    const result: DrainResult = { processed: 0, failed: 0 };
    for (const row of rows) {
      const event: OutboxEnvelope = {
        id: row.id,
        type: row.type,
        payload: row.payload,
        createdAt: row.created_at,
        attempt: row.attempts + 1,
      };
      // A savepoint per event: one failing handler must not undo the others of the batch.
      await manager.query('SAVEPOINT outbox_event');
      try {
        const handler = this.handlers.get(row.type);
        if (!handler) throw new Error(`No handler is registered for outbox event type "${row.type}"`);
        await handler(manager, event);
        await manager.query('RELEASE SAVEPOINT outbox_event');
        await manager.query(
          `UPDATE outbox_events SET processed_at = $2, attempts = attempts + 1, last_error = NULL WHERE id = $1`,
          [row.id, now],
        );
        result.processed += 1;
      } catch (error) {
        await manager.query('ROLLBACK TO SAVEPOINT outbox_event');
        await this.recordFailure(manager, event, error, now);
        result.failed += 1;
      }
    }
    return result;
  }

  private async recordFailure(manager: EntityManager, event: OutboxEnvelope, error: unknown, now: Date) {
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
    const giveUp = event.attempt >= MAX_ATTEMPTS;
    await manager.query(
      `UPDATE outbox_events SET attempts = $2, last_error = $3, available_at = $4, failed_at = $5 WHERE id = $1`,
      [
        event.id,
        event.attempt,
        message,
        new Date(now.getTime() + retryDelayMs(event.attempt)),
        giveUp ? now : null,
      ],
    );
    const details = { eventId: event.id, type: event.type, attempt: event.attempt, err: error };
    if (giveUp) this.logger.error(details, 'Outbox event failed for the last time; giving up');
    else this.logger.warn(details, 'Outbox event failed; it will be retried');
  }
}
