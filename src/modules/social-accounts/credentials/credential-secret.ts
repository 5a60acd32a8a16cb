import { Injectable } from '@nestjs/common';
import { EncryptedValue, FieldCipher } from '../../../platform/crypto/field-cipher';

export const CREDENTIAL_KINDS = ['password', 'oauth'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

export interface PasswordSecret {
  kind: 'password';
  loginName: string;
  password: string;
}

export interface OAuthSecret {
  kind: 'oauth';
  openId: string | null;
  accessToken: string;
  /** ISO 8601 UTC. Also kept in a clear column, for expiry reminders. */
  accessTokenExpiresAt: string;
  refreshToken: string | null;
  refreshTokenExpiresAt: string | null;
}

/** Everything sealed for one account, as one JSON document: a field never sits in a column by itself. */
export type CredentialSecret = PasswordSecret | OAuthSecret;

/**
 * Associated data binding a sealed credential to its account: a ciphertext copied onto another
 * account's row (or into another table sealed by the same cipher) fails to decrypt instead of
 * handing one account's password out as another's.
 */
export const credentialAssociatedData = (accountId: string): string =>
  `daiyun.account-credential.v1:${accountId.toLowerCase()}`;

/**
 * A login name for display: its first two and last two characters around `***`, never its length;
 * short names keep less (`a***`, `***`) so that the mask never shows most of the name.
 */
export function maskLoginName(loginName: string): string {
  const chars = [...loginName];
  if (chars.length >= 6) return `${chars.slice(0, 2).join('')}***${chars.slice(-2).join('')}`;
  if (chars.length >= 3) return `${chars[0]}***`;
  return '***';
}

/** Seals and opens account credentials with the platform field cipher (AES-256-GCM, key id kept). */
@Injectable()
export class CredentialSealer {
  constructor(private readonly cipher: FieldCipher) {}

  seal(accountId: string, secret: CredentialSecret): EncryptedValue {
    return this.cipher.encrypt(JSON.stringify(secret), credentialAssociatedData(accountId));
  }

  /** Fails closed: a tampered value, a foreign account's value or an unknown key id throws. */
  open(accountId: string, sealed: EncryptedValue): CredentialSecret {
    const plaintext = this.cipher.decrypt(sealed, credentialAssociatedData(accountId));
    let secret: unknown;
    try {
      secret = JSON.parse(plaintext);
    } catch {
      // Not rethrown: JSON.parse quotes the text it failed on, and error messages end up in logs.
      secret = undefined;
    }
    if (!isCredentialSecret(secret)) {
      throw new Error(`The sealed credential of account ${accountId} is malformed`);
    }
    return secret;
  }
}

function isCredentialSecret(value: unknown): value is CredentialSecret {
  if (!value || typeof value !== 'object') return false;
  const secret = value as Record<string, unknown>;
  if (secret.kind === 'password')
    return typeof secret.loginName === 'string' && typeof secret.password === 'string';
  return (
    secret.kind === 'oauth' &&
    typeof secret.accessToken === 'string' &&
    typeof secret.accessTokenExpiresAt === 'string'
  );
}
