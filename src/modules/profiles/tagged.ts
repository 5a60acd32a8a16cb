import { QueryFailedError } from 'typeorm';
import { DomainError, ErrorCode } from '../../platform/errors';

/** A representation with the ETag the controller sends beside it. */
export interface Tagged<T> {
  body: T;
  etag: string;
}

/**
 * Two first writes of the same profile racing each other: the loser hits the primary key (or the
 * one-pending-request index). Say what happened instead of the generic "duplicate".
 */
export async function concurrentWriteAsConflict<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const driverError =
      error instanceof QueryFailedError ? (error.driverError as { code?: string }) : undefined;
    if (driverError?.code === '23505') {
      throw new DomainError(
        ErrorCode.Conflict,
        'A concurrent request changed this resource; reload and retry',
      );
    }
    throw error;
  }
}
