import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { AppConfig } from '../../platform/config/app-config';
import { DomainError, ErrorCode } from '../../platform/errors';
import { AccessTokenService } from '../access/access-token.service';
import { Actor } from '../access/actor';
import { AuthSession, SessionRevokedReason } from './auth-session.entity';
import { ClientContext } from './client-context';
import { RefreshToken } from './refresh-token.entity';
import { newOpaqueToken, sha256Hex } from '../../platform/crypto/tokens';
import { queryRows } from '../../platform/database/query-rows';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** Lifetime of the access token in seconds. */
  expiresIn: number;
  tokenType: 'Bearer';
}

export interface OpenedSession {
  sessionId: string;
  tokens: TokenPair;
}

interface PresentedToken {
  token_id: string;
  session_id: string;
  user_id: string;
  used_at: Date | null;
  expires_at: Date;
  session_expires_at: Date;
  revoked_at: Date | null;
  user_status: string;
}

type RotationOutcome =
  | { kind: 'rotated'; userId: string; sessionId: string; refreshToken: string }
  | { kind: 'invalid' }
  | { kind: 'reused' };

/**
 * Sessions and their tokens. A session is one signed-in device: access tokens name it, and its refresh
 * tokens form one rotation chain (a token family). Each refresh token works once; presenting a used
 * one means it was copied, so the whole session is revoked and every token of it stops working.
 */
@Injectable()
export class SessionService {
  private readonly sessionTtlMs: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly accessTokens: AccessTokenService,
    { env }: AppConfig,
  ) {
    this.sessionTtlMs = env.REFRESH_TTL_DAYS * 86_400_000;
  }

  /** Opens a session for a user who just proved who they are, inside the caller's transaction. */
  async open(manager: EntityManager, userId: string, client: ClientContext): Promise<OpenedSession> {
    const now = this.clock.now();
    const session = await manager.save(
      manager.create(AuthSession, {
        userId,
        ip: client.ip,
        userAgent: client.userAgent,
        createdAt: now,
        expiresAt: new Date(now.getTime() + this.sessionTtlMs),
        revokedAt: null,
        revokedReason: null,
      }),
    );
    const refreshToken = await this.issueRefreshToken(manager, session.id, session.expiresAt, now);
    return { sessionId: session.id, tokens: this.tokens(userId, session.id, refreshToken, now) };
  }

  /** Exchanges a refresh token for a new pair. The session keeps its expiry: rotation does not extend it. */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const now = this.clock.now();
    // The outcome is decided and written in the transaction, and thrown only after it committed: a
    // reuse must leave the session revoked even though the request fails.
    const outcome = await this.dataSource.transaction(async (manager): Promise<RotationOutcome> => {
      const [row] = await queryRows<PresentedToken>(
        manager,
        `SELECT t.id AS token_id, t.session_id, t.used_at, t.expires_at, s.user_id,
                s.expires_at AS session_expires_at, s.revoked_at, u.status AS user_status
         FROM refresh_tokens t
         JOIN auth_sessions s ON s.id = t.session_id
         JOIN users u ON u.id = s.user_id
         WHERE t.token_hash = $1
         FOR UPDATE OF t, s`,
        [sha256Hex(refreshToken)],
      );
      if (!row) return { kind: 'invalid' };
      if (row.used_at) {
        if (!row.revoked_at) await this.revokeSessions(manager, [row.session_id], 'refresh_reuse', now);
        return { kind: 'reused' };
      }
      const expired = row.expires_at <= now || row.session_expires_at <= now;
      if (row.revoked_at || expired || row.user_status !== 'active') return { kind: 'invalid' };

      await manager.update(RefreshToken, { id: row.token_id }, { usedAt: now });
      const next = await this.issueRefreshToken(manager, row.session_id, row.session_expires_at, now);
      return { kind: 'rotated', userId: row.user_id, sessionId: row.session_id, refreshToken: next };
    });

    if (outcome.kind === 'reused') {
      throw new DomainError(
        ErrorCode.TokenReused,
        'This refresh token was already used; the session has been signed out for safety. Sign in again',
      );
    }
    if (outcome.kind === 'invalid') {
      throw new DomainError(ErrorCode.TokenInvalid, 'The refresh token is invalid or expired; sign in again');
    }
    return this.tokens(outcome.userId, outcome.sessionId, outcome.refreshToken, now);
  }

  /**
   * Signs out the caller's session and, when given, the session of a refresh token of theirs (a client
   * may hold a token of an older session). A token of someone else's session is ignored.
   */
  async logout(actor: Actor, refreshToken?: string): Promise<void> {
    const { userId, sessionId } = actor;
    if (!userId) throw new DomainError(ErrorCode.Unauthenticated, 'Only a signed-in user can sign out');
    const now = this.clock.now();
    await this.dataSource.transaction(async (manager) => {
      const sessionIds = sessionId ? [sessionId] : [];
      if (refreshToken) {
        const rows = await queryRows<{ session_id: string }>(
          manager,
          `SELECT t.session_id FROM refresh_tokens t JOIN auth_sessions s ON s.id = t.session_id
           WHERE t.token_hash = $1 AND s.user_id = $2`,
          [sha256Hex(refreshToken), userId],
        );
        sessionIds.push(...rows.map((r) => r.session_id));
      }
      await this.revokeSessions(manager, sessionIds, 'logout', now, userId);
    });
  }

  /** Signs the user out everywhere (after a password change). */
  async revokeAllForUser(
    manager: EntityManager,
    userId: string,
    reason: SessionRevokedReason,
  ): Promise<void> {
    await manager.query(
      `UPDATE auth_sessions SET revoked_at = $2, revoked_reason = $3 WHERE user_id = $1 AND revoked_at IS NULL`,
      [userId, this.clock.now(), reason],
    );
  }

  private async revokeSessions(
    manager: EntityManager,
    sessionIds: string[],
    reason: SessionRevokedReason,
    now: Date,
    userId?: string,
  ): Promise<void> {
    if (sessionIds.length === 0) return;
    await manager.query(
      `UPDATE auth_sessions SET revoked_at = $2, revoked_reason = $3
       WHERE id = ANY($1::uuid[]) AND revoked_at IS NULL AND ($4::uuid IS NULL OR user_id = $4)`,
      [sessionIds, now, reason, userId ?? null],
    );
  }

  private async issueRefreshToken(
    manager: EntityManager,
    sessionId: string,
    expiresAt: Date,
    now: Date,
  ): Promise<string> {
    const token = newOpaqueToken();
    await manager.insert(RefreshToken, {
      sessionId,
      tokenHash: sha256Hex(token),
      createdAt: now,
      expiresAt,
      usedAt: null,
    });
    return token;
  }

  private tokens(userId: string, sessionId: string, refreshToken: string, now: Date): TokenPair {
    return {
      accessToken: this.accessTokens.sign({ sub: userId, sid: sessionId }, now),
      refreshToken,
      expiresIn: this.accessTokens.ttlSeconds,
      tokenType: 'Bearer',
    };
  }
}
