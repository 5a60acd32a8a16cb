import { DomainError, ErrorCode } from '../../platform/errors';
import { PermissionCode } from './permission-catalogue';
import type { AccessPolicy } from './authorize.decorator';
import { DataScope } from './data-scope';

export type DataScopeKind = 'self' | 'unit' | 'subtree' | 'org';

/** One allow or deny of a permission, reduced to what decisions need. */
export interface ScopedGrant {
  grantId: string;
  permission: PermissionCode;
  effect: 'allow' | 'deny';
  scope: DataScopeKind;
  unitId: string;
  unitPath: string;
  /** Name of the role it comes from, or null for a direct (user-level) grant. */
  roleId: string | null;
  roleName: string | null;
}

/**
 * Who is calling, as services see it: the first argument of every service method that acts for a
 * caller. Built by the AccessGuard from the token or API key and the grants read on this request.
 */
export interface Actor {
  kind: 'user' | 'api_key';
  /** The user, or for an API key null (use apiKeyId). */
  userId: string | null;
  apiKeyId: string | null;
  sessionId: string | null;
  ip: string;
  userAgent: string | null;
  requestId: string;
  /** Set on organization-scoped and platform routes: the organization the request acts in. */
  orgId: string | null;
  orgKind: 'platform' | 'agency' | 'brand' | null;
  /**
   * Every grant the caller holds in `orgId`, as of this request (checked against the organization's
   * access version by the guard). Shared between requests: never mutate it.
   */
  grants: readonly ScopedGrant[];
}

/** The auth context attached to a request after the guard ran. */
export interface AccessContext {
  actor: Actor;
  scope?: DataScope;
  /** For permission routes: what was decided and where, so a failed deferred check can decide again. */
  policy?: Extract<AccessPolicy, { kind: 'permission' }>;
  orgId?: string;
}

export const ACCESS_CONTEXT = Symbol('daiyun.access');

/** Actor id for audit columns: the user, else the API key. */
export const actorLabel = (actor: Actor) => actor.userId ?? `api_key:${actor.apiKeyId}`;

/**
 * The user behind a request on routes meant for people. `@SignedIn()` already refuses API keys unless a
 * route allows them, so this only fails if a route's declaration and its service disagree.
 */
export function requireUserId(actor: Actor): string {
  if (!actor.userId) {
    throw new DomainError(ErrorCode.PermissionDenied, 'This endpoint needs a signed-in user, not an API key');
  }
  return actor.userId;
}
