import { Readable } from 'node:stream';
import { CallHandler, ExecutionContext, Injectable, Logger, StreamableFile } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FastifyReply, FastifyRequest } from 'fastify';
import { catchError, concatMap, defer, from, Observable, of, throwError } from 'rxjs';
import { ACCESS_CONTEXT, AccessContext } from '../../modules/access/actor';
import { RouteInfo, RouteInterceptor } from '../http/route-interceptors';
import { IDEMPOTENT } from './idempotent.decorator';
import {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  parseIdempotencyKey,
  requestFingerprint,
} from './idempotency-key';
import { IdempotencyPrincipal, IdempotencyService, StoredResponse } from './idempotency.service';

type IdempotentRequest = FastifyRequest & { [ACCESS_CONTEXT]?: AccessContext };

/** Response headers that describe the created resource and are replayed with it. */
const REPLAYED_HEADERS = ['ETag', 'Location', 'Content-Location'];

/**
 * `Idempotency-Key` support for routes marked `@Idempotent()`. The first request with a key claims it
 * and runs; a 2xx answer is stored and the key completed, anything else releases the key (errors are not
 * cached: a validation error, a conflict or an outage may be retried with the same key once fixed). A
 * repeat of the same request gets the stored status, body and headers plus `Idempotent-Replayed: true`
 * without running the handler; the same key on a different request is 422, and a repeat while the first
 * is still running is 409.
 *
 * Keys belong to the caller the AccessGuard identified (user or API key), so one caller can never
 * replay another's response. A route without a caller ignores the header: a key shared by everyone
 * would let strangers read each other's answers.
 *
 * It is registered before the operation log's interceptor, so it wraps it: replays and refused keys
 * never reach the handler and, like other refusals, are not recorded as operations.
 */
@Injectable()
export class IdempotencyInterceptor implements RouteInterceptor {
  private readonly logger = new Logger('Idempotency');
  /** `@Idempotent()` per handler, read by reflection once rather than on every request. */
  private readonly idempotent = new WeakMap<object, boolean>();

  constructor(
    private readonly reflector: Reflector,
    private readonly idempotency: IdempotencyService,
  ) {}

  appliesTo(route: RouteInfo): boolean {
    return this.isIdempotent(route.handler);
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    // Only routes marked @Idempotent() get this layer (appliesTo, asked once per route by the chain).
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<IdempotentRequest>();
    const header = request.headers['idempotency-key'];
    const principal = principalOf(request[ACCESS_CONTEXT]);
    if (header === undefined || !principal) return next.handle();
    const reply = http.getResponse<FastifyReply>();

    return defer(() => {
      const key = parseIdempotencyKey(header, headerCount(request.raw.rawHeaders, IDEMPOTENCY_KEY_HEADER));
      return this.idempotency.claim({
        principal,
        key,
        method: request.method,
        route: request.routeOptions?.url ?? request.url.split('?')[0],
        fingerprint: requestFingerprint(request.method, request.url, request.body),
      });
    }).pipe(
      concatMap((claim) =>
        claim.kind === 'replay' ? of(replay(reply, claim.response)) : this.run(next, reply, claim.claimId),
      ),
    );
  }

  private isIdempotent(handler: object): boolean {
    let marked = this.idempotent.get(handler);
    if (marked === undefined) {
      marked = this.reflector.get<boolean | undefined>(IDEMPOTENT, handler as () => void) === true;
      this.idempotent.set(handler, marked);
    }
    return marked;
  }

  private run(next: CallHandler, reply: FastifyReply, claimId: string): Observable<unknown> {
    return next.handle().pipe(
      // Settled before the answer goes out, so a retry after it always finds the key completed.
      concatMap(async (value: unknown) => {
        await this.settle(claimId, reply, value);
        return value;
      }),
      catchError((error: unknown) =>
        from(this.release(claimId)).pipe(concatMap(() => throwError(() => error))),
      ),
    );
  }

  private async settle(claimId: string, reply: FastifyReply, value: unknown): Promise<void> {
    // Nest set the route's status (201 for a create, or @HttpCode) before the handler ran.
    const status = reply.statusCode;
    if (status < 200 || status > 299 || !isReplayable(value)) {
      await this.release(claimId);
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const header = reply.getHeader(name);
      if (header !== undefined) headers[name] = Array.isArray(header) ? header.join(', ') : String(header);
    }
    try {
      await this.idempotency.complete(claimId, { status, body: value, headers });
    } catch (error) {
      // The operation succeeded; its answer must not turn into an error. The key stays in progress
      // (retries get 409) until the claim's lease ends.
      this.logger.error(
        { err: error, claimId, requestId: reply.request.id },
        'Could not store the response of an idempotent request',
      );
    }
  }

  private async release(claimId: string): Promise<void> {
    try {
      await this.idempotency.release(claimId);
    } catch (error) {
      this.logger.error({ err: error, claimId }, 'Could not release an idempotency key');
    }
  }
}

function replay(reply: FastifyReply, response: StoredResponse): unknown {
  reply.status(response.status);
  for (const [name, value] of Object.entries(response.headers)) reply.header(name, value);
  reply.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
  return response.body ?? undefined;
}

function principalOf(access: AccessContext | undefined): IdempotencyPrincipal | null {
  const actor = access?.actor;
  if (actor?.kind === 'user' && actor.userId) return { kind: 'user', id: actor.userId };
  if (actor?.kind === 'api_key' && actor.apiKeyId) return { kind: 'api_key', id: actor.apiKeyId };
  return null;
}

/** Node joins a repeated header into one value; the raw list tells a repeated key from a comma in one. */
function headerCount(rawHeaders: string[], name: string): number {
  const lower = name.toLowerCase();
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i].toLowerCase() === lower) count += 1;
  return count;
}

/** Only JSON bodies can be stored and replayed; a stream or a file is passed through uncached. */
function isReplayable(value: unknown): boolean {
  return !(value instanceof StreamableFile || value instanceof Readable || Buffer.isBuffer(value));
}
