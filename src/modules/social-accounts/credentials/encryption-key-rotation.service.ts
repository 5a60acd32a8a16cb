import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../../platform/clock/clock';
import { EncryptedValue, FieldCipher } from '../../../platform/crypto/field-cipher';
import { UsageRecordsService } from '../usage-records/usage-records.service';
import { credentialAssociatedData } from './credential-secret';
import { reencryptSealedColumn, RotationCount, SealedColumnSet, SealedRow } from './sealed-column-rotation';

export const DEFAULT_ROTATION_BATCH = 100;

export interface KeyRotationResult {
  activeKeyId: string;
  credentials: RotationCount;
  idNumbers: RotationCount;
}

interface CredentialRow extends SealedRow {
  brandOrgId: string;
}

/**
 * Moves every value sealed by the field cipher onto its active key: account credentials and the
 * resident ID numbers of user profiles (the cipher's only other user). Each re-encrypted credential
 * appends one `credential.reencrypted` usage record (actor null: the system) in the same transaction.
 * Neither ETags nor "stored" times change: the secrets themselves are the same.
 *
 * `npm run admin -- rotate-keys` runs it; docs/credentials.md has the operator's runbook.
 */
@Injectable()
export class EncryptionKeyRotation {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: FieldCipher,
    private readonly usage: UsageRecordsService,
    private readonly clock: Clock,
  ) {}

  get activeKeyId(): string {
    return this.cipher.currentKeyId;
  }

  async run(options: { batchSize?: number } = {}): Promise<KeyRotationResult> {
    const batchSize = options.batchSize ?? DEFAULT_ROTATION_BATCH;
    const credentials = await reencryptSealedColumn(
      this.dataSource,
      this.cipher,
      this.credentials(),
      batchSize,
    );
    const idNumbers = await reencryptSealedColumn(this.dataSource, this.cipher, residentIdNumbers, batchSize);
    return { activeKeyId: this.activeKeyId, credentials, idNumbers };
  }

  private credentials(): SealedColumnSet<CredentialRow> {
    return {
      claimBatch: (manager, afterId, limit, activeKeyId) =>
        manager.query(
          `SELECT c.account_id AS "id", c.key_id AS "keyId", c.ciphertext, a.org_id AS "brandOrgId"
           FROM account_credentials c JOIN social_accounts a ON a.id = c.account_id
           WHERE c.key_id <> $1 AND ($2::uuid IS NULL OR c.account_id > $2::uuid)
           ORDER BY c.account_id
           LIMIT $3
           FOR UPDATE OF c SKIP LOCKED`,
          [activeKeyId, afterId, limit],
        ),
      associatedData: (row) => credentialAssociatedData(row.id),
      replace: async (manager: EntityManager, row: CredentialRow, sealed: EncryptedValue) => {
        await manager.query(
          `UPDATE account_credentials SET key_id = $2, ciphertext = $3, updated_at = $4 WHERE account_id = $1`,
          [row.id, sealed.keyId, sealed.ciphertext, this.clock.now()],
        );
        await this.usage.append(manager, {
          accountId: row.id,
          brandOrgId: row.brandOrgId,
          action: 'credential.reencrypted',
          actor: null,
          actorOrgId: null,
          agencyOrgId: null,
          details: { fromKeyId: row.keyId, toKeyId: sealed.keyId },
        });
      },
      countNotUnder: async (manager, activeKeyId) => {
        const [{ n }]: { n: number }[] = await manager.query(
          `SELECT count(*)::int AS n FROM account_credentials WHERE key_id <> $1`,
          [activeKeyId],
        );
        return n;
      },
    };
  }
}

/**
 * The profiles module seals each resident ID number with the user id as associated data (MeService);
 * the same rule is restated here because key rotation has to cover every sealed column at once. The
 * row's version is left alone, so the owner's ETag stays valid.
 */
const residentIdNumbers: SealedColumnSet<SealedRow> = {
  claimBatch: (manager, afterId, limit, activeKeyId) =>
    manager.query(
      `SELECT user_id AS "id", id_number_key_id AS "keyId", id_number_ciphertext AS "ciphertext"
       FROM user_profiles
       WHERE id_number_key_id <> $1 AND ($2::uuid IS NULL OR user_id > $2::uuid)
       ORDER BY user_id
       LIMIT $3
       FOR UPDATE SKIP LOCKED`,
      [activeKeyId, afterId, limit],
    ),
  associatedData: (row) => row.id,
  replace: async (manager, row, sealed) => {
    await manager.query(
      `UPDATE user_profiles SET id_number_key_id = $2, id_number_ciphertext = $3 WHERE user_id = $1`,
      [row.id, sealed.keyId, sealed.ciphertext],
    );
  },
  countNotUnder: async (manager, activeKeyId) => {
    const [{ n }]: { n: number }[] = await manager.query(
      `SELECT count(*)::int AS n FROM user_profiles WHERE id_number_key_id <> $1`,
      [activeKeyId],
    );
    return n;
  },
};
