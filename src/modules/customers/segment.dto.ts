import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsObject, IsString, Length } from 'class-validator';
import { HasNoControlCharacters } from '../../common/validation/plain-text';
import { Trim } from '../../common/validation/transforms';
import { Nullable, Optional } from '../../common/validation';

const RULE_DESCRIPTION =
  'A group `{"all": [...]}` or `{"any": [...]}` of conditions and nested groups (3 levels, 50 conditions): ' +
  '`{"tier": {"in": ["vip"]}}`, `{"tag": {"has": "wholesale"}}`, `{"lifetimeValueFen": {"gte": 100000}}`, ' +
  '`{"lastContact": {"olderThanDays": 30}}` (never contacted counts as older), `{"created": {"withinDays": 7}}`.';

export class CreateSegmentDto {
  @Trim()
  @IsString()
  @Length(1, 100)
  @HasNoControlCharacters()
  name: string;

  @Optional()
  @Trim()
  @IsString()
  @Length(1, 500)
  @HasNoControlCharacters()
  description?: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: RULE_DESCRIPTION })
  @IsDefined()
  @IsObject()
  rule: Record<string, unknown>;
}

export class UpdateSegmentDto {
  @Optional()
  @Trim()
  @IsString()
  @Length(1, 100)
  @HasNoControlCharacters()
  name?: string;

  /** `null` clears it. */
  @Nullable()
  @Trim()
  @IsString()
  @Length(1, 500)
  @HasNoControlCharacters()
  description?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: RULE_DESCRIPTION })
  @Optional()
  @IsObject()
  rule?: Record<string, unknown>;
}

export class SegmentDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ type: String, nullable: true })
  description: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true, description: RULE_DESCRIPTION })
  rule: Record<string, unknown>;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}
