import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../../../platform/clock/clock';
import { OAuthSecret } from '../../../social-accounts/credentials/credential-secret';
import { UsageRecordsService } from '../../../social-accounts/usage-records/usage-records.service';
import { AccountTokenStore, StoredOAuth } from '../account-token-store';
import { PublishError, PublishTargetAccount } from '../publish-connector';
import { DouyinAuth, DouyinOpenApi, DouyinTokenGrant } from './douyin-open-api';

/** A token this close to its end is refreshed first, so it cannot expire between upload and create. */
const REFRESH_MARGIN_MS = 10 * 60_000;

/**
 * The access token of an account's Douyin authorization, refreshed when it is expired or about to be,
 * and the refreshed tokens written back to the credential vault, sealed, with one usage record
 * (`credential.refreshed`), in one transaction. The refresh call itself runs outside any transaction;
 * the write lands only if the vault row has not changed meanwhile, else the newer stored tokens win.
 */
@Injectable()
export class DouyinTokens {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: AccountTokenStore,
    private readonly api: DouyinOpenApi,
    private readonly usage: UsageRecordsService,
    private readonly clock: Clock,
  ) {}

  /** `forceRefresh`: Douyin refused the current token although it had not expired on paper. */
  async forAccount(
    account: PublishTargetAccount,
    signal: AbortSignal,
    options: { forceRefresh?: boolean } = {},
  ): Promise<DouyinAuth> {
    const stored = await this.load(account);
    const now = this.clock.now();
    const expiresAt = new Date(stored.secret.accessTokenExpiresAt).getTime();
    // A refresh also tells the open_id, should the stored credentials lack it.
    const fresh = expiresAt - now.getTime() > REFRESH_MARGIN_MS && stored.secret.openId !== null;
    if (!options.forceRefresh && fresh) return authOf(account, stored.secret);

    const { refreshToken, refreshTokenExpiresAt } = stored.secret;
    if (!refreshToken || (refreshTokenExpiresAt && new Date(refreshTokenExpiresAt) <= now)) {
      throw new PublishError(
        `The Douyin authorization of @${account.handle} has expired and cannot be refreshed: ` +
          'the account must authorize the app again and its credentials be stored anew',
        false,
        'douyin.reauthorize',
      );
    }
    const grant = await this.api.refreshAccessToken(refreshToken, signal);
    const refreshed = refreshedSecret(stored.secret, grant, now);
    const saved = await this.dataSource.transaction(async (manager) => {
      if (!(await this.store.replace(manager, account.id, stored.version, refreshed, now))) return false;
      await this.usage.append(manager, {
        accountId: account.id,
        brandOrgId: account.brandOrgId,
        action: 'credential.refreshed',
        actor: null,
        actorOrgId: account.agencyOrgId ?? account.brandOrgId,
        agencyOrgId: account.agencyOrgId,
        details: { kind: 'oauth', reason: 'access_token_refreshed' },
      });
      return true;
    });
    return authOf(account, saved ? refreshed : (await this.load(account)).secret);
  }

  private async load(account: PublishTargetAccount): Promise<StoredOAuth> {
    let stored: StoredOAuth | null;
    try {
      stored = await this.store.read(this.dataSource.manager, account.id);
    } catch {
      // The vault fails closed (tampered data, a key no longer configured); say so without details.
      throw new PublishError(
        `The stored credentials of @${account.handle} cannot be decrypted`,
        false,
        'douyin.credentials_unreadable',
      );
    }
    if (!stored) {
      throw new PublishError(
        `@${account.handle} has no Douyin OAuth credentials in the credential vault`,
        false,
        'douyin.no_credentials',
      );
    }
    return stored;
  }
}

function refreshedSecret(previous: OAuthSecret, grant: DouyinTokenGrant, now: Date): OAuthSecret {
  const after = (s: number) => new Date(now.getTime() + s * 1000).toISOString();
  return {
    kind: 'oauth',
    openId: previous.openId ?? grant.openId,
    accessToken: grant.accessToken,
    accessTokenExpiresAt: after(grant.expiresInSeconds),
    // Douyin keeps the refresh token (and its end) unchanged on a refresh; take a new one if it sends one.
    refreshToken: grant.refreshToken ?? previous.refreshToken,
    refreshTokenExpiresAt:
      grant.refreshExpiresInSeconds !== null
        ? after(grant.refreshExpiresInSeconds)
        : previous.refreshTokenExpiresAt,
  };
}

function authOf(account: PublishTargetAccount, secret: OAuthSecret): DouyinAuth {
  if (!secret.openId) {
    throw new PublishError(
      `The stored Douyin credentials of @${account.handle} lack the open_id`,
      false,
      'douyin.no_open_id',
    );
  }
  return { accessToken: secret.accessToken, openId: secret.openId };
}
