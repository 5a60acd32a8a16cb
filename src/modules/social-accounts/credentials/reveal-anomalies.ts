import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../../../platform/config/app-config';
import {
  chinaHourOf,
  describeHours,
  isWithinUsualHours,
  learnUsualHours,
  parseUsualHours,
  UsualHours,
} from './usual-hours';

/**
 * - `off_hours`: the reveal happened outside the revealing organization's usual hours (China time):
 *   the hours holding its recorded actions of the last 30 days once it has enough of them
 *   (CREDENTIAL_REVEAL_LEARN_MIN_ACTIONS), else CREDENTIAL_REVEAL_USUAL_HOURS;
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
const LEARNING_WINDOW_MS = 30 * DAY_MS;

/** Judges a reveal against the brand's history. Run it before the reveal itself is recorded. */
@Injectable()
export class RevealAnomalies {
  private readonly usualHours: UsualHours;
  private readonly usualHoursText: string;
  private readonly dailyThreshold: number;
  private readonly learnMinActions: number;

  constructor({ env }: AppConfig) {
    this.usualHoursText = env.CREDENTIAL_REVEAL_USUAL_HOURS;
    this.usualHours = parseUsualHours(env.CREDENTIAL_REVEAL_USUAL_HOURS);
    this.dailyThreshold = env.CREDENTIAL_REVEALS_ALERT_PER_DAY;
    this.learnMinActions = env.CREDENTIAL_REVEAL_LEARN_MIN_ACTIONS;
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
    const usual = await this.usualHoursOf(manager, reveal.orgId, reveal.at);
    const rules: RevealAnomalyRule[] = [];
    if (!usual.covers(reveal.at)) rules.push('off_hours');
    if (reveal.ip && history.org_has_history && !history.ip_seen) rules.push('new_ip');
    if (revealsLastDay > this.dailyThreshold) rules.push('daily_count');
    return {
      rules,
      revealsLastDay,
      dailyThreshold: this.dailyThreshold,
      usualHours: usual.text,
    };
  }

  /** The organization's own working hours when its history says enough, else the configured window. */
  private async usualHoursOf(manager: EntityManager, orgId: string, at: Date) {
    const rows: { hour: number; n: number }[] = await manager.query(
      `SELECT extract(hour FROM occurred_at AT TIME ZONE 'Asia/Shanghai')::int AS hour, count(*)::int AS n
         FROM account_usage_records
        WHERE actor_org_id = $1 AND occurred_at > $2 AND occurred_at <= $3
        GROUP BY 1`,
      [orgId, new Date(at.getTime() - LEARNING_WINDOW_MS), at],
    );
    const learned = learnUsualHours(new Map(rows.map((r) => [r.hour, r.n])), this.learnMinActions);
    if (learned) {
      return {
        text: `learned: ${describeHours(learned)}`,
        covers: (when: Date) => learned.has(chinaHourOf(when)),
      };
    }
    return { text: this.usualHoursText, covers: (when: Date) => isWithinUsualHours(when, this.usualHours) };
  }
}
