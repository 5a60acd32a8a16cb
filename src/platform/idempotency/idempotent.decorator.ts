import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER } from './idempotency-key';

export const IDEMPOTENT = 'daiyun:idempotent';

const problem = (status: number, description: string) =>
  ApiResponse({
    status,
    description,
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDto' } } },
  });

/**
 * Makes a create endpoint safe to retry with an `Idempotency-Key` header (handled by the global
 * IdempotencyInterceptor) and documents the header and its errors on the operation. The error
 * descriptions are merged with the route's own ones for the same status, whatever the decorator order.
 *
 * Never put it on a route whose response carries a secret (an API key, a token): the stored response
 * would keep the secret in the database until the key expires.
 */
export function Idempotent() {
  return applyDecorators(
    SetMetadata(IDEMPOTENT, true),
    ApiHeader({
      name: IDEMPOTENCY_KEY_HEADER,
      required: false,
      description:
        'Makes the request safe to retry. Send a new unique value (1–255 printable ASCII characters, e.g. a ' +
        'UUID) for each operation, and the same value when retrying it. A retry with the same key and the ' +
        'same request (method, URL and JSON body) answers the first response again, with the header ' +
        `\`${IDEMPOTENT_REPLAYED_HEADER}: true\`, and changes nothing; the same key with a different request ` +
        'answers 422 `idempotency_key_reused`; while the first request is still being processed, 409 ' +
        '`idempotency_key_in_use` (retry after Retry-After). Only successful (2xx) responses are kept, so a ' +
        'failed request may be retried with the same key. Keys belong to the caller (user or API key) and ' +
        'expire 24 hours after first use by default.',
      schema: { type: 'string', minLength: 1, maxLength: 255 },
      example: '0b5d2a4e-7c1f-4d8e-9a53-2f6c1e8b7d90',
    }),
    problem(400, 'Malformed `Idempotency-Key` header (`validation_failed`)'),
    problem(409, 'A request with this `Idempotency-Key` is still in progress (`idempotency_key_in_use`)'),
    problem(422, 'The `Idempotency-Key` was already used for a different request (`idempotency_key_reused`)'),
  );
}
