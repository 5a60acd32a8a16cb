import { ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { FastifyRequest } from 'fastify';
import { Clock } from '../../platform/clock/clock';
import { DomainError, ErrorCode } from '../../platform/errors';
import { PLATFORM_ORG_ID } from './platform-org';
import { ACCESS_CONTEXT, AccessContext, Actor } from './actor';
import { AccessRepository, AccessSnapshot } from './access.repository';
import { UserAccessService } from './user-access.service';
import { ACCESS_POLICY, AccessPolicy } from './authorize.decorator';
import { Principal } from './auth.strategies';
import { DataScope } from './data-scope';
import { DeferredAccessCheck } from './deferred-access-check';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type AuthedRequest = FastifyRequest & { user?: Principal; [ACCESS_CONTEXT]?: AccessContext };

/**
 * The global gate: authenticate (JWT bearer or API key, through passport), then check the route's
 * declared permission against the caller's grants as of this request (UserAccessService checks the
 * session and the organization's access version on every request), so a permission change counts on
 * the very next request. Fails closed: a route with no declaration is refused, and an organization the
 * caller does not belong to is reported as not found.
 */
@Injectable()
export class AccessGuard extends AuthGuard(['jwt', 'api-key']) {
  private readonly logger = new Logger('AccessGuard');
  /** Each route's declaration, read by reflection once per controller class and handler. */
  private readonly policies = new WeakMap<object, WeakMap<object, AccessPolicy | null>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly access: AccessRepository,
    private readonly userAccess: UserAccessService,
    private readonly clock: Clock,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = this.policyOf(context);
    if (!policy) {
      this.logger.error(
        {
          requestId: context.switchToHttp().getRequest<FastifyRequest>().id,
        },
        `Route ${context.getClass().name}.${context.getHandler().name} declares no access policy`,
      );
      throw new DomainError(ErrorCode.Forbidden, 'This route is not available');
    }
    if (policy.kind === 'public') return true;

    await super.canActivate(context);
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    const principal = request.user;
    if (!principal) throw this.unauthenticated();

    if (policy.kind === 'signed-in') {
      if (principal.kind === 'api_key') {
        if (!policy.allowApiKey)
          throw new DomainError(ErrorCode.PermissionDenied, 'API keys cannot use this endpoint');
        request[ACCESS_CONTEXT] = { actor: this.actor(request, principal, null, null, []) };
        return true;
      }
      const snapshot = await this.userAccess.load(
        principal.userId,
        principal.sessionId,
        null,
        this.clock.now(),
      );
      if (!snapshot.principalValid) throw this.unauthenticated();
      request[ACCESS_CONTEXT] = { actor: this.actor(request, principal, null, null, []) };
      return true;
    }

    const orgId = policy.platform ? PLATFORM_ORG_ID : this.orgIdFrom(request, policy.orgParam);
    request[ACCESS_CONTEXT] =
      (this.mayDefer(request, policy, principal) && this.fromCache(request, policy, principal, orgId)) ||
      (await this.decide(request, policy, principal, orgId));
    return true;
  }

  /**
   * The decision from fresh state: session, organization and grants as of now. The guard's path for
   * everything but pure reads with cached grants, and the DeferredAccessInterceptor's when a deferred
   * check failed.
   */
  async decide(
    request: AuthedRequest,
    policy: Extract<AccessPolicy, { kind: 'permission' }>,
    principal: Principal,
    orgId: string,
  ): Promise<AccessContext> {
    const snapshot = await this.load(principal, orgId);
    if (!snapshot.principalValid) throw this.unauthenticated();
    // Not a member (or no such organization): the same 404, so existence does not leak.
    if (!snapshot.orgKind) throw DomainError.notFound('Organization');

    const actor = this.actor(request, principal, orgId, snapshot.orgKind, snapshot.grants);
    const scope = new DataScope(orgId, policy.permission, actor.userId, snapshot.grants);
    if (scope.isEmpty) throw this.permissionDenied(policy);
    return { actor, scope, policy, orgId };
  }

  /** A signed-in member's pure read (GET), when cached grants allow it: the check is deferred. */
  private mayDefer(
    request: AuthedRequest,
    policy: Extract<AccessPolicy, { kind: 'permission' }>,
    principal: Principal,
  ): principal is Extract<Principal, { kind: 'user' }> {
    return (
      policy.pureRead && principal.kind === 'user' && (request.method === 'GET' || request.method === 'HEAD')
    );
  }

  /**
   * Allows from cached grants, with the check that they are still current (and that the session still
   * counts) handed to the request's statements. Refusals are never decided from the cache: null sends
   * the request down the fresh path.
   */
  private fromCache(
    request: AuthedRequest,
    policy: Extract<AccessPolicy, { kind: 'permission' }>,
    principal: Extract<Principal, { kind: 'user' }>,
    orgId: string,
  ): AccessContext | null {
    const membership = this.userAccess.cachedMembership(orgId, principal.userId);
    if (!membership) return null;
    const check = new DeferredAccessCheck(
      orgId,
      principal.userId,
      principal.sessionId,
      this.clock.now(),
      membership.accessVersion,
    );
    const scope = new DataScope(orgId, policy.permission, principal.userId, membership.grants, check);
    if (scope.isEmpty) return null;
    const actor = this.actor(request, principal, orgId, membership.orgKind, membership.grants);
    return { actor, scope, policy, orgId };
  }

  private policyOf(context: ExecutionContext): AccessPolicy | null {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byHandler = this.policies.get(controller);
    if (!byHandler) this.policies.set(controller, (byHandler = new WeakMap()));
    let policy = byHandler.get(handler);
    if (policy === undefined) {
      policy =
        this.reflector.getAllAndOverride<AccessPolicy | undefined>(ACCESS_POLICY, [handler, controller]) ??
        null;
      byHandler.set(handler, policy);
    }
    return policy;
  }

  /** Passport reports failure as an exception; keep one problem shape for every 401. */
  override handleRequest<TUser = Principal>(error: unknown, user: TUser | false): TUser {
    if (error || !user) throw this.unauthenticated();
    return user;
  }

  private async load(principal: Principal, orgId: string): Promise<AccessSnapshot> {
    if (principal.kind === 'user') {
      return this.userAccess.load(principal.userId, principal.sessionId, orgId, this.clock.now());
    }
    // A key belongs to one organization; any other is simply not there for it.
    if (principal.orgId !== orgId) return { principalValid: true, orgKind: null, grants: [] };
    return this.access.loadForApiKey(principal.apiKeyId, orgId);
  }

  private orgIdFrom(request: AuthedRequest, param: string): string {
    const value = (request.params as Record<string, string | undefined>)[param];
    if (!value || !UUID.test(value)) throw DomainError.validation(param, 'must be a UUID');
    return value.toLowerCase();
  }

  private actor(
    request: AuthedRequest,
    principal: Principal,
    orgId: string | null,
    orgKind: Actor['orgKind'],
    grants: Actor['grants'],
  ): Actor {
    const userAgent = request.headers['user-agent'];
    return {
      kind: principal.kind,
      userId: principal.kind === 'user' ? principal.userId : null,
      apiKeyId: principal.kind === 'api_key' ? principal.apiKeyId : null,
      sessionId: principal.kind === 'user' ? principal.sessionId : null,
      ip: request.ip,
      userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 512) : null,
      requestId: String(request.id),
      orgId,
      orgKind,
      grants,
    };
  }

  private permissionDenied(policy: Extract<AccessPolicy, { kind: 'permission' }>): DomainError {
    return new DomainError(ErrorCode.PermissionDenied, `This needs the permission ${policy.permission}`, {
      extensions: { permission: policy.permission },
    });
  }

  private unauthenticated(): DomainError {
    return new DomainError(ErrorCode.Unauthenticated, 'Sign in, or send a valid access token or API key', {
      headers: { 'WWW-Authenticate': 'Bearer' },
    });
  }
}
