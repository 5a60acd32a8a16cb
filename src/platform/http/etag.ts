import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiOkResponse } from '@nestjs/swagger';
import { DomainError, ErrorCode } from '../errors';

/** Entities with a TypeORM `@VersionColumn` expose it as a weak ETag. */
export const etagOf = (version: number): string => `W/"${version}"`;

const IF_MATCH_MAX_LENGTH = 256;

/**
 * Optimistic concurrency for updates: when the client sends `If-Match`, it must name the current
 * version, else 412. Without the header the write proceeds (last writer wins), as most clients expect.
 */
export function assertIfMatch(ifMatch: string | undefined, currentVersion: number): void {
  if (!ifMatch) return;
  // The documented bound, enforced: a few ETags fit many times over; anything longer is not a list of ours.
  if (ifMatch.length > IF_MATCH_MAX_LENGTH) {
    throw DomainError.validation('If-Match', `must be at most ${IF_MATCH_MAX_LENGTH} characters`);
  }
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

const ETAG_HEADER = {
  ETag: { description: 'Version of the resource; send it back as If-Match', schema: { type: 'string' } },
};

/** Documents a 200 answer that carries an ETag. */
export const ApiOkWithEtag = (type: new (...args: never[]) => unknown) =>
  applyDecorators(ApiOkResponse({ type, headers: ETAG_HEADER }));

/** Documents the optional If-Match of an update (412 when stale). */
export const ApiIfMatch = () =>
  ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'ETag from the last read; a stale one answers 412 precondition_failed',
    schema: { type: 'string', maxLength: IF_MATCH_MAX_LENGTH },
  });

/**
 * A response body with the version it was read at. Handlers return it instead of setting the header
 * themselves; the EtagInterceptor sends the body with `ETag: W/"<version>"`.
 */
export class Versioned<T> {
  constructor(
    readonly body: T,
    readonly version: number,
  ) {}
}
