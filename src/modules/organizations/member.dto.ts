import { Trim } from '../../common/validation/transforms';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, IsUUID, Length } from 'class-validator';
import { PageQueryDto } from '../../platform/http/pagination';
import { Optional } from '../../common/validation';

export class ListMembersQueryDto extends PageQueryDto {
  /** Only members whose primary unit is this one. */
  @Optional()
  @IsUUID()
  unitId?: string;

  /** `active` (default) or `removed`. */
  @Optional()
  @IsIn(['active', 'removed'])
  status?: 'active' | 'removed';

  /** Sort key: `joinedAt` (default) or `username`; prefix `-` for descending. */
  @Optional()
  @IsIn(['joinedAt', '-joinedAt', 'username', '-username'])
  sort?: string;
}

export class InviteMemberDto {
  /** Username, email or mobile phone of an existing user. */
  @Trim()
  @IsString()
  @Length(3, 254)
  login: string;

  /** The member's primary unit once they accept. */
  @IsUUID()
  unitId: string;

  /** Optional role granted on acceptance, at `unitId` with `scope`. */
  @Optional()
  @IsUUID()
  roleId?: string;

  @Optional()
  @IsIn(['self', 'unit', 'subtree', 'org'])
  scope?: 'self' | 'unit' | 'subtree' | 'org';
}

export class UpdateMemberDto {
  /** New primary unit. */
  @IsUUID()
  unitId: string;
}

export class MemberDto {
  @ApiProperty({ format: 'uuid' })
  userId: string;

  @ApiProperty()
  username: string;

  @ApiProperty({ type: String, nullable: true })
  email: string | null;

  @ApiProperty({ format: 'uuid', description: 'Primary unit' })
  unitId: string;

  @ApiProperty({ enum: ['active', 'removed'] })
  status: string;

  @ApiProperty({ format: 'date-time' })
  joinedAt: string;
}

export class InvitationDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  orgId: string;

  @ApiProperty()
  orgName: string;

  @ApiProperty({ format: 'uuid' })
  userId: string;

  @ApiProperty({ format: 'uuid' })
  unitId: string;

  @ApiPropertyOptional({ format: 'uuid', type: String, nullable: true })
  roleId: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, enum: ['self', 'unit', 'subtree', 'org'] })
  scope: string | null;

  @ApiProperty({ enum: ['pending', 'accepted', 'declined', 'revoked'] })
  status: string;

  @ApiProperty({ format: 'date-time' })
  expiresAt: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}
