import { DomainError, ErrorCode } from '../errors';

/** Entities with a TypeORM `@VersionColumn` expose it as a weak ETag. */
export const etagOf = (version: number): string => `W/"${version}"`;

/**
 * Optimistic concurrency for updates: when the client sends `If-Match`, it must name the current
 * version, else 412. Without the header the write proceeds (last writer wins), as most clients expect.
 */
export function assertIfMatch(ifMatch: string | undefined, currentVersion: number): void {
  if (!ifMatch) return;
  const accepted = ifMatch.split(',').map((tag) => tag.trim());
  if (
    accepted.includes('*') ||
    accepted.includes(etagOf(currentVersion)) ||
    accepted.includes(`"${currentVersion}"`)
  ) {
    return;
  }
  throw new DomainError(
    ErrorCode.PreconditionFailed,
    'The resource changed since you read it; reload and retry',
    {
      extensions: { currentEtag: etagOf(currentVersion) },
    },
  );
}
