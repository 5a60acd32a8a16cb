import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CustomerHistory, CustomerHistoryEntry } from '../customers/customer-history';

/**
 * Surveys in the customer's history (source `satisfaction`): `survey_sent` at the resolution and
 * `survey_answered` with the scores when the customer answered. Entry ids are `<survey id>:sent` and
 * `<survey id>:answered`, unique within the source.
 */
@Injectable()
export class SurveyHistorySource implements OnModuleInit {
  readonly name = 'satisfaction';

  constructor(
    private readonly dataSource: DataSource,
    private readonly history: CustomerHistory,
  ) {}

  onModuleInit(): void {
    this.history.register({ name: this.name, entries: (orgId, ids, page) => this.entries(orgId, ids, page) });
  }

  async entries(
    orgId: string,
    customerIds: readonly string[],
    page: { notAfter: Date | null; limit: number },
  ): Promise<CustomerHistoryEntry[]> {
    const rows: {
      id: string;
      kind: string;
      customer_id: string;
      occurred_at: Date;
      survey_id: string;
      ticket_id: string;
      csat: number | null;
      nps: number | null;
      comment: string | null;
    }[] = await this.dataSource.query(
      `SELECT * FROM (
         SELECT s.id || ':sent' AS id, 'survey_sent' AS kind, s.customer_id, s.sent_at AS occurred_at, s.id AS survey_id,
                s.ticket_id, NULL::smallint AS csat, NULL::smallint AS nps, NULL::text AS comment
           FROM satisfaction_surveys s
          WHERE s.org_id = $1 AND s.customer_id = ANY($2::uuid[]) AND ($3::timestamptz IS NULL OR s.sent_at <= $3)
         UNION ALL
         SELECT s.id || ':answered', 'survey_answered', s.customer_id, s.answered_at, s.id, s.ticket_id, s.csat, s.nps,
                s.comment
           FROM satisfaction_surveys s
          WHERE s.org_id = $1 AND s.customer_id = ANY($2::uuid[]) AND s.answered_at IS NOT NULL
            AND ($3::timestamptz IS NULL OR s.answered_at <= $3)
       ) e ORDER BY occurred_at DESC, id DESC LIMIT $4`,
      [orgId, customerIds, page.notAfter, page.limit],
    );
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      customerId: r.customer_id,
      actorUserId: null,
      details:
        r.kind === 'survey_sent'
          ? { surveyId: r.survey_id, ticketId: r.ticket_id }
          : { surveyId: r.survey_id, ticketId: r.ticket_id, csat: r.csat, nps: r.nps, comment: r.comment },
      occurredAt: r.occurred_at,
    }));
  }
}
