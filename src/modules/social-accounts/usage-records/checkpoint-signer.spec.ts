import { createHmac } from 'node:crypto';
import { CheckpointSigner, checkpointText } from './checkpoint-signer';

const OLD = Buffer.alloc(32, 1).toString('base64');
const NEW = Buffer.alloc(32, 2).toString('base64');
const CLAIM = {
  accountId: '8F14E45F-CEEA-467F-A0E6-7C9E5B1D2A10',
  seq: 100,
  headHash: 'ab'.repeat(32),
  signedAtMicros: '1768032000123000',
};

describe('CheckpointSigner', () => {
  it('signs the documented text with HMAC-SHA256 of the active key, in hex', () => {
    const signer = CheckpointSigner.fromConfig(`old:${OLD}, new:${NEW}`, 'new');
    expect(checkpointText(CLAIM)).toBe(
      `daiyun-usage-checkpoint-v1|8f14e45f-ceea-467f-a0e6-7c9e5b1d2a10|100|${'ab'.repeat(32)}|1768032000123000`,
    );
    const expected = createHmac('sha256', Buffer.alloc(32, 2)).update(checkpointText(CLAIM)).digest('hex');
    expect(signer.sign(CLAIM)).toEqual({ keyId: 'new', signature: expected });
  });

  it('verifies with the key a checkpoint names, old keys included, and refuses any change', () => {
    const before = CheckpointSigner.fromConfig(`old:${OLD}`, 'old');
    const { keyId, signature } = before.sign(CLAIM);
    const after = CheckpointSigner.fromConfig(`old:${OLD},new:${NEW}`, 'new');
    expect(after.verify(CLAIM, keyId, signature)).toBe(true);
    expect(after.verify({ ...CLAIM, seq: 99 }, keyId, signature)).toBe(false);
    expect(after.verify(CLAIM, 'new', signature)).toBe(false);
    expect(after.verify(CLAIM, 'gone', signature)).toBe(false);
    expect(after.verify(CLAIM, keyId, signature.slice(1))).toBe(false);
  });

  it('refuses a malformed configuration, naming the variable', () => {
    expect(() => CheckpointSigner.fromConfig('nocolon', 'x')).toThrow(/USAGE_CHECKPOINT_KEYS/);
    expect(() => CheckpointSigner.fromConfig(`k:${Buffer.alloc(16).toString('base64')}`, 'k')).toThrow(
      /at least 32 bytes/,
    );
    expect(() => CheckpointSigner.fromConfig(`k:${OLD},k:${NEW}`, 'k')).toThrow(/twice/);
    expect(() => CheckpointSigner.fromConfig(`k:${OLD}`, 'other')).toThrow(/USAGE_CHECKPOINT_ACTIVE_KEY_ID/);
  });
});
