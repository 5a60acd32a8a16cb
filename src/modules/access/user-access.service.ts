import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../platform/config/app-config';
import { AccessRepository, AccessSnapshot, Membership } from './access.repository';

const NO_ACCESS: AccessSnapshot = Object.freeze({ principalValid: true, orgKind: null, grants: [] });
const INVALID: AccessSnapshot = Object.freeze({ principalValid: false, orgKind: null, grants: [] });

/**
 * What a signed-in user may do in an organization, for the AccessGuard, on every request.
 *
 * Each request makes one cheap query, `checkUser` (four primary-key reads): the session (revoked,
 * expired), the user (disabled), the organization (suspended) and the organization's access version.
 * A member's grants (the expensive part: roles, units, paths) are kept per process keyed by user and
 * organization together with the access version they were read at, and used only while the version
 * read on this request is the same. Every change to grants, members, roles or units of an organization
 * gives it a new version in the same transaction (database triggers, see the AddAccessVersions
 * migration), so a change committed before a request starts is seen by that request, by this process
 * and by every other one. The argument is written out in docs/permissions.md.
 *
 * ACCESS_CACHE_SIZE bounds the entries (least recently used go first); 0 turns the cache off, and the
 * grants are then read with the session in one query on every request, as before.
 */
@Injectable()
export class UserAccessService {
  private readonly capacity: number;
  /** Insertion-ordered: a hit moves its entry to the end, so the first entry is the least recently used. */
  private readonly memberships = new Map<string, Membership>();

  constructor(
    private readonly access: AccessRepository,
    { env }: AppConfig,
  ) {
    this.capacity = env.ACCESS_CACHE_SIZE;
  }

  /** The caller's access in `orgId`, or only whether the session counts when `orgId` is null. */
  async load(userId: string, sessionId: string, orgId: string | null, now: Date): Promise<AccessSnapshot> {
    if (this.capacity === 0) return this.access.loadForUser(userId, sessionId, orgId, now);
    const check = await this.access.checkUser(userId, sessionId, orgId, now);
    if (!check.sessionOk) return INVALID;
    // No such organization, or suspended: nothing to look up (and nothing is cached for made-up ids).
    if (orgId === null || !check.orgKind) return NO_ACCESS;

    const key = `${orgId}:${userId}`;
    let membership = this.memberships.get(key);
    if (membership && check.accessVersion !== null && membership.accessVersion === check.accessVersion) {
      this.memberships.delete(key);
      this.memberships.set(key, membership);
    } else {
      membership = await this.access.loadMembership(orgId, userId);
      this.remember(key, membership);
    }
    return membership.member
      ? { principalValid: true, orgKind: check.orgKind, grants: membership.grants }
      : NO_ACCESS;
  }

  /**
   * The cached membership of a member, without asking the database: only for a guard that defers the
   * per-request check into the handler's statement (DeferredAccessCheck), which then verifies the
   * session and that `accessVersion` is still current. Null when nothing usable is cached.
   */
  cachedMembership(orgId: string, userId: string): (Membership & { accessVersion: string }) | null {
    if (this.capacity === 0) return null;
    const key = `${orgId}:${userId}`;
    const membership = this.memberships.get(key);
    if (!membership?.member || membership.accessVersion === null || !membership.orgKind) return null;
    this.memberships.delete(key);
    this.memberships.set(key, membership);
    return membership as Membership & { accessVersion: string };
  }

  /** Entries held now (for tests and diagnostics). */
  get size(): number {
    return this.memberships.size;
  }

  private remember(key: string, membership: Membership): void {
    this.memberships.delete(key);
    // Without a version there is nothing to compare a later request with: never reuse it.
    if (membership.accessVersion === null) return;
    // Frozen: one array serves many concurrent requests, none may change it for the others.
    for (const grant of membership.grants) Object.freeze(grant);
    Object.freeze(membership.grants);
    this.memberships.set(key, membership);
    if (this.memberships.size > this.capacity) {
      const oldest = this.memberships.keys().next();
      if (!oldest.done) this.memberships.delete(oldest.value);
    }
  }
}
