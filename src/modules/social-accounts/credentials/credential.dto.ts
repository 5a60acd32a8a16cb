import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import {
  buildMessage,
  IsIn,
  IsISO8601,
  IsString,
  Length,
  Matches,
  ValidateBy,
  ValidateIf,
  ValidationArguments,
} from 'class-validator';
import { HasNoControlCharacters, Trim } from '../../../common/validation';
import { CREDENTIAL_KINDS, CredentialKind } from './credential-secret';

/*
 * Validation messages name the field and never repeat its value: these values are passwords and
 * tokens, and a 400 answer (or a log line about it) must not carry them.
 */

/** Tokens and ids issued by the platform are printable ASCII without spaces. */
const TOKEN_PATTERN = /^[\x21-\x7e]+$/;
/** A full date-time with a zone, so an expiry never depends on the server's time zone. */
const INSTANT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function OnlyForKind(kind: CredentialKind) {
  return ValidateBy({
    name: 'onlyForKind',
    validator: {
      validate: (_value: unknown, args?: ValidationArguments) =>
        (args?.object as { kind?: unknown } | undefined)?.kind === kind,
      defaultMessage: buildMessage(() => `$property is only allowed when kind is "${kind}"`),
    },
  });
}

/**
 * A field of one kind of credential. The body is one DTO discriminated by `kind`: the field is
 * validated when its kind is chosen (and then required unless `optional`), or whenever it is sent,
 * in which case sending it with the other kind is refused instead of being silently kept.
 */
function KindField(kind: CredentialKind, options: { optional?: boolean } = {}) {
  return applyDecorators(
    ValidateIf(
      (dto: { kind?: unknown }, value: unknown) =>
        value !== undefined || (!options.optional && dto.kind === kind),
    ),
    OnlyForKind(kind),
  );
}

const PrintableToken = (maxLength: number) =>
  applyDecorators(
    IsString(),
    Length(1, maxLength),
    Matches(TOKEN_PATTERN, { message: '$property must be printable ASCII without spaces' }),
  );

const Instant = () =>
  applyDecorators(
    IsString(),
    Matches(INSTANT_PATTERN, { message: '$property must be an ISO 8601 date-time with a time zone' }),
    IsISO8601({ strict: true, strictSeparator: true }, { message: '$property must be a valid date-time' }),
  );

/**
 * `PUT …/credentials`: a password (`kind: "password"`, `loginName`, `password`) or OAuth tokens
 * (`kind: "oauth"`, `accessToken`, `accessTokenExpiresAt`, optional `openId`, `refreshToken`,
 * `refreshTokenExpiresAt`). Fields of the other kind are refused (400).
 */
export class StoreCredentialsDto {
  @ApiProperty({ enum: CREDENTIAL_KINDS, description: 'Which fields follow' })
  @IsIn(CREDENTIAL_KINDS)
  kind: CredentialKind;

  @ApiPropertyOptional({
    description: 'kind `password`, required: the login name (phone, email or Douyin id), 1–128 characters',
    minLength: 1,
    maxLength: 128,
    writeOnly: true,
  })
  @KindField('password')
  @Trim()
  @IsString()
  @Length(1, 128)
  @HasNoControlCharacters()
  loginName?: string;

  @ApiPropertyOptional({
    description: 'kind `password`, required: 1–256 characters, kept exactly as sent. Write-only',
    minLength: 1,
    maxLength: 256,
    writeOnly: true,
    format: 'password',
  })
  @KindField('password')
  @IsString()
  @Length(1, 256)
  @HasNoControlCharacters()
  password?: string;

  @ApiPropertyOptional({
    description: 'kind `oauth`, optional: the open id the tokens were issued for',
    maxLength: 128,
    writeOnly: true,
  })
  @KindField('oauth', { optional: true })
  @PrintableToken(128)
  openId?: string;

  @ApiPropertyOptional({
    description: 'kind `oauth`, required. Write-only',
    maxLength: 4096,
    writeOnly: true,
  })
  @KindField('oauth')
  @PrintableToken(4096)
  accessToken?: string;

