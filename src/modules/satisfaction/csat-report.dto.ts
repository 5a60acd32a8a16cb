import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsUUID } from 'class-validator';
import { Optional } from '../../common/validation';
import { IntervalReportQueryDto, REPORT_INTERVALS, ReportInterval } from '../../platform/reports';
import { TICKET_TYPES, TicketType } from '../tickets/ticket.dto';

export const CSAT_GROUPINGS = ['period', 'agent', 'unit', 'type'] as const;
export type CsatGrouping = (typeof CSAT_GROUPINGS)[number];

export class CsatReportQueryDto extends IntervalReportQueryDto {
  /** One row per `period` bucket (default, every bucket of the period), per `agent`, `unit` or ticket `type`. */
  @ApiPropertyOptional({ enum: CSAT_GROUPINGS, default: 'period' })
  @Optional()
  @IsIn(CSAT_GROUPINGS)
  groupBy?: CsatGrouping;

  /** Only surveys of tickets this member resolved. */
  @Optional()
  @IsUUID()
  agentId?: string;

  /** Only surveys of tickets resolved in this unit. */
  @Optional()
  @IsUUID()
  unitId?: string;

  @ApiPropertyOptional({ enum: TICKET_TYPES })
  @Optional()
  @IsIn(TICKET_TYPES)
  type?: TicketType;
}

/** The numbers of one row (or of the whole period); definitions in docs/satisfaction.md. */
export class CsatFiguresDto {
  @ApiProperty({ description: 'Surveys issued (one per resolution) in the period' })
  sent: number;

  @ApiProperty({ description: 'Of those, surveys answered (at any time up to now)' })
  answered: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'answered / sent (0–1, 4 decimals); null when none sent',
  })
  responseRate: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Mean CSAT (1–5, 2 decimals) of the answers; null without',
  })
  csatAverage: number | null;

  @ApiProperty({ description: 'Answers with CSAT 1' })
  csat1: number;

  @ApiProperty({ description: 'Answers with CSAT 2' })
  csat2: number;

  @ApiProperty({ description: 'Answers with CSAT 3' })
  csat3: number;

  @ApiProperty({ description: 'Answers with CSAT 4' })
  csat4: number;

  @ApiProperty({ description: 'Answers with CSAT 5' })
  csat5: number;

  @ApiProperty({ description: 'Answers that gave an NPS score' })
  npsAnswers: number;

  @ApiProperty({ description: 'NPS answers of 9–10' })
  promoters: number;

  @ApiProperty({ description: 'NPS answers of 0–6' })
  detractors: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: '% promoters − % detractors over the NPS answers (−100…100, 1 decimal); null without',
  })
  nps: number | null;
}

export class CsatReportRowDto extends CsatFiguresDto {
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The bucket label (period), member id (agent), unit id (unit) or ticket type (type); null for tickets resolved unassigned',
  })
  key: string | null;
}

export class CsatReportDto {
  @ApiProperty({ format: 'date' })
  from: string;

  @ApiProperty({ format: 'date' })
  to: string;

  @ApiProperty()
  timeZone: string;

  @ApiProperty({ enum: REPORT_INTERVALS })
  interval: ReportInterval;

  @ApiProperty({ enum: CSAT_GROUPINGS })
  groupBy: CsatGrouping;

  @ApiProperty({ type: CsatFiguresDto })
  totals: CsatFiguresDto;

  @ApiProperty({ type: [CsatReportRowDto] })
  rows: CsatReportRowDto[];
}
