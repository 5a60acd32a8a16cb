import { DataSource, EntityManager } from 'typeorm';
import { EncryptedValue, FieldCipher } from '../../../platform/crypto/field-cipher';

/** One sealed value as a table stores it: the row's id, the key id and the ciphertext. */
export interface SealedRow {
  id: string;
  keyId: string;
  ciphertext: string;
}

/** How to find, unseal and rewrite the sealed values of one table. */
export interface SealedColumnSet<R extends SealedRow> {
  /**
   * Up to `limit` rows with an id after `afterId` (all when null), in id order, not sealed with
   * `activeKeyId`, locked FOR UPDATE SKIP LOCKED: rows a request is writing right now are passed over
   * (that request seals them with the active key anyway) instead of waiting for it or blocking it.
   */
  claimBatch(
    manager: EntityManager,
    afterId: string | null,
    limit: number,
    activeKeyId: string,
  ): Promise<R[]>;
  associatedData(row: R): string;
  /** Writes the new sealed value, plus whatever the table records about it, in the batch's transaction. */
  replace(manager: EntityManager, row: R, sealed: EncryptedValue): Promise<void>;
  countNotUnder(manager: EntityManager, activeKeyId: string): Promise<number>;
}

export interface RotationFailure {
  id: string;
  keyId: string;
  error: string;
}

export interface RotationCount {
  reencrypted: number;
  /** Values that could not be unsealed (a key missing from ENCRYPTION_KEYS, or tampered data). */
  failed: RotationFailure[];
  /**
   * Values still not under the active key after the pass: failures, rows a request held, or rows a
   * replica still running with the old configuration wrote meanwhile.
   */
  remaining: number;
}

/**
 * One pass over a table, re-sealing every value not under the cipher's active key, in small batches
 * each in its own transaction so the API keeps serving (and writing) throughout. The pass walks the
 * ids forward, so a value that fails is reported and skipped rather than retried forever; running it
 * again resumes where values remain, and does nothing once none do.
 */
export async function reencryptSealedColumn<R extends SealedRow>(
  dataSource: DataSource,
  cipher: FieldCipher,
  columns: SealedColumnSet<R>,
  batchSize: number,
): Promise<RotationCount> {
  const activeKeyId = cipher.currentKeyId;
  const count: RotationCount = { reencrypted: 0, failed: [], remaining: 0 };
  let afterId: string | null = null;
  for (;;) {
    // Counted once the batch has committed: a batch that rolls back re-encrypted nothing.
    const batch = await dataSource.transaction(async (manager) => {
      const rows = await columns.claimBatch(manager, afterId, batchSize, activeKeyId);
      const failed: RotationFailure[] = [];
      for (const row of rows) {
        let plaintext: string;
        try {
          plaintext = cipher.decrypt(
            { keyId: row.keyId, ciphertext: row.ciphertext },
            columns.associatedData(row),
          );
        } catch (error) {
          failed.push({ id: row.id, keyId: row.keyId, error: (error as Error).message });
          continue;
        }
        await columns.replace(manager, row, cipher.encrypt(plaintext, columns.associatedData(row)));
      }
      return { lastId: rows.at(-1)?.id ?? null, reencrypted: rows.length - failed.length, failed };
    });
    if (batch.lastId === null) break;
    count.reencrypted += batch.reencrypted;
    count.failed.push(...batch.failed);
    afterId = batch.lastId;
  }
  count.remaining = await columns.countNotUnder(dataSource.manager, activeKeyId);
  return count;
}