  @ApiPropertyOptional({
    description: 'kind `oauth`, required: when the access token expires (date-time with a zone)',
    format: 'date-time',
    example: '2030-01-31T16:00:00Z',
  })
  @KindField('oauth')
  @Instant()
  accessTokenExpiresAt?: string;

  @ApiPropertyOptional({
    description: 'kind `oauth`, optional. Write-only',
    maxLength: 4096,
    writeOnly: true,
  })
  @KindField('oauth', { optional: true })
  @PrintableToken(4096)
  refreshToken?: string;

  @ApiPropertyOptional({
    description: 'kind `oauth`, optional, only with a refreshToken: when the refresh token expires',
    format: 'date-time',
  })
  @KindField('oauth', { optional: true })
  @ValidateBy({
    name: 'withRefreshToken',
    validator: {
      validate: (_value: unknown, args?: ValidationArguments) =>
        (args?.object as { refreshToken?: unknown }).refreshToken !== undefined,
      defaultMessage: buildMessage(() => '$property needs a refreshToken'),
    },
  })
  @Instant()
  refreshTokenExpiresAt?: string;
}

/** What any reader of an account may learn about its credentials: never the secret itself. */
export class CredentialMetadataDto {
  @ApiProperty({ format: 'uuid' })
  accountId: string;

  @ApiProperty({ enum: CREDENTIAL_KINDS })
  kind: CredentialKind;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'ab***yz',
    description: 'kind `password`: the login name masked (first and last two characters); else null',
  })
  loginNameMasked: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'kind `oauth`; else null' })
  accessTokenExpiresAt: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'kind `oauth` with a refresh token expiry; else null',
  })
  refreshTokenExpiresAt: string | null;

  @ApiProperty({ format: 'date-time', description: 'When the current credentials were stored' })
  storedAt: string;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The user who stored them; null when a partner system (API key) did',
  })
  storedBy: string | null;
}

export class RevealCredentialsDto {
  @ApiProperty({
    description: 'Why the credentials are needed: 10–500 characters, shown to the brand and recorded',
    minLength: 10,
    maxLength: 500,
    example: 'Douyin asks for a password login to renew the enterprise certification',
  })
  @Trim()
  @IsString()
  @Length(10, 500)
  @HasNoControlCharacters()
  reason: string;
}

export class RevealedPasswordDto {
  @ApiProperty({ enum: ['password'] })
  kind: 'password';

  @ApiProperty()
  loginName: string;

  @ApiProperty({ format: 'password' })
  password: string;
}

export class RevealedOAuthDto {
  @ApiProperty({ enum: ['oauth'] })
  kind: 'oauth';

  @ApiProperty({ type: String, nullable: true })
  openId: string | null;

  @ApiProperty()
  accessToken: string;

  @ApiProperty({ format: 'date-time' })
  accessTokenExpiresAt: string;

  @ApiProperty({ type: String, nullable: true })
  refreshToken: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  refreshTokenExpiresAt: string | null;
}

@ApiExtraModels(RevealedPasswordDto, RevealedOAuthDto)
export class RevealedCredentialsDto {
  @ApiProperty({ format: 'uuid', description: 'The recorded reveal' })
  revealId: string;

  @ApiProperty({ format: 'uuid' })
  accountId: string;

  @ApiProperty({ format: 'date-time' })
  revealedAt: string;

  @ApiProperty({
    description: 'The credentials, in the shape they were stored in',
    oneOf: [{ $ref: getSchemaPath(RevealedPasswordDto) }, { $ref: getSchemaPath(RevealedOAuthDto) }],
    discriminator: {
      propertyName: 'kind',
      mapping: { password: getSchemaPath(RevealedPasswordDto), oauth: getSchemaPath(RevealedOAuthDto) },
    },
  })
  credentials: RevealedPasswordDto | RevealedOAuthDto;
}
