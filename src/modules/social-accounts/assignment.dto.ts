import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { Optional } from '../../common/validation';

export class CreateAssignmentDto {
  /** The agency unit that operates the account. */
  @IsUUID()
  unitId: string;

  /** One member of that unit who operates it; omit to assign the unit as a whole. */
  @Optional()
  @IsUUID()
  memberId?: string;
}

export class AssignmentDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  accountId: string;

  @ApiProperty({ format: 'uuid' })
  unitId: string;

  @ApiProperty()
  unitName: string;

  @ApiProperty({ format: 'uuid', type: String, nullable: true })
  memberId: string | null;

  @ApiProperty({ type: String, nullable: true })
  memberUsername: string | null;

  @ApiProperty({ format: 'uuid', type: String, nullable: true })
  createdBy: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class AssignmentListDto {
  @ApiProperty({ type: AssignmentDto, isArray: true })
  items: AssignmentDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Always null: an account has few assignments' })
  nextCursor: string | null;
}
