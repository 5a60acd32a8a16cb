import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';

export const AUTO_ASSIGN_MODES = ['none', 'round_robin', 'least_loaded'] as const;
export type AutoAssignMode = (typeof AUTO_ASSIGN_MODES)[number];

export class UpdateTicketQueueDto {
  @ApiProperty({
    enum: AUTO_ASSIGN_MODES,
    description:
      '`round_robin`: the next agent after the last one assigned, in a fixed order; `least_loaded`: the agent ' +
      'with the fewest active tickets (ties by that order); `none`: tickets wait in the queue to be claimed',
  })
  @IsIn(AUTO_ASSIGN_MODES)
  autoAssign: AutoAssignMode;
}

export class TicketQueueDto {
  @ApiProperty({ format: 'uuid' })
  unitId: string;

  @ApiProperty({ enum: AUTO_ASSIGN_MODES })
  autoAssign: AutoAssignMode;

  @ApiProperty({
    type: String,
    format: 'uuid',
    isArray: true,
    description: "The queue's agents, in round-robin order",
  })
  agentIds: string[];

  @ApiProperty({ description: 'Active tickets in the queue that nobody holds' })
  unassigned: number;
}
