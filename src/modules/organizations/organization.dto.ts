import { HasNoControlCharacters } from '../../common/validation/plain-text';
import { Trim } from '../../common/validation/transforms';
import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Length } from 'class-validator';
import { PageQueryDto } from '../../platform/http/pagination';
import { Organization } from './organization.entity';

export class CreateOrganizationDto {
  /** Display name, 2–100 characters. */
  @Trim()
  @IsString()
  @Length(2, 100)
  @HasNoControlCharacters()
  name: string;

  /** `agency` (service provider) or `brand` (enterprise client). */
  @IsIn(['agency', 'brand'])
  kind: 'agency' | 'brand';
}

export class UpdateOrganizationDto {
  @Trim()
  @IsString()
  @Length(2, 100)
  @HasNoControlCharacters()
  name: string;
}

export class ListOrganizationsQueryDto extends PageQueryDto {}

export class OrganizationDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ enum: ['platform', 'agency', 'brand'] })
  kind: string;

  @ApiProperty({ enum: ['active', 'suspended'] })
  status: string;

  @ApiProperty({ format: 'uuid', description: 'Root unit of the organization tree' })
  rootUnitId: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export const toOrganizationDto = (org: Organization, rootUnitId: string): OrganizationDto => ({
  id: org.id,
  name: org.name,
  kind: org.kind,
  status: org.status,
  rootUnitId,
  createdAt: org.createdAt.toISOString(),
});
