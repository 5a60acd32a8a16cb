import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblems } from '../../platform/http/problem.dto';
import { Actor } from '../access/actor';
import { CurrentActor, Public, SignedIn } from '../access/authorize.decorator';
import { Client, ClientContext } from './client-context';
import { LoginDto, LogoutDto, RefreshTokensDto, TokenPairDto, toTokenPairDto } from './login.dto';
import { LoginService } from './login.service';
import { ConfirmPasswordResetDto, RequestPasswordResetDto } from './password-reset.dto';
import { PasswordResetService } from './password-reset.service';
import { RegisterDto, RegisteredUserDto, toRegisteredUserDto } from './register.dto';
import { RegistrationService } from './registration.service';
import { SessionService } from './session.service';
import { SendVerificationCodeDto } from './verification-code.dto';
import { VerificationCodeService } from './verification-code.service';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly codes: VerificationCodeService,
    private readonly registration: RegistrationService,
    private readonly logins: LoginService,
    private readonly sessions: SessionService,
    private readonly resets: PasswordResetService,
  ) {}

  @Post('verification-codes')
  @Public()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    operationId: 'sendVerificationCode',
    summary: 'Send a 6-digit verification code by SMS or email',
    description:
      'The code is valid for 10 minutes and 5 tries; only the newest code of a target and purpose counts. ' +
      'At most one code a minute and ten a day per target (else 429 with Retry-After).',
  })
  @ApiAcceptedResponse({ description: 'The code is on its way' })
  @ApiProblems(400, 429, 503)
  async sendVerificationCode(
    @Client() client: ClientContext,
    @Body() dto: SendVerificationCodeDto,
  ): Promise<void> {
    await this.codes.send(client, dto);
  }

  @Post('register')
  @Public()
  @ApiOperation({
    operationId: 'register',
    summary: 'Create an account',
    description:
      'Needs the code sent to `phone` with purpose `register` (400 `verification_code_invalid`), a password ' +
      'meeting the policy (400 `weak_password`) and the accepted agreement versions. A taken username, ' +
      'email or phone answers 409 `duplicate` without saying which.',
  })
  @ApiCreatedResponse({ type: RegisteredUserDto })
  @ApiProblems(400, 409)
  async register(@Client() client: ClientContext, @Body() dto: RegisterDto): Promise<RegisteredUserDto> {
    return toRegisteredUserDto(await this.registration.register(client, dto));
  }

  @Post('login')
  @Public()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'login',
    summary: 'Sign in with username, email or phone and password',
    description:
      'Wrong password and unknown login both answer 401 `invalid_credentials`. After 5 failures within ' +
      '15 minutes the login is locked for 15 minutes (423 `account_locked` with Retry-After), whether or not ' +
      'it names an account. Too many attempts from one IP answer 429.',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiProblems(400, 401, 423, 429)
  async login(@Client() client: ClientContext, @Body() dto: LoginDto): Promise<TokenPairDto> {
    return toTokenPairDto(await this.logins.login(client, dto));
  }

  @Post('refresh')
  @Public()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'refreshTokens',
    summary: 'Exchange a refresh token for a new token pair',
    description:
      'Each refresh token works once. Presenting one that was already used signs out its whole session ' +
      '(401 `token_reused`); an unknown, expired or revoked one answers 401 `token_invalid`.',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiProblems(400, 401)
  async refreshTokens(@Body() dto: RefreshTokensDto): Promise<TokenPairDto> {
    return toTokenPairDto(await this.sessions.refresh(dto.refreshToken));
  }

  @Post('logout')
  @SignedIn()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    operationId: 'logout',
    summary: 'Sign out the current session',
    description: 'Its access and refresh tokens stop working at once. With `refreshToken`, that session too.',
  })
  @ApiNoContentResponse({ description: 'Signed out' })
  @ApiProblems(400)
  async logout(@CurrentActor() actor: Actor, @Body() dto: LogoutDto): Promise<void> {
    await this.sessions.logout(actor, dto.refreshToken);
  }

  @Post('password-reset/request')
  @Public()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    operationId: 'requestPasswordReset',
    summary: 'Send a password reset token',
    description:
      'Always 202, whether or not the login names an account. The single-use token, valid 30 minutes, ' +
      "goes to the account's email, else its phone.",
  })
  @ApiAcceptedResponse({ description: 'If the account exists, a reset token is on its way' })
  @ApiProblems(400)
  async requestPasswordReset(
    @Client() client: ClientContext,
    @Body() dto: RequestPasswordResetDto,
  ): Promise<void> {
    await this.resets.request(client, dto.login);
  }

  @Post('password-reset/confirm')
  @Public()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    operationId: 'confirmPasswordReset',
    summary: 'Set a new password with a reset token (or a password_reset code) and sign out everywhere',
    description:
      'Give `token`, or `login` and `code` (a code sent with purpose `password_reset`). The new password ' +
      'must meet the policy (400 `weak_password`). Every session of the account is revoked.',
  })
  @ApiNoContentResponse({ description: 'Password changed; every session signed out' })
  @ApiProblems(400, 401)
  async confirmPasswordReset(@Body() dto: ConfirmPasswordResetDto): Promise<void> {
    await this.resets.confirm(dto);
  }
}
