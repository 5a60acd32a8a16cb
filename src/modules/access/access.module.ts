import { Global, Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { AccessTokenService } from './access-token.service';
import { AccessRepository } from './access.repository';
import { ApiKeyStrategy, JwtStrategy } from './auth.strategies';
import { UserAccessService } from './user-access.service';

/**
 * Authentication strategies and the reads behind authorization. Global because every feature module's
 * routes pass through the AccessGuard, which depends on these.
 */
@Global()
@Module({
  imports: [PassportModule.register({ session: false })],
  providers: [AccessTokenService, AccessRepository, UserAccessService, JwtStrategy, ApiKeyStrategy],
  exports: [AccessTokenService, AccessRepository, UserAccessService],
})
export class AccessModule {}
