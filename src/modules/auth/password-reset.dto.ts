import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';

export class RequestPasswordResetDto {
  /** Username, email address or mobile number of the account. */
  @ApiProperty({ example: 'li_lei' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(254)
  login: string;
}

/**
 * Proof is either the reset `token` that was sent, or a `code` sent with purpose `password_reset` to the
 * email address or mobile number given as `login`.
 */
export class ConfirmPasswordResetDto {
  /** The reset token from the message. Required unless `login` and `code` are given. */
  @ApiPropertyOptional()
  @ValidateIf((o: ConfirmPasswordResetDto) => o.token !== undefined || o.code === undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  token?: string;

  /** Email address or mobile number the code was sent to (with `code`, instead of `token`). */
  @ApiPropertyOptional({ example: '13800138000' })
  @ValidateIf((o: ConfirmPasswordResetDto) => o.code !== undefined || o.login !== undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(254)
  login?: string;

  /** The 6-digit code sent with purpose `password_reset` (with `login`, instead of `token`). */
  @ApiPropertyOptional({ example: '123456' })
  @ValidateIf((o: ConfirmPasswordResetDto) => o.code !== undefined || o.login !== undefined)
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be the 6-digit code that was sent' })
  code?: string;

  /** At least 10 characters, not a common password, not containing the username. */
  @ApiProperty({ minLength: 10, maxLength: 128 })
  @IsString()
  @MaxLength(1024)
  newPassword: string;
}
