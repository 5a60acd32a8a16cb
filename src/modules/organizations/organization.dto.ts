import { HasNoControlCharacters } from '../../common/validation/plain-text';
import { Trim } from '../../common/validation/transforms';
import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Length, MaxLength } from 'class-validator';
import { IsTimeZone, Optional } from '../../common/validation';
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

/** Leave a field out to keep it; at least one field is needed. */
export class UpdateOrganizationDto {
  /** Display name, 2–100 characters. */
  @Optional()
  @Trim()
  @IsString()
  @Length(2, 100)
  @HasNoControlCharacters()
  name?: string;

  /** IANA time zone in which reports cut days, weeks and months (e.g. Asia/Shanghai, Asia/Urumqi). */
  @Optional()
  @IsTimeZone()
  @MaxLength(64)
  timeZone?: string;
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

  @ApiProperty({ example: 'Asia/Shanghai', description: 'IANA time zone of the organization’s reports' })
  timeZone: string;

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
  timeZone: org.timeZone,
  rootUnitId,
  createdAt: org.createdAt.toISOString(),
});
