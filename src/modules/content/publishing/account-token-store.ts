import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { queryRows } from '../../../platform/database/query-rows';
import { CredentialSealer, OAuthSecret } from '../../social-accounts/credentials/credential-secret';

export interface StoredOAuth {
  secret: OAuthSecret;
  /** `account_credentials.version`: a replacement only lands if nobody changed the row meanwhile. */
  version: number;
}

interface SealedRow {
  kind: 'password' | 'oauth';
  key_id: string;
  ciphertext: string;
  version: number;
}

/**
 * System-side access to the OAuth tokens of an account in the credential vault (`account_credentials`),
 * for connectors: no member and no reveal is involved, so none of the vault's access checks, reveal
 * limits or reveal notices apply. Sealing and opening go through the vault's own CredentialSealer
 * (AES-256-GCM bound to the account by associated data), so both read and write the very same format.
 */
@Injectable()
export class AccountTokenStore {
  constructor(private readonly sealer: CredentialSealer) {}

  /** The account's OAuth secret, or null when it has none (no credentials, or a password). Fails closed. */
  async read(manager: EntityManager, accountId: string): Promise<StoredOAuth | null> {
    const [row]: SealedRow[] = await manager.query(
      `SELECT kind, key_id, ciphertext, version FROM account_credentials WHERE account_id = $1`,
      [accountId],
    );
    if (!row || row.kind !== 'oauth') return null;
    const secret = this.sealer.open(accountId, { keyId: row.key_id, ciphertext: row.ciphertext });
    if (secret.kind !== 'oauth') return null;
    return { secret, version: row.version };
  }

  /**
   * Replaces the sealed secret and its clear expiry columns if the row is still at `expectedVersion`.
   * False when it moved on (a member stored new credentials, another replica refreshed): the caller
   * then reads again rather than overwrite newer tokens with its own.
   */
  async replace(
    manager: EntityManager,
    accountId: string,
    expectedVersion: number,
    secret: OAuthSecret,
    at: Date,
  ): Promise<boolean> {
    const sealed = this.sealer.seal(accountId, secret);
    const rows = await queryRows<{ version: number }>(
      manager,
      `UPDATE account_credentials
          SET key_id = $3, ciphertext = $4, access_token_expires_at = $5, refresh_token_expires_at = $6,
              updated_at = $7, version = version + 1
        WHERE account_id = $1 AND version = $2 AND kind = 'oauth'
        RETURNING version`,
      [
        accountId,
        expectedVersion,
        sealed.keyId,
        sealed.ciphertext,
        new Date(secret.accessTokenExpiresAt),
        secret.refreshTokenExpiresAt ? new Date(secret.refreshTokenExpiresAt) : null,
        at,
      ],
    );
    return rows.length === 1;
  }
}
