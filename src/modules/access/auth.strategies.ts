import { sha256Hex } from '../../platform/crypto/tokens';
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { HeaderAPIKeyStrategy } from 'passport-headerapikey';
import { ExtractJwt, Strategy as JwtStrategyBase } from 'passport-jwt';
import { API_KEY_HEADER } from '../../platform/openapi/openapi';
import { Clock } from '../../platform/clock/clock';
import { AccessTokenService, TOKEN_AUDIENCE, TOKEN_ISSUER } from './access-token.service';
import { AccessRepository } from './access.repository';

export type Principal =
  | { kind: 'user'; userId: string; sessionId: string }
  | { kind: 'api_key'; apiKeyId: string; orgId: string; createdBy: string | null };

@Injectable()
export class JwtStrategy extends PassportStrategy(JwtStrategyBase, 'jwt') {
  constructor(tokens: AccessTokenService) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject: jsonwebtoken uses it as is instead of importing the secret per request.
      secretOrKey: tokens.key as unknown as string,
      algorithms: ['HS256'],
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      ignoreExpiration: false,
    });
  }

  validate(payload: { sub?: string; sid?: string }): Principal | false {
    if (!payload.sub || !payload.sid) return false;
    // Session liveness (logout, password reset) is checked with the grants, in the guard's one query.
    return { kind: 'user', userId: payload.sub, sessionId: payload.sid };
  }
}

@Injectable()
export class ApiKeyStrategy extends PassportStrategy(HeaderAPIKeyStrategy, 'api-key') {
  constructor(
    private readonly access: AccessRepository,
    private readonly clock: Clock,
  ) {
    super({ header: API_KEY_HEADER, prefix: '' }, false);
  }

  async validate(secret: string): Promise<Principal | false> {
    const key = await this.access.findUsableApiKey(sha256Hex(secret), this.clock.now());
    if (!key) return false;
    return { kind: 'api_key', apiKeyId: key.id, orgId: key.orgId, createdBy: key.createdBy };
  }
}
