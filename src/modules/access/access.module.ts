import { Global, Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { AccessTokenService } from './access-token.service';
import { AccessGuard } from './access.guard';
import { DeferredAccessInterceptor } from './deferred-access.interceptor';
import { AccessRepository } from './access.repository';
import { ApiKeyStrategy, JwtStrategy } from './auth.strategies';
import { UserAccessService } from './user-access.service';

/**
 * Authentication strategies, the reads behind authorization, the guard (installed globally by
 * AppModule) and the interceptor that completes its deferred checks. Global because every feature module's
 * routes pass through the AccessGuard, which depends on these.
 */
@Global()
@Module({
  imports: [PassportModule.register({ session: false })],
  providers: [
    AccessTokenService,
    AccessRepository,
    UserAccessService,
    JwtStrategy,
    ApiKeyStrategy,
    AccessGuard,
    DeferredAccessInterceptor,
  ],
  exports: [AccessTokenService, AccessRepository, UserAccessService, AccessGuard, DeferredAccessInterceptor],
})
export class AccessModule {}
