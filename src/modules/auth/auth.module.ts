import { Module } from '@nestjs/common';
import { AppConfig } from '../../platform/config/app-config';
import { AuthController } from './auth.controller';
import { LoginHistoryController } from './login-history.controller';
import { LoginHistoryService } from './login-history.service';
import { LoginLockoutService } from './login-lockout.service';
import { LoginService } from './login.service';
import { createMessageSender, MessageSender } from './message-sender';
import { PasswordHasher } from './password-hasher';
import { PasswordPolicy } from './password-policy';
import { PasswordResetService } from './password-reset.service';
import { RegistrationService } from './registration.service';
import { SessionService } from './session.service';
import { UserAccountsService } from './user-accounts.service';
import { VerificationCodeService } from './verification-code.service';

/**
 * Registration, login, tokens and password reset. Exports `UserAccountsService` (creating accounts
 * under the one set of rules), `SessionService` (revoking sessions) and `MessageSender` (email/SMS).
 */
@Module({
  controllers: [AuthController, LoginHistoryController],
  providers: [
    {
      provide: MessageSender,
      inject: [AppConfig],
      useFactory: ({ env }: AppConfig) => createMessageSender(env),
    },
    PasswordPolicy,
    PasswordHasher,
    UserAccountsService,
    VerificationCodeService,
    SessionService,
    LoginLockoutService,
    LoginService,
    LoginHistoryService,
    RegistrationService,
    PasswordResetService,
  ],
  exports: [UserAccountsService, SessionService, MessageSender],
})
export class AuthModule {}
