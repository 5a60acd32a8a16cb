import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsIn, IsUUID } from 'class-validator';
import { Optional } from '../../common/validation';
import {
  IntervalReportQueryDto,
  REPORT_INTERVALS,
  ReportInterval,
  ReportQueryDto,
} from '../../platform/reports';
import {
  TICKET_CHANNELS,
  TICKET_PRIORITIES,
  TICKET_TYPES,
  TicketChannel,
  TicketPriority,
  TicketType,
} from '../tickets/ticket.dto';
import { BACKLOG_AGE_BUCKETS, BacklogAgeBucket } from '../tickets/ticket-report-reader';
import { TICKET_STATES, TicketState } from '../tickets/ticket-state';

export const DURATION_GROUPS = ['agent', 'unit', 'type'] as const;
export type DurationGroup = (typeof DURATION_GROUPS)[number];

/** The filters every service report takes; each narrows the tickets counted. */
export class ServiceReportFiltersDto {
  @Optional()
  @IsIn(TICKET_TYPES)
  type?: TicketType;

  @Optional()
  @IsIn(TICKET_CHANNELS)
  channel?: TicketChannel;

  @Optional()
  @IsIn(TICKET_PRIORITIES)
  priority?: TicketPriority;

  /** Only tickets held by this unit (its queue, not the units below it). */
  @Optional()
  @IsUUID()
  unitId?: string;

  /** Only tickets assigned to this member. */
  @Optional()
  @IsUUID()
  agentId?: string;
}

/** A service report over a period with the filters. */
export class ServiceReportQueryDto extends IntersectionType(ReportQueryDto, ServiceReportFiltersDto) {}

/** A service report over a period in buckets (`interval`) with the filters. */
export class ServiceSeriesQueryDto extends IntersectionType(
  IntervalReportQueryDto,
  ServiceReportFiltersDto,
) {}

export class DurationReportQueryDto extends ServiceSeriesQueryDto {
  /** Also answer the figures per `agent` (the ticket's assignee), `unit` (its queue) or `type`. */
  @ApiPropertyOptional({ enum: DURATION_GROUPS })
  @Optional()
  @IsIn(DURATION_GROUPS)
  groupBy?: DurationGroup;
}

export class MinuteFiguresDto {
  /** Nearest-rank median in minutes (2 decimals); null without tickets. */
  @ApiProperty({ type: Number, nullable: true })
  median: number | null;

  /** Nearest-rank 90th percentile in minutes (2 decimals); null without tickets. */
  @ApiProperty({ type: Number, nullable: true })
  p90: number | null;
}

export class DurationFiguresDto {
  /** Tickets counted. */
  count: number;

  /** On the ticket's SLA calendar, pauses excluded (tickets without any calendar left out of these). */
  workingMinutes: MinuteFiguresDto;

  /** Elapsed real time, pauses included. */
  wallClockMinutes: MinuteFiguresDto;
}

export class DurationBucketDto extends DurationFiguresDto {
  /** The bucket's label: `2026-11-30` (day, week by its Monday), `2026-11` (month), `2026-11-30T09:00` (hour). */
  bucket: string;
}

export class DurationGroupDto {
  /** The agent's user id, the unit id or the ticket type; null for tickets assigned to nobody. */
  @ApiProperty({ type: String, nullable: true })
  key: string | null;

  total: DurationFiguresDto;

  buckets: DurationBucketDto[];
}

export class DurationReportDto {
  @ApiProperty({ format: 'date' })
  from: string;

  @ApiProperty({ format: 'date' })
  to: string;

  /** The organization's time zone the days are cut in. */
  timeZone: string;

  @ApiProperty({ enum: REPORT_INTERVALS })
  interval: ReportInterval;

  @ApiProperty({ enum: DURATION_GROUPS, nullable: true })
  groupBy: DurationGroup | null;

  total: DurationFiguresDto;

  /** Every bucket of the period, empty ones with count 0. */
  buckets: DurationBucketDto[];

  /** Per group (only with `groupBy`), ordered by key, unassigned last. */
  groups: DurationGroupDto[];
}

export class TargetAttainmentDto {
  met: number;
  breached: number;

  /** met / (met + breached), 4 decimals (× 100 for a percentage); null when nothing was decided. */
  @ApiProperty({ type: Number, nullable: true })
  attainment: number | null;
}

export class EscalationCountsDto {
  /** By a member or an API key (`escalate` action). */
  manual: number;
  /** By the SLA breach sweep. */
  automatic: number;
}

export class PolicyAttainmentDto {
  /** The policy applied; null once deleted, or for tickets no policy matched. */
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  policyId: string | null;

  /** The policy's name when applied; null for tickets no policy matched. */
  @ApiProperty({ type: String, nullable: true })
  policyName: string | null;

  firstResponse: TargetAttainmentDto;
  resolution: TargetAttainmentDto;

  /** Targets breached in the period (first response, next response and resolution). */
  breaches: number;

  escalations: EscalationCountsDto;
}

export class SlaAttainmentReportDto {
  @ApiProperty({ format: 'date' })
  from: string;

  @ApiProperty({ format: 'date' })
  to: string;

  timeZone: string;

  /** One entry per policy with anything decided, breached or escalated in the period, by name. */
  policies: PolicyAttainmentDto[];

  /** All policies together. */
  total: PolicyAttainmentDto;
}

export class BacklogCellDto {
  @ApiProperty({ enum: TICKET_STATES })
  state: TicketState;

  @ApiProperty({ enum: BACKLOG_AGE_BUCKETS })
  age: BacklogAgeBucket;

  count: number;
}

export class BacklogAgeDto {
  @ApiProperty({ enum: BACKLOG_AGE_BUCKETS })
  age: BacklogAgeBucket;

  count: number;
}

export class BacklogStateDto {
  @ApiProperty({ enum: TICKET_STATES })
  state: TicketState;

  count: number;
}

export class BacklogReportDto {
  @ApiProperty({ format: 'date' })
  from: string;

  @ApiProperty({ format: 'date' })
  to: string;

  timeZone: string;

  /** The instant the backlog is taken at: the end of the period, or now when that is still to come. */
  @ApiProperty({ format: 'date-time' })
  at: string;

  /** Open tickets at `at`. */
  total: number;

  /** Every age bucket, in order (`lt_1d`, `1_3d`, `3_7d`, `gt_7d`). */
  byAge: BacklogAgeDto[];

  /** Every open state, in the state table's order. */
  byState: BacklogStateDto[];

  /** Every state × age pair, zeros included. */
  cells: BacklogCellDto[];
}

/** Tickets per type, every type present (zeros included). */
export class TypeCountsDto {
  consultation: number;
  complaint: number;
  after_sales: number;
}

/** Tickets per channel, every channel present (zeros included). */
export class ChannelCountsDto {
  phone: number;
  web: number;
  email: number;
  douyin_dm: number;
  wechat: number;
  api: number;
}

export class VolumeBucketDto {
  bucket: string;

  /** Tickets created in the bucket. */
  total: number;

  byType: TypeCountsDto;

  byChannel: ChannelCountsDto;
}

export class VolumeReportDto {
  @ApiProperty({ format: 'date' })
  from: string;

  @ApiProperty({ format: 'date' })
  to: string;

  timeZone: string;

  @ApiProperty({ enum: REPORT_INTERVALS })
  interval: ReportInterval;

  total: number;

  byType: TypeCountsDto;

  byChannel: ChannelCountsDto;

  buckets: VolumeBucketDto[];
}
