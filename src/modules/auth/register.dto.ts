import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, Matches, MaxLength } from 'class-validator';
import {
  IsMainlandMobile,
  NestedObject,
  NormalizeEmail,
  NormalizeMainlandMobile,
  Trim,
} from '../../common/validation';
import { EMAIL_MAX_LENGTH, USERNAME_PATTERN } from './identifiers';
import { CreatedUser } from './user-accounts.service';

const VERSION_PATTERN = /^[A-Za-z0-9._-]{1,32}$/;

/** The version of each legal document the person accepted, as shown to them. */
export class AgreementsDto {
  /** Version of the user agreement (terms of service). */
  @ApiProperty({ example: '2025-01' })
  @IsString()
  @Matches(VERSION_PATTERN, { message: 'terms must be a document version (1–32 letters, digits, . _ -)' })
  terms: string;

  /** Version of the privacy policy. */
  @ApiProperty({ example: '2025-01' })
  @IsString()
  @Matches(VERSION_PATTERN, { message: 'privacy must be a document version (1–32 letters, digits, . _ -)' })
  privacy: string;
}

export class RegisterDto {
  /** 4–32 letters, digits or underscores; unique regardless of case. */
  @ApiProperty({ example: 'li_lei', pattern: USERNAME_PATTERN.source })
  @Trim()
  @IsString()
  @Matches(USERNAME_PATTERN, { message: 'username must be 4–32 letters, digits or underscores' })
  username: string;

  /** At least 10 characters, not a common password, not containing the username. */
  @ApiProperty({ example: 'correct horse battery staple', minLength: 10, maxLength: 128 })
  @IsString()
  @MaxLength(1024)
  password: string;

  @ApiProperty({ example: 'li.lei@example.com' })
  @NormalizeEmail()
  @IsEmail()
  @MaxLength(EMAIL_MAX_LENGTH)
  email: string;

  /** Mainland mobile number; the `code` must have been sent to it. */
  @ApiProperty({ example: '13800138000' })
  @NormalizeMainlandMobile()
  @IsMainlandMobile()
  phone: string;

  /** The 6-digit code sent to `phone` with purpose `register`. */
  @ApiProperty({ example: '123456' })
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be the 6-digit code sent to the phone' })
  code: string;

  @ApiProperty({ type: AgreementsDto })
  @NestedObject(() => AgreementsDto)
  agreements: AgreementsDto;
}

export class RegisteredUserDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'li_lei' })
  username: string;
}

export const toRegisteredUserDto = (user: CreatedUser): RegisteredUserDto => ({
  id: user.id,
  username: user.username,
});
