import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, IsUUID, MaxLength, ValidateIf } from 'class-validator';
import { DataScopeKind } from './actor';
import { Optional } from '../../common/validation';

const SCOPES: DataScopeKind[] = ['self', 'unit', 'subtree', 'org'];

/** Either `roleId` or `permission` (+ `effect`), anchored at `unitId` with a data `scope`. */
export class CreateGrantDto {
  /** Grant a role. Leave out to grant or deny a single permission. */
  @ValidateIf((o: CreateGrantDto) => o.permission === undefined)
  @IsUUID()
  roleId?: string;

  /** A single permission code (user-level permission). */
  @ValidateIf((o: CreateGrantDto) => o.roleId === undefined)
  @IsString()
  @MaxLength(64)
  permission?: string;

  /** For a single permission: `allow` (default) or `deny`. A deny always wins over any allow. */
  @Optional()
  @IsIn(['allow', 'deny'])
  effect?: 'allow' | 'deny';

  @IsUUID()
  unitId: string;

  /** `self` (own rows), `unit`, `subtree` (unit and below) or `org`. */
  @IsIn(SCOPES)
  scope: DataScopeKind;
}

export class GrantDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid', type: String, nullable: true })
  roleId: string | null;

  @ApiProperty({ type: String, nullable: true })
  roleName: string | null;

  @ApiProperty({ type: String, nullable: true })
  permission: string | null;

  @ApiProperty({ enum: ['allow', 'deny'] })
  effect: string;

  @ApiProperty({ format: 'uuid' })
  unitId: string;

  @ApiProperty({ enum: SCOPES })
  scope: string;

  @ApiProperty({ format: 'uuid', type: String, nullable: true })
  grantedBy: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class GrantListDto {
  @ApiProperty({ type: GrantDto, isArray: true })
  items: GrantDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}

export class GrantSourceDto {
  @ApiProperty({ format: 'uuid' })
  grantId: string;

  @ApiProperty({ enum: ['allow', 'deny'] })
  effect: string;

  @ApiProperty({ enum: SCOPES })
  scope: string;

  @ApiProperty({ format: 'uuid' })
  unitId: string;

  @ApiProperty({ format: 'uuid', type: String, nullable: true })
  roleId: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Role name, or null for a direct grant' })
  roleName: string | null;
}

export class EffectivePermissionDto {
  @ApiProperty()
  permission: string;

  @ApiProperty()
  module: string;

  @ApiProperty({ description: 'False when only denies, or denies covering the whole organization, remain' })
  allowed: boolean;

  @ApiProperty({ type: String, isArray: true, enum: SCOPES, description: 'Distinct scopes of the allows' })
  scopes: string[];

  @ApiProperty({ type: GrantSourceDto, isArray: true })
  sources: GrantSourceDto[];
}

export class EffectivePermissionsDto {
  @ApiProperty({ format: 'uuid' })
  userId: string;

  @ApiProperty({ type: EffectivePermissionDto, isArray: true })
  permissions: EffectivePermissionDto[];
}
