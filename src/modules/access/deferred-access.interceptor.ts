import { CallHandler, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { from, mergeMap, Observable, catchError } from 'rxjs';
import { PreparedQueries } from '../../platform/database/prepared-queries';
import { RouteInfo, RouteInterceptor } from '../../platform/http/route-interceptors';
import { ACCESS_POLICY, AccessPolicy } from './authorize.decorator';
import { AccessGuard, AuthedRequest } from './access.guard';
import { ACCESS_CONTEXT, AccessContext } from './actor';
import { DeferredAccessCheck, isAccessChanged } from './deferred-access-check';

/**
 * The other half of a deferred access check (see DeferredAccessCheck): a pure read allowed from cached
 * grants answers only once the check has passed, in the handler's own statement or, if no statement
 * carried it, on its own here before the response leaves. When it fails (a grant, member, role, unit,
 * session or organization changed since the grants were cached), the request is decided afresh by the
 * guard and, if still allowed, the handler runs again with the fresh scope; if not, the refusal is the
 * answer. A handler's own error is released only after the check, too: a stale 404 must not leak.
 */
@Injectable()
export class DeferredAccessInterceptor implements RouteInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly guard: AccessGuard,
    private readonly prepared: PreparedQueries,
  ) {}

  /** Only pure reads are ever allowed from cached grants (see AccessGuard.mayDefer). */
  appliesTo(route: RouteInfo): boolean {
    const policy = this.reflector.getAllAndOverride<AccessPolicy | undefined>(ACCESS_POLICY, [
      route.handler,
      route.controller,
    ]);
    return policy?.kind === 'permission' && policy.pureRead;
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    const access = request[ACCESS_CONTEXT];
    const check = access?.scope?.deferredCheck;
    if (!access || !check) return next.handle();
    return next.handle().pipe(
      mergeMap(async (value: unknown) => {
        await this.verify(check);
        return value;
      }),
      catchError((error: unknown) =>
        from(this.requireChangedAccess(check, error)).pipe(
          mergeMap(() => from(this.decideAgain(request, access))),
          mergeMap(() => next.handle()),
        ),
      ),
    );
  }

  private async verify(check: DeferredAccessCheck): Promise<void> {
    if (check.isConfirmed) return;
    await this.prepared.rows('daiyun_access_check_current', DeferredAccessCheck.STANDALONE, check.values);
    check.confirm();
  }

  /** Resolves when the failure is the check's (decide again); rethrows anything else once checked. */
  private async requireChangedAccess(check: DeferredAccessCheck, error: unknown): Promise<void> {
    if (isAccessChanged(error)) return;
    try {
      await this.verify(check);
    } catch (checkError) {
      if (isAccessChanged(checkError)) return;
      throw checkError;
    }
    throw error;
  }

  private async decideAgain(request: AuthedRequest, access: AccessContext): Promise<void> {
    if (!access.policy || !access.orgId || !request.user)
      throw new Error('A deferred check without its decision');
    request[ACCESS_CONTEXT] = await this.guard.decide(request, access.policy, request.user, access.orgId);
  }
}
