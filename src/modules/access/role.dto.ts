import { HasNoControlCharacters } from '../../common/validation/plain-text';
import { Trim } from '../../common/validation/transforms';
import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsString, Length, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../platform/http/pagination';
import { Optional } from '../../common/validation';

export class CreateRoleDto {
  @Trim()
  @IsString()
  @Length(2, 64)
  @HasNoControlCharacters()
  name: string;

  @Optional()
  @IsString()
  @MaxLength(500)
  description?: string;

  /** Permission codes from `GET /api/v1/permissions`. */
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(200)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  permissions: string[];
}

export class UpdateRoleDto {
  @Optional()
  @Trim()
  @IsString()
  @Length(2, 64)
  @HasNoControlCharacters()
  name?: string;

  @Optional()
  @IsString()
  @MaxLength(500)
  description?: string;

  @Optional()
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(200)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  permissions?: string[];
}

export class ListRolesQueryDto extends PageQueryDto {}

export class RoleDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ type: String, nullable: true })
  description: string | null;

  @ApiProperty({ description: 'System roles are seeded per organization kind and cannot be changed' })
  system: boolean;

  @ApiProperty({ type: String, nullable: true, description: 'Stable key of a system role (owner, admin, …)' })
  systemKey: string | null;

  @ApiProperty({ type: String, isArray: true })
  permissions: string[];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class PermissionDto {
  @ApiProperty({ example: 'members:read' })
  code: string;

  @ApiProperty({ example: 'organizations' })
  module: string;

  @ApiProperty()
  description: string;

  @ApiProperty({ description: 'Held only in the platform organization; acts across tenants' })
  platform: boolean;
}

export class PermissionCatalogueDto {
  @ApiProperty({ type: PermissionDto, isArray: true })
  items: PermissionDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}
