import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { HasNoControlCharacters } from '../../common/validation/plain-text';
import { Trim } from '../../common/validation/transforms';
import { Optional } from '../../common/validation';

export class CreateCannedReplyDto {
  @Trim()
  @IsString()
  @Length(1, 100)
  @HasNoControlCharacters()
  name: string;

  /**
   * The text. Placeholders: `{{customer.name}}`, `{{customer.company}}`, `{{ticket.subject}}`,
   * `{{ticket.orderRef}}`, `{{ticket.productRef}}`; any other `{{…}}` is refused.
   */
  @IsString()
  @Length(1, 20_000)
  body: string;
}

export class UpdateCannedReplyDto {
  @Optional()
  @Trim()
  @IsString()
  @Length(1, 100)
  @HasNoControlCharacters()
  name?: string;

  @Optional()
  @IsString()
  @Length(1, 20_000)
  body?: string;
}

export class CannedReplyDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty()
  body: string;

  @ApiProperty({ type: String, isArray: true, description: 'The placeholders the body uses' })
  placeholders: string[];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}
