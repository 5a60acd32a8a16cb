import { Trim } from '../../common/validation/transforms';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { DATE_TIME_MAX_LENGTH } from '../../common/validation/bounds';
import { PageQueryDto } from '../../platform/http/pagination';
import { CreateGrantDto, GrantDto } from '../access/grant.dto';

export class CreateApiKeyDto {
  @Trim()
  @IsString()
  @Length(2, 100)
  name: string;

  /** When the key stops working (ISO 8601). Omit for a key that lives until revoked. */
  @ApiPropertyOptional({ type: String, format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @MaxLength(DATE_TIME_MAX_LENGTH)
  expiresAt?: string;

  /** What the key may do: grants like a member's, each within the creator's own authority. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => CreateGrantDto)
  grants: CreateGrantDto[];
}

export class ListApiKeysQueryDto extends PageQueryDto {}

export class ApiKeyDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ description: 'First characters of the key, to tell keys apart' })
  prefix: string;

  @ApiProperty({ format: 'uuid', type: String, nullable: true })
  createdBy: string | null;

  @ApiProperty({ format: 'date-time', type: String, nullable: true })
  expiresAt: string | null;

  @ApiProperty({ format: 'date-time', type: String, nullable: true })
  lastUsedAt: string | null;

  @ApiProperty({ format: 'date-time', type: String, nullable: true })
  revokedAt: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'The key itself, shown this once. Send it in the X-API-Key header.' })
  key: string;

  @ApiProperty({ type: GrantDto, isArray: true })
  grants: GrantDto[];
}
