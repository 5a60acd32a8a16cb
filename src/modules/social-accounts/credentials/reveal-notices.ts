import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { NotificationsService } from '../../../platform/notifications/notifications.service';
import { organizationOwnerIds } from '../../access/org-lookups';
import { RevealAnomalyRule, RevealAssessment } from './reveal-anomalies';
import { formatChinaTime } from './usual-hours';

export const CREDENTIAL_REVEALED = 'social_account.credential_revealed';
export const CREDENTIAL_REVEAL_ANOMALY = 'social_account.credential_reveal_anomaly';

export interface RecordedReveal {
  revealId: string;
  accountId: string;
  brandOrgId: string;
  /** The organization that revealed: the brand itself or an agency. */
  orgId: string;
  via: 'owner' | 'agency';
  userId: string;
  reason: string;
  ip: string | null;
  at: Date;
}

interface NoticeContext {
  handle: string;
  org_name: string;
  username: string;
  owner_ids: string[];
}

/**
 * Tells the brand's owners (active members holding the brand's system `owner` role) about every
 * reveal of one of its accounts' credentials, and separately, listing the rules that fired, about an
 * unusual one. Runs in the reveal's transaction: the outbox delivers only if the reveal commits.
 */
@Injectable()
export class RevealNotices {
  constructor(private readonly notifications: NotificationsService) {}

  async send(manager: EntityManager, reveal: RecordedReveal, assessment: RevealAssessment): Promise<void> {
    const context = await this.context(manager, reveal);
    if (context.owner_ids.length === 0) return;
    const account = `@${context.handle}`;
    const who = `${context.username} (${context.org_name})`;
    const when = `${formatChinaTime(reveal.at)} China time`;
    const data = {
      accountId: reveal.accountId,
      revealId: reveal.revealId,
      revealedBy: reveal.userId,
      revealedByOrgId: reveal.orgId,
      via: reveal.via,
      reason: reveal.reason,
      ip: reveal.ip,
      revealedAt: reveal.at.toISOString(),
    };

    await this.notifications.notify(manager, {
      userIds: context.owner_ids,
      orgId: reveal.brandOrgId,
      type: CREDENTIAL_REVEALED,
      title: `Credentials of ${account} were revealed`,
      body: `${who} revealed the credentials of ${account} at ${when}. Reason: ${reveal.reason}`,
      data,
    });

    if (assessment.rules.length === 0) return;
    const findings = assessment.rules.map((rule) => describe(rule, reveal, assessment, context));
    await this.notifications.notify(manager, {
      userIds: context.owner_ids,
      orgId: reveal.brandOrgId,
      type: CREDENTIAL_REVEAL_ANOMALY,
      title: `Unusual credential reveal on ${account}`,
      body: `${who} revealed the credentials of ${account} at ${when}:\n${findings.map((f) => `- ${f}`).join('\n')}`,
      data: {
        ...data,
        rules: assessment.rules,
        revealsLastDay: assessment.revealsLastDay,
        dailyThreshold: assessment.dailyThreshold,
        usualHours: assessment.usualHours,
      },
    });
  }

  private async context(manager: EntityManager, reveal: RecordedReveal): Promise<NoticeContext> {
    const [context]: NoticeContext[] = await manager.query(
      `SELECT
         (SELECT handle FROM social_accounts WHERE id = $1) AS handle,
         (SELECT name FROM organizations WHERE id = $2) AS org_name,
         (SELECT username FROM users WHERE id = $3) AS username`,
      [reveal.accountId, reveal.orgId, reveal.userId],
    );
    return { ...context, owner_ids: await organizationOwnerIds(manager, reveal.brandOrgId) };
  }
}

function describe(
  rule: RevealAnomalyRule,
  reveal: RecordedReveal,
  assessment: RevealAssessment,
  context: NoticeContext,
): string {
  switch (rule) {
    case 'off_hours':
      return `outside the usual hours ${assessment.usualHours} (China time)`;
    case 'new_ip':
      return `from ${reveal.ip}, an address ${context.org_name} never revealed this brand's credentials from before`;
    case 'daily_count':
      return `${assessment.revealsLastDay} reveals of the brand's accounts in the last 24 hours (more than ${assessment.dailyThreshold})`;
  }
}
