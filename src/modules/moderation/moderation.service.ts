import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Finding } from './engine';
import { LexiconEngines } from './lexicon-engines';
import { LexiconState } from './lexicon-versions';
import { ModerationPolicyRecord } from './moderation-policy.entity';
import { applyAbsoluteTermsPolicy, mergeFindings, Verdict, verdictOf } from './scan-results';

export interface FieldFinding extends Finding {
  /** Which input field ('title', 'body', 'text' …) the offsets point into. */
  field: string;
}

export interface ContentScan {
  findings: FieldFinding[];
  verdict: Verdict;
  /** The lexicon versions and policy the scan used, e.g. `platform:12,org:3,absolute:review`. */
  lexiconVersion: string;
}

export interface ModerationPolicy {
  /** The org reviews its own content before the platform does. */
  organizationReview: boolean;
  /** Content whose scan verdict is 'pass' or 'flag' is approved without manual review. */
  skipManualReviewForLowRisk: boolean;
  /** The org may tighten Advertising-Law absolute terms to block. */
  absoluteTermsAction: 'review' | 'block';
}

/** What an organization without a saved policy gets: every piece of content goes to platform review. */
export const DEFAULT_POLICY: Readonly<ModerationPolicy> = {
  organizationReview: false,
  skipManualReviewForLowRisk: false,
  absoluteTermsAction: 'review',
};

/**
 * Sensitive-word scanning for other modules (content's automatic review) and the live check: the
 * platform lexicon and detectors, plus the organization's lexicon and policy. Nothing is saved.
 */
@Injectable()
export class ModerationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly engines: LexiconEngines,
  ) {}

  /** Scans each field with the platform lexicon + the org's lexicon and policy (orgId null = platform only). */
  async scanFields(orgId: string | null, fields: Record<string, string>): Promise<ContentScan> {
    const { state, platform, organization } = await this.engines.current(orgId);
    const findings: FieldFinding[] = [];
    for (const [field, text] of Object.entries(fields)) {
      const merged = mergeFindings(platform.scan(text), organization?.scan(text) ?? []);
      for (const finding of applyAbsoluteTermsPolicy(merged, state.absoluteTermsAction)) {
        findings.push({ ...finding, field });
      }
    }
    return { findings, verdict: verdictOf(findings), lexiconVersion: describeVersion(state) };
  }

  async policyOf(orgId: string, manager: EntityManager = this.dataSource.manager): Promise<ModerationPolicy> {
    const record = await manager.getRepository(ModerationPolicyRecord).findOneBy({ orgId });
    if (!record) return { ...DEFAULT_POLICY };
    return {
      organizationReview: record.organizationReview,
      skipManualReviewForLowRisk: record.skipManualReviewForLowRisk,
      absoluteTermsAction: record.absoluteTermsAction,
    };
  }
}

const describeVersion = (state: LexiconState): string =>
  `platform:${state.platformVersion},org:${state.orgVersion},absolute:${state.absoluteTermsAction}`;
