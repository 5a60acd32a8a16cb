import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiParam, ApiSecurity } from '@nestjs/swagger';
import { ApiProblems } from '../../platform/http/problem.dto';
import { ACCESS_CONTEXT, AccessContext, Actor } from './actor';
import { DataScope } from './data-scope';
import { isPlatformPermission, PermissionCode } from './permission-catalogue';

export const ACCESS_POLICY = 'daiyun:access-policy';

export type AccessPolicy =
  | { kind: 'public' }
  | { kind: 'signed-in'; allowApiKey: boolean }
  | {
      kind: 'permission';
      permission: PermissionCode;
      orgParam: string;
      platform: boolean;
      pureRead: boolean;
    };

export interface AuthorizeOptions {
  /** The permission the endpoint needs. `platform:*` codes are checked in the platform organization. */
  permission: PermissionCode;
  /** Route parameter naming the organization (default `orgId`). */
  orgParam?: string;
  /**
   * The handler only reads (no write, no record of the read, nothing sent): a signed-in caller's access
   * check may then travel in the handler's own scoped query instead of a round trip before it, and
   * when the check fails the handler is simply run again with fresh grants (docs/permissions.md).
   */
  pureRead?: boolean;
}

/**
 * Declares and enforces what a route needs; the global AccessGuard refuses any route without one of
 * `@Authorize`, `@SignedIn` or `@Public`. The permission is written into the OpenAPI operation as
 * `x-permission` and into its description.
 */
export function Authorize(options: AuthorizeOptions) {
  const platform = isPlatformPermission(options.permission);
  const policy: AccessPolicy = {
    kind: 'permission',
    permission: options.permission,
    orgParam: options.orgParam ?? 'orgId',
    platform,
    pureRead: options.pureRead ?? false,
  };
  return applyDecorators(
    SetMetadata(ACCESS_POLICY, policy),
    ApiBearerAuth('bearer'),
    ApiSecurity('api-key'),
    ApiExtension('x-permission', options.permission),
    // The guard reads the organization from the path itself (no @Param in the handler), and refuses a
    // value that is not a UUID; say so, or the scanner leaves the parameter out of the operation.
    ...(platform
      ? []
      : [ApiParam({ name: policy.orgParam, type: String, format: 'uuid', description: 'The organization' })]),
    ApiProblems(401, 403, 404),
  );
}

/** Any signed-in user, acting for themselves (e.g. `/me`). API keys only when `allowApiKey`. */
export function SignedIn(options: { allowApiKey?: boolean } = {}) {
  const policy: AccessPolicy = { kind: 'signed-in', allowApiKey: options.allowApiKey ?? false };
  return applyDecorators(
    SetMetadata(ACCESS_POLICY, policy),
    ApiBearerAuth('bearer'),
    ...(options.allowApiKey ? [ApiSecurity('api-key')] : []),
    ApiExtension('x-permission', 'signed-in'),
    // A valid API key on a route for people only is refused with 403, not 401: it did authenticate.
    options.allowApiKey ? ApiProblems(401) : ApiProblems(401, 403),
  );
}

/** Deliberately open to anyone (login, registration, health). */
export function Public() {
  const policy: AccessPolicy = { kind: 'public' };
  return applyDecorators(SetMetadata(ACCESS_POLICY, policy), ApiExtension('x-permission', 'public'));
}

const contextOf = (ctx: ExecutionContext): AccessContext | undefined =>
  ctx.switchToHttp().getRequest<Record<symbol, AccessContext | undefined>>()[ACCESS_CONTEXT];

/** The caller, as the AccessGuard established it. */
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const access = contextOf(ctx);
  if (!access) throw new Error('CurrentActor used on a route without an access declaration');
  return access.actor;
});

/** The caller's data scope for the route's declared permission, to hand to the repository. */
export const Scope = createParamDecorator((_: unknown, ctx: ExecutionContext): DataScope => {
  const scope = contextOf(ctx)?.scope;
  if (!scope) throw new Error('Scope used on a route without @Authorize({ permission })');
  return scope;
});
