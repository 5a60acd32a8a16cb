import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../../../platform/config/app-config';
import { isWithinUsualHours, parseUsualHours, UsualHours } from './usual-hours';

/**
 * - `off_hours`: the reveal happened outside CREDENTIAL_REVEAL_USUAL_HOURS (China time);
 * - `new_ip`: the revealing organization has revealed this brand's credentials before, never from
 *   this address (an organization's first reveal has no history to differ from; the brand hears of
 *   every reveal anyway);
 * - `daily_count`: more than CREDENTIAL_REVEALS_ALERT_PER_DAY reveals of the brand's accounts, this
 *   one included, in the last 24 hours.
 */
export type RevealAnomalyRule = 'off_hours' | 'new_ip' | 'daily_count';

export interface RevealToAssess {
  brandOrgId: string;
  /** The organization revealing: the brand itself or an agency. */
  orgId: string;
  ip: string | null;
  at: Date;
}

export interface RevealAssessment {
  rules: RevealAnomalyRule[];
  /** Reveals of the brand's accounts in the 24 hours up to and including this one. */
  revealsLastDay: number;
  dailyThreshold: number;
  usualHours: string;
}

const DAY_MS = 24 * 60 * 60_000;

/** Judges a reveal against the brand's history. Run it before the reveal itself is recorded. */
@Injectable()
export class RevealAnomalies {
  private readonly usualHours: UsualHours;
  private readonly usualHoursText: string;
  private readonly dailyThreshold: number;

  constructor({ env }: AppConfig) {
    this.usualHoursText = env.CREDENTIAL_REVEAL_USUAL_HOURS;
    this.usualHours = parseUsualHours(env.CREDENTIAL_REVEAL_USUAL_HOURS);
    this.dailyThreshold = env.CREDENTIAL_REVEALS_ALERT_PER_DAY;
  }

  async assess(manager: EntityManager, reveal: RevealToAssess): Promise<RevealAssessment> {
    const [history]: { earlier_last_day: number; org_has_history: boolean; ip_seen: boolean }[] =
      await manager.query(
        `SELECT
           (SELECT count(*)::int FROM credential_reveals
             WHERE brand_org_id = $1 AND created_at > $4) AS earlier_last_day,
           EXISTS (SELECT 1 FROM credential_reveals WHERE brand_org_id = $1 AND org_id = $2) AS org_has_history,
           EXISTS (SELECT 1 FROM credential_reveals
                    WHERE brand_org_id = $1 AND org_id = $2 AND ip = $3) AS ip_seen`,
        [reveal.brandOrgId, reveal.orgId, reveal.ip, new Date(reveal.at.getTime() - DAY_MS)],
      );
    const revealsLastDay = history.earlier_last_day + 1;
    const rules: RevealAnomalyRule[] = [];
    if (!isWithinUsualHours(reveal.at, this.usualHours)) rules.push('off_hours');
    if (reveal.ip && history.org_has_history && !history.ip_seen) rules.push('new_ip');
    if (revealsLastDay > this.dailyThreshold) rules.push('daily_count');
    return {
      rules,
      revealsLastDay,
      dailyThreshold: this.dailyThreshold,
      usualHours: this.usualHoursText,
    };
  }
}
