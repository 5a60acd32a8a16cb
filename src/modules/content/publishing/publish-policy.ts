import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../platform/config/app-config';

/** What to do after a failed attempt: try again at `retryAt`, or give up. */
export type AfterFailure = { retry: true; retryAt: Date } | { retry: false };

/**
 * Time left at the end of a lease once the connector must have stopped: room for the outcome's
 * transaction and for clocks of replicas that disagree a little.
 */
const LEASE_MARGIN_MS = 60_000;

/**
 * The numbers of publishing, from configuration: how many attempts, how long between them
 * (PUBLISH_RETRY_BASE_SECONDS × 2^(attempt − 1): 1, 2, 4, 8 … minutes by default), and how long one
 * attempt may hold its content.
 */
@Injectable()
export class PublishPolicy {
  readonly maxAttempts: number;
  readonly leaseMs: number;
  private readonly retryBaseMs: number;

  constructor({ env }: AppConfig) {
    this.maxAttempts = env.PUBLISH_MAX_ATTEMPTS;
    this.retryBaseMs = env.PUBLISH_RETRY_BASE_SECONDS * 1000;
    this.leaseMs = env.PUBLISH_LEASE_SECONDS * 1000;
  }

  /** After attempt number `attempt` (from 1) failed with an error that may or may not pass. */
  afterFailure(attempt: number, retryable: boolean, now: Date): AfterFailure {
    if (!retryable || attempt >= this.maxAttempts) return { retry: false };
    return { retry: true, retryAt: new Date(now.getTime() + retryDelayMs(this.retryBaseMs, attempt)) };
  }

  /** When a claim made now stops being honoured: the content becomes due again, and a pending attempt stale. */
  leaseEnd(now: Date): Date {
    return new Date(now.getTime() + this.leaseMs);
  }

  /** How long the connector may run, so that it has stopped before the lease ends. */
  get connectorBudgetMs(): number {
    return Math.max(this.leaseMs - LEASE_MARGIN_MS, this.leaseMs / 2);
  }
}

/** base × 2^(attempt − 1): the wait after the attempt-th failure. */
export const retryDelayMs = (baseMs: number, attempt: number): number => baseMs * 2 ** (attempt - 1);
