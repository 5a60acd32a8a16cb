import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { SocialAccountAccess } from '../../social-accounts/account-access.service';
import { OrganizationRefusalCode } from '../../social-accounts/organization-access';
import { PublishTargetAccount } from './publish-connector';

/** Why publishing to an account is refused at publish time; stored as the event's reason code. */
export type RefusalCode = OrganizationRefusalCode;

export interface Refusal {
  code: RefusalCode;
  /** Shown to people (last_publish_error, the owner's notification). */
  reason: string;
}

export type Eligibility =
  | { eligible: true; account: PublishTargetAccount }
  | ({ eligible: false } & Refusal & { account: PublishTargetAccount });

/**
 * May the content's organization publish to the account now? The account access rule for an
 * organization (`SocialAccountAccess.forOrganization` with the `publish` scope): the owning brand while
 * the account is active; an agency with a current `publish` authorization, the account still assigned
 * in the agency, and active. The author's own grants were checked when the content was targeted and
 * submitted; the job publishes for the organization, after someone else's review.
 */
@Injectable()
export class PublishEligibility {
  constructor(private readonly access: SocialAccountAccess) {}

  /** Run it in the claim's transaction. */
  async check(
    manager: EntityManager,
    target: { accountId: string; publishingOrgId: string },
  ): Promise<Eligibility> {
    const judged = await this.access.forOrganization(
      manager,
      target.publishingOrgId,
      target.accountId,
      'publish',
    );
    if (!judged) throw new Error(`Content targets social account ${target.accountId}, which does not exist`);
    const { facts, access } = judged;
    const account: PublishTargetAccount = {
      id: facts.accountId,
      platform: facts.platform,
      handle: facts.handle,
      brandOrgId: facts.brandOrgId,
      agencyOrgId: facts.brandOrgId === target.publishingOrgId ? null : target.publishingOrgId,
    };
    return access.allowed
      ? { eligible: true, account }
      : { eligible: false, code: access.code, reason: access.reason, account };
  }
}
