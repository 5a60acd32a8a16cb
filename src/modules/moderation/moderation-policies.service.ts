import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { assertIfMatch } from '../../platform/http/etag';
import { Actor } from '../access/actor';
import { DataScope } from '../access/data-scope';
import { LexiconEngines } from './lexicon-engines';
import { assertEditable, organizationLexicon } from './lexicon-target';
import { ModerationPolicyDto, ReplaceModerationPolicyDto } from './moderation-policy.dto';
import { ModerationPolicyRecord } from './moderation-policy.entity';
import { DEFAULT_POLICY } from './moderation.service';

export interface VersionedPolicy {
  policy: ModerationPolicyDto;
  /** 0 while the defaults apply. */
  version: number;
}

/** An organization's moderation policy: read and replaced as a whole. */
@Injectable()
export class ModerationPoliciesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly engines: LexiconEngines,
  ) {}

  async get(scope: DataScope): Promise<VersionedPolicy> {
    const record = await this.dataSource
      .getRepository(ModerationPolicyRecord)
      .findOneBy({ orgId: scope.orgId });
    return toVersioned(scope.orgId, record);
  }

  async replace(
    actor: Actor,
    scope: DataScope,
    dto: ReplaceModerationPolicyDto,
    ifMatch?: string,
  ): Promise<VersionedPolicy> {
    assertEditable(organizationLexicon(scope));
    const saved = await this.dataSource.transaction(async (manager) => {
      const now = this.clock.now();
      // Creates the defaults row if missing, and locks it: concurrent replacements take turns on If-Match.
      await manager.query(
        `INSERT INTO moderation_policies (org_id, version, created_at, updated_at) VALUES ($1, 0, $2, $2)
         ON CONFLICT (org_id) DO UPDATE SET version = moderation_policies.version`,
        [scope.orgId, now],
      );
      const [current]: { version: number }[] = await manager.query(
        'SELECT version FROM moderation_policies WHERE org_id = $1',
        [scope.orgId],
      );
      assertIfMatch(ifMatch, current.version);
      await manager.query(
        `UPDATE moderation_policies
         SET organization_review = $2, skip_manual_review_for_low_risk = $3, absolute_terms_action = $4,
             updated_by = $5, updated_at = $6, version = version + 1
         WHERE org_id = $1`,
        [
          scope.orgId,
          dto.organizationReview,
          dto.skipManualReviewForLowRisk,
          dto.absoluteTermsAction,
          actor.userId,
          now,
        ],
      );
      return manager.getRepository(ModerationPolicyRecord).findOneByOrFail({ orgId: scope.orgId });
    });
    // The absolute-terms action is part of what a scan reads with the lexicon versions.
    this.engines.invalidate(scope.orgId);
    return toVersioned(scope.orgId, saved);
  }
}

function toVersioned(orgId: string, record: ModerationPolicyRecord | null): VersionedPolicy {
  const settings = record ?? DEFAULT_POLICY;
  return {
    policy: {
      orgId,
      organizationReview: settings.organizationReview,
      skipManualReviewForLowRisk: settings.skipManualReviewForLowRisk,
      absoluteTermsAction: settings.absoluteTermsAction,
      customized: record !== null,
      updatedAt: record ? record.updatedAt.toISOString() : null,
    },
    version: record?.version ?? 0,
  };
}
