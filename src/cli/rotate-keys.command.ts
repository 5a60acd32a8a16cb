import { INestApplicationContext } from '@nestjs/common';
import {
  DEFAULT_ROTATION_BATCH,
  EncryptionKeyRotation,
} from '../modules/social-accounts/credentials/encryption-key-rotation.service';
import { RotationCount } from '../modules/social-accounts/credentials/sealed-column-rotation';

export const MAX_ROTATION_BATCH = 1000;

export interface RotateKeysOptions {
  batchSize?: number;
}

/**
 * Re-encrypts every account credential and resident ID number not yet under ENCRYPTION_ACTIVE_KEY_ID
 * and prints the counts. Answers true when nothing is left under an old key, which is when the old
 * key may leave ENCRYPTION_KEYS. Safe to run while the API serves, and to run again.
 */
export async function rotateKeys(
  app: INestApplicationContext,
  options: RotateKeysOptions,
  print: (line: string) => void,
): Promise<boolean> {
  const rotation = app.get(EncryptionKeyRotation, { strict: false });
  const batchSize = options.batchSize ?? DEFAULT_ROTATION_BATCH;
  print(`Re-encrypting under key "${rotation.activeKeyId}", in batches of ${batchSize}.`);
  const result = await rotation.run({ batchSize });
  report('Account credentials', result.credentials, print);
  report('Resident ID numbers', result.idNumbers, print);

  const remaining = result.credentials.remaining + result.idNumbers.remaining;
  if (remaining === 0) {
    print(
      `Every value is sealed with "${result.activeKeyId}". Old keys may leave ENCRYPTION_KEYS once every ` +
        'replica runs with this configuration.',
    );
    return true;
  }
  print(
    `${remaining} value(s) are still sealed with an old key. Keep the old keys. Values that failed need ` +
      'their key back in ENCRYPTION_KEYS (or the data re-entered); otherwise make sure every replica runs ' +
      'with the new ENCRYPTION_ACTIVE_KEY_ID and run rotate-keys again.',
  );
  return false;
}

function report(what: string, count: RotationCount, print: (line: string) => void): void {
  print(
    `${what}: ${count.reencrypted} re-encrypted, ${count.failed.length} failed, ` +
      `${count.remaining} still under an old key`,
  );
  for (const failure of count.failed) {
    print(`  ${failure.id} (key "${failure.keyId}"): ${failure.error}`);
  }
}
