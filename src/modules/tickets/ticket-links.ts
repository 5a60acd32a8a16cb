import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DomainError, ErrorCode } from '../../platform/errors';
import { Actor } from '../access/actor';
import { DataScope } from '../access/data-scope';
import { SocialAccountAccess } from '../social-accounts/account-access.service';

export interface TicketLinks {
  brandOrgId: string | null;
  socialAccountId: string | null;
}

const refNotFound = (field: string, what: string) =>
  new DomainError(ErrorCode.ReferenceNotFound, `No such ${what} for your organization`, {
    errors: [{ field, message: `${what} not found` }],
  });

/**
 * What a ticket may point at. A social account goes through the one account access rule, asked with
 * the caller's `social-accounts:read` scope: an account the caller cannot see is a bad reference (422),
 * worded like one that does not exist. The brand is the account's owner when an account is named, else
 * any active brand organization (a plain reference, like the order, campaign and ad).
 */
@Injectable()
export class TicketLinkCheck {
  constructor(private readonly accounts: SocialAccountAccess) {}

  async resolve(
    manager: EntityManager,
    actor: Actor,
    orgId: string,
    links: TicketLinks,
  ): Promise<TicketLinks> {
    let brandOrgId = links.brandOrgId;
    if (links.socialAccountId) {
      const scope = new DataScope(orgId, 'social-accounts:read', actor.userId, actor.grants);
      let brandOfAccount: string;
      try {
        if (scope.isEmpty) throw DomainError.notFound('Social account');
        brandOfAccount = (
          await this.accounts.require(scope, links.socialAccountId, { operable: false }, manager)
        ).brandOrgId;
      } catch (error) {
        if (error instanceof DomainError && error.code === ErrorCode.NotFound) {
          throw refNotFound('socialAccountId', 'social account');
        }
        throw error;
      }
      if (brandOrgId && brandOrgId !== brandOfAccount) {
        throw new DomainError(ErrorCode.Unprocessable, 'The social account belongs to another brand', {
          errors: [{ field: 'brandOrgId', message: 'must be the brand that owns socialAccountId' }],
        });
      }
      brandOrgId = brandOfAccount;
    } else if (brandOrgId) {
      const rows: unknown[] = await manager.query(
        `SELECT 1 FROM organizations WHERE id = $1 AND kind = 'brand' AND status = 'active'`,
        [brandOrgId],
      );
      if (rows.length === 0) throw refNotFound('brandOrgId', 'brand');
    }
    return { brandOrgId, socialAccountId: links.socialAccountId };
  }
}
