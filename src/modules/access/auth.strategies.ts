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

/** Verified access tokens kept per process; an entry is dropped when its token expires or room is needed. */
const VERIFIED_TOKENS_CAPACITY = 10_000;

const bearerToken = ExtractJwt.fromAuthHeaderAsBearerToken();

interface VerifiedToken {
  principal: Extract<Principal, { kind: 'user' }>;
  expiresAtMs: number;
}

@Injectable()
export class JwtStrategy extends PassportStrategy(JwtStrategyBase, 'jwt') {
  /**
   * A token's signature, issuer and audience never change, so each token is verified once per process
   * and then only its expiry is compared: verifying an HS256 token cost about a tenth of a cached list
   * request's CPU. Whether the session behind it still counts is not cached here: the guard's check
   * reads it on every request.
   */
  private readonly verified = new Map<string, VerifiedToken>();

  constructor(tokens: AccessTokenService) {
    super({
      jwtFromRequest: bearerToken,
      // A KeyObject: jsonwebtoken uses it as is instead of importing the secret per request.
      secretOrKey: tokens.key as unknown as string,
      algorithms: ['HS256'],
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      ignoreExpiration: false,
      passReqToCallback: true,
    });
  }

  override authenticate(request: Parameters<typeof bearerToken>[0], options?: object): void {
    const token = bearerToken(request);
    const known = token ? this.verified.get(token) : undefined;
    // jsonwebtoken compares expiry with the wall clock too, in whole seconds.
    if (known && Date.now() < known.expiresAtMs) return this.success(known.principal);
    if (known) this.verified.delete(token!);
    super.authenticate(request, options);
  }

  validate(
    request: Parameters<typeof bearerToken>[0],
    payload: { sub?: string; sid?: string; exp?: number },
  ): Principal | false {
    if (!payload.sub || !payload.sid) return false;
    // Session liveness (logout, password reset) is checked with the grants, by the guard.
    const principal = { kind: 'user' as const, userId: payload.sub, sessionId: payload.sid };
    const token = bearerToken(request);
    if (token && typeof payload.exp === 'number') this.remember(token, principal, payload.exp * 1000);
    return principal;
  }

  private remember(token: string, principal: VerifiedToken['principal'], expiresAtMs: number): void {
    if (this.verified.size >= VERIFIED_TOKENS_CAPACITY) {
      const oldest = this.verified.keys().next();
      if (!oldest.done) this.verified.delete(oldest.value);
    }
    this.verified.set(token, { principal: Object.freeze(principal), expiresAtMs });
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
