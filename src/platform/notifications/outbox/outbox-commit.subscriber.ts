import {
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';

/**
 * Calls back once a transaction that wrote outbox rows has committed, so the drainer can run at once
 * instead of waiting for its next scheduled pass. TypeORM broadcasts commit and rollback of savepoints
 * too; only the outermost commit counts, which is when the runner's transaction is no longer active.
 */
export class OutboxCommitSubscriber implements EntitySubscriberInterface {
  private readonly pending = new WeakSet<QueryRunner>();

  constructor(private readonly onCommitted: () => void) {}

  /** Remembers that `runner`'s transaction wrote to the outbox. */
  track(runner: QueryRunner): void {
    this.pending.add(runner);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    const runner = event.queryRunner;
    if (runner.isTransactionActive || !this.pending.has(runner)) return;
    this.pending.delete(runner);
    // Never throw here: the caller's COMMIT has already happened and must not look like a failure.
    try {
      this.onCommitted();
    } catch {
      // The scheduled pass delivers the event anyway.
    }
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    // A rolled-back savepoint may still leave outbox rows of the outer transaction: keep waiting.
    if (!event.queryRunner.isTransactionActive) this.pending.delete(event.queryRunner);
  }
}
