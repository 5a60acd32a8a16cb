import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface EncryptedValue {
  keyId: string;
  /** base64 of iv (12 bytes) | auth tag (16 bytes) | ciphertext */
  ciphertext: string;
}

/**
 * AES-256-GCM for sensitive fields (ID numbers, managed-account credentials). Each value records the
 * id of the key that sealed it, so keys rotate by adding a new active key and re-encrypting at leisure.
 * Decryption fails closed: a tampered value or an unknown key id throws instead of returning garbage.
 */
export class FieldCipher {
  private readonly keys: Map<string, Buffer>;

  constructor(
    keys: Record<string, Buffer>,
    private readonly activeKeyId: string,
  ) {
    this.keys = new Map(Object.entries(keys));
    for (const [id, key] of this.keys) {
      if (key.length !== 32) throw new Error(`Encryption key "${id}" must be 32 bytes`);
    }
    if (!this.keys.has(activeKeyId))
      throw new Error(`ENCRYPTION_ACTIVE_KEY_ID "${activeKeyId}" is not in ENCRYPTION_KEYS`);
  }

  /** Parses `ENCRYPTION_KEYS` ("id:base64,id:base64"). */
  static fromConfig(keys: string, activeKeyId: string): FieldCipher {
    const parsed: Record<string, Buffer> = {};
    for (const entry of keys
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const [id, material] = entry.split(':');
      parsed[id] = Buffer.from(material, 'base64');
    }
    return new FieldCipher(parsed, activeKeyId);
  }

  get currentKeyId(): string {
    return this.activeKeyId;
  }

  encrypt(plaintext: string, associatedData?: string): EncryptedValue {
    const key = this.keys.get(this.activeKeyId)!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
    if (associatedData !== undefined) cipher.setAAD(Buffer.from(associatedData));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return {
      keyId: this.activeKeyId,
      ciphertext: Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64'),
    };
  }

  decrypt(value: EncryptedValue, associatedData?: string): string {
    const key = this.keys.get(value.keyId);
    if (!key) throw new Error(`Unknown encryption key id "${value.keyId}"`);
    const raw = Buffer.from(value.ciphertext, 'base64');
    if (raw.length < 28) throw new Error('Ciphertext is too short to be sealed by this cipher');
    // A fixed tag length: otherwise GCM would accept a truncated tag and weaken the integrity check.
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12), { authTagLength: 16 });
    decipher.setAuthTag(raw.subarray(12, 28));
    if (associatedData !== undefined) decipher.setAAD(Buffer.from(associatedData));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}
