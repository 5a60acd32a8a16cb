import { createHmac, timingSafeEqual } from 'node:crypto';

/** Version tag of the signed checkpoint text: change the text only with a new version. */
export const CHECKPOINT_FORMAT = 'daiyun-usage-checkpoint-v1';

/** What a checkpoint attests: "this account's chain had `seq` records ending in `headHash` at `signedAt`". */
export interface CheckpointClaim {
  accountId: string;
  seq: number;
  headHash: string;
  /** UTC epoch microseconds, as decimal text. */
  signedAtMicros: string;
}

/** `daiyun-usage-checkpoint-v1|<account id>|<seq>|<head hash>|<signed at, epoch µs>`, UTF-8. */
export function checkpointText(claim: CheckpointClaim): string {
  return [
    CHECKPOINT_FORMAT,
    claim.accountId.toLowerCase(),
    String(claim.seq),
    claim.headHash,
    claim.signedAtMicros,
  ].join('|');
}

const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const MIN_KEY_BYTES = 32;

/**
 * HMAC-SHA256 keys for usage-record checkpoints, from `USAGE_CHECKPOINT_KEYS` ("id:base64,…"). New
 * checkpoints are signed with the active key; every listed key still verifies the checkpoints it signed,
 * so a key rotates by adding a new one, making it active, and keeping the old one listed.
 */
export class CheckpointSigner {
  private constructor(
    private readonly keys: ReadonlyMap<string, Buffer>,
    readonly activeKeyId: string,
  ) {}

  /** Throws, naming the variable, on a malformed list, a short key or an unknown active key id. */
  static fromConfig(keys: string, activeKeyId: string): CheckpointSigner {
    const parsed = new Map<string, Buffer>();
    for (const entry of keys
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const separator = entry.indexOf(':');
      const id = entry.slice(0, separator);
      const material = entry.slice(separator + 1);
      if (separator < 0 || !KEY_ID.test(id) || !BASE64.test(material)) {
        throw new Error('USAGE_CHECKPOINT_KEYS must be "id:base64" entries separated by commas');
      }
      const key = Buffer.from(material, 'base64');
      if (key.length < MIN_KEY_BYTES) {
        throw new Error(`USAGE_CHECKPOINT_KEYS: key "${id}" must hold at least ${MIN_KEY_BYTES} bytes`);
      }
      if (parsed.has(id)) throw new Error(`USAGE_CHECKPOINT_KEYS lists key "${id}" twice`);
      parsed.set(id, key);
    }
    if (!parsed.has(activeKeyId)) {
      throw new Error(`USAGE_CHECKPOINT_ACTIVE_KEY_ID "${activeKeyId}" is not in USAGE_CHECKPOINT_KEYS`);
    }
    return new CheckpointSigner(parsed, activeKeyId);
  }

  /** Signs with the active key: lowercase hex of HMAC-SHA256(key, checkpointText(claim)). */
  sign(claim: CheckpointClaim): { keyId: string; signature: string } {
    return { keyId: this.activeKeyId, signature: this.mac(this.keys.get(this.activeKeyId)!, claim) };
  }

  /** False for a wrong signature and for a key id no longer (or never) configured. */
  verify(claim: CheckpointClaim, keyId: string, signature: string): boolean {
    const key = this.keys.get(keyId);
    if (!key) return false;
    const expected = Buffer.from(this.mac(key, claim), 'utf8');
    const given = Buffer.from(signature, 'utf8');
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private mac(key: Buffer, claim: CheckpointClaim): string {
    return createHmac('sha256', key).update(checkpointText(claim), 'utf8').digest('hex');
  }
}
