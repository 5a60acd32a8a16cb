import { CallHandler, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FastifyReply, FastifyRequest } from 'fastify';
import { catchError, concatMap, from, Observable, throwError } from 'rxjs';
import { ACCESS_CONTEXT, AccessContext } from '../../modules/access/actor';
import { ACCESS_POLICY, AccessPolicy } from '../../modules/access/authorize.decorator';
import { mapError } from '../errors/error-mapper';
import { RouteInfo, RouteInterceptor } from '../http/route-interceptors';
import { NOT_AN_OPERATION } from './not-an-operation.decorator';
import { OperationResult } from './operation-log.entity';
import { OperationLogEntry, OperationLogsService } from './operation-logs.service';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const API_ROUTE_PREFIX = '/api/v1/';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type AuditedRequest = FastifyRequest & { [ACCESS_CONTEXT]?: AccessContext };

interface RouteAudit {
  action: string;
  /** Declared with `@NotAnOperation()`: a POST that only reads. */
  readOnly: boolean;
  /** Routes declaring a `platform:*` permission are recorded whatever their method. */
  platform: boolean;
}

/**
 * Appends every mutating API request (and every request to a platform route) to the operation log,
 * once the handler has finished, with the outcome: the status it answers with, success or failure.
 * It records who (from the AccessGuard's context), what (operationId and the target in the path) and
 * where from, and never the request body: bodies carry passwords and personal data. A failure to write
 * the log is logged and swallowed, so it cannot turn the operation's answer into an error.
 *
 * Requests refused before the handler (authentication, permission, rate limit) are not operations
 * and are not recorded here; the request log (pino, by request id) has them.
 */
@Injectable()
export class OperationLogInterceptor implements RouteInterceptor {
  private readonly logger = new Logger('OperationLog');
  private readonly routes = new WeakMap<object, RouteAudit>();

  constructor(
    private readonly reflector: Reflector,
    private readonly operationLogs: OperationLogsService,
  ) {}

  /** Mutating routes (and `@All()` ones, decided per request) and every platform route. */
  appliesTo(route: RouteInfo): boolean {
    const audit = this.auditOf(route.handler, route.controller);
    return audit.platform || (!audit.readOnly && (route.method === 'ALL' || MUTATING.has(route.method)));
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<AuditedRequest>();
    const route = this.routeAudit(context);
    if ((!MUTATING.has(request.method) || route.readOnly) && !route.platform) return next.handle();
    const routeUrl = request.routeOptions?.url ?? '';
    if (!routeUrl.startsWith(API_ROUTE_PREFIX)) return next.handle();
    const reply = context.switchToHttp().getResponse<FastifyReply>();

    let recorded = false;
    const record = async (statusCode: number): Promise<void> => {
      if (recorded) return;
      recorded = true;
      try {
        await this.operationLogs.record(this.entry(request, route.action, routeUrl, statusCode));
      } catch (error) {
        this.logger.error({ err: error, requestId: request.id }, 'Could not write the operation log');
      }
    };

    return next.handle().pipe(
      concatMap(async (value: unknown) => {
        // Nest set the route's status (201 for POST, @HttpCode, or the handler's own) before the handler ran.
        await record(reply.statusCode);
        return value;
      }),
      catchError((error: unknown) =>
        from(record(mapError(error).problem.status)).pipe(concatMap(() => throwError(() => error))),
      ),
    );
  }

  private routeAudit(context: ExecutionContext): RouteAudit {
    return this.auditOf(context.getHandler() as RouteInfo['handler'], context.getClass());
  }

  private auditOf(handler: RouteInfo['handler'], controller: RouteInfo['controller']): RouteAudit {
    let audit = this.routes.get(handler);
    if (!audit) {
      const policy = this.reflector.getAllAndOverride<AccessPolicy | undefined>(ACCESS_POLICY, [
        handler,
        controller,
      ]);
      audit = {
        action: handler.name,
        platform: policy?.kind === 'permission' && policy.platform,
        readOnly: this.reflector.get<boolean | undefined>(NOT_AN_OPERATION, handler) === true,
      };
      this.routes.set(handler, audit);
    }
    return audit;
  }

  private entry(
    request: AuditedRequest,
    action: string,
    route: string,
    statusCode: number,
  ): OperationLogEntry {
    const access = request[ACCESS_CONTEXT];
    const actor = access?.actor;
    const target = lastUuidParam(request.params);
    const userAgent = request.headers['user-agent'];
    const result: OperationResult = statusCode < 400 ? 'success' : 'failure';
    return {
      orgId: actor?.orgId ?? access?.scope?.orgId ?? null,
      actorUserId: actor?.userId ?? null,
      apiKeyId: actor?.apiKeyId ?? null,
      action,
      targetType: target?.name ?? null,
      targetId: target?.value.toLowerCase() ?? null,
      method: request.method,
      route,
      path: request.url.split('?')[0],
      statusCode,
      result,
      ip: request.ip ?? null,
      userAgent: typeof userAgent === 'string' ? userAgent : null,
      requestId: String(request.id),
    };
  }
}

/** The target of an operation is the last UUID in its path, e.g. `roleId` of `/orgs/:orgId/roles/:roleId`. */
export function lastUuidParam(params: unknown): { name: string; value: string } | null {
  if (!params || typeof params !== 'object') return null;
  let found: { name: string; value: string } | null = null;
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === 'string' && UUID.test(value)) found = { name, value };
  }
  return found;
}
