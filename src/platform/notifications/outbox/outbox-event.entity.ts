import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One pending or processed unit of work, written in the transaction of the change that caused it. */
@Entity('outbox_events')
export class OutboxEvent {
  /** bigint identity: FIFO order for the drainer. The pg driver hands bigint back as a string. */
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ type: 'varchar', length: 64 })
  type: string;

  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  @Column({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  /** Not before this time (the Clock's), pushed back after each failed attempt. */
  @Column({ type: 'timestamptz' })
  availableAt: Date;

  @Column({ type: 'integer' })
  attempts: number;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  processedAt: Date | null;

  /** Set when the drainer gave up after the last allowed attempt; the row stays for inspection. */
  @Column({ type: 'timestamptz', nullable: true })
  failedAt: Date | null;
}
