import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { TokenPair } from './session.service';
import { Optional } from '../../common/validation';

export class LoginDto {
  /** Username, email address or mobile number. */
  @ApiProperty({ example: 'li_lei' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(254)
  login: string;

  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  password: string;
}

export class RefreshTokensDto {
  /** The refresh token of the last login or refresh; each one works once. */
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  refreshToken: string;
}

export class LogoutDto {
  /** Also sign out the session of this refresh token (if it is the caller's). */
  @ApiPropertyOptional()
  @Optional()
  @IsString()
  @MaxLength(256)
  refreshToken?: string;
}

export class TokenPairDto {
  /** JWT to send as `Authorization: Bearer …`. */
  @ApiProperty()
  accessToken: string;

  /** Opaque, single-use; exchange it at POST /auth/refresh before the session expires. */
  @ApiProperty()
  refreshToken: string;

  /** Seconds until the access token expires. */
  @ApiProperty({ example: 900 })
  expiresIn: number;

  @ApiProperty({ enum: ['Bearer'], example: 'Bearer' })
  tokenType: 'Bearer';
}

export const toTokenPairDto = (pair: TokenPair): TokenPairDto => ({
  accessToken: pair.accessToken,
  refreshToken: pair.refreshToken,
  expiresIn: pair.expiresIn,
  tokenType: pair.tokenType,
});
