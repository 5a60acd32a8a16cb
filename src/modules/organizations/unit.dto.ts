import { HasNoControlCharacters } from '../../common/validation/plain-text';
import { Trim } from '../../common/validation/transforms';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, IsUUID, Length } from 'class-validator';
import { OrgUnit } from './org-unit.entity';
import { Optional } from '../../common/validation';

export class CreateUnitDto {
  @Trim()
  @IsString()
  @Length(1, 100)
  @HasNoControlCharacters()
  name: string;

  /** Parent unit; the organization's root unit for a top-level department. */
  @IsUUID()
  parentId: string;
}

export class UpdateUnitDto {
  @Optional()
  @Trim()
  @IsString()
  @Length(1, 100)
  @HasNoControlCharacters()
  name?: string;

  /** Move the unit (with its whole subtree) under another unit. */
  @Optional()
  @IsUUID()
  parentId?: string;
}

export class DeleteUnitQueryDto {
  /** Where members, grants and rows of the deleted unit (and its children) go. Required when it has any. */
  @Optional()
  @IsUUID()
  targetUnitId?: string;
}

export class UnitDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  parentId: string | null;

  @ApiProperty({ description: 'Depth in the tree; the root unit is 0' })
  depth: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class UnitTreeDto {
  @ApiProperty({ type: UnitDto, isArray: true, description: 'Units in depth-first order' })
  items: UnitDto[];

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Always null: the tree comes whole' })
  nextCursor: string | null;
}

export const toUnitDto = (unit: OrgUnit): UnitDto => ({
  id: unit.id,
  name: unit.name,
  parentId: unit.parentId,
  depth: unit.path.split('.').length - 1,
  createdAt: unit.createdAt.toISOString(),
});
