import { EntityManager } from 'typeorm';

/** An outbox event as a handler receives it. */
export interface OutboxEnvelope<P = Record<string, unknown>> {
  /** bigint identity, as a string; stable across retries, so handlers can use it as an idempotency key. */
  id: string;
  type: string;
  payload: P;
  createdAt: Date;
  /** 1 on the first try. */
  attempt: number;
}

/**
 * Applies one event. It runs inside the drainer's transaction: write through `manager`, and the writes
 * commit together with the event being marked processed (or roll back together when it throws, and the
 * event is retried later). Keep it short; slow external calls belong in a job of their own.
 */
export type OutboxHandler<P = Record<string, unknown>> = (
  manager: EntityManager,
  event: OutboxEnvelope<P>,
) => Promise<void>;

export interface DrainResult {
  processed: number;
  failed: number;
}

export const OUTBOX_DRAIN_JOB = 'outbox.drain';
export const OUTBOX_PRUNE_JOB = 'outbox.prune';
