import { ApiProperty } from '@nestjs/swagger';
import { IsCalendarDate } from '../../../common/validation';

export const ROLLUP_REBUILD_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type RollupRebuildStatus = (typeof ROLLUP_REBUILD_STATUSES)[number];

/** The longest range one rebuild covers: the longest retention window an organization can set. */
export const MAX_REBUILD_DAYS = 1830;

export class RebuildRollupsDto {
  /** First local day to recompute (YYYY-MM-DD, the organization's time zone), inclusive. */
  @ApiProperty({ format: 'date', example: '2026-11-01' })
  @IsCalendarDate()
  from!: string;

  /** Last local day to recompute, inclusive; at most 1,830 days after `from`. */
  @ApiProperty({ format: 'date', example: '2026-11-30' })
  @IsCalendarDate()
  to!: string;
}

export class RollupRebuildDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'date' })
  from!: string;

  @ApiProperty({ format: 'date' })
  to!: string;

  /** `queued` → `running` → `done`, or `failed` with `error`. */
  @ApiProperty({ enum: ROLLUP_REBUILD_STATUSES })
  status!: RollupRebuildStatus;

  /** Days in the range. */
  daysTotal!: number;

  /** Days recomputed so far. */
  daysDone!: number;

  /** Why it failed (`failed` only). */
  @ApiProperty({ type: String, nullable: true })
  error!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt!: string | null;
}
