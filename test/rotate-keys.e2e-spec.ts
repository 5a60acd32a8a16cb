import { randomBytes } from 'node:crypto';
import { COMMANDS } from '../src/cli/admin';
import { rotateKeys } from '../src/cli/rotate-keys.command';
import { EncryptedValue, FieldCipher } from '../src/platform/crypto/field-cipher';
import { makeUser, TestUser } from './support/factories';
import { FixtureOrg, insertMember, insertOrg } from './support/org-fixtures';
import { insertAccount } from './support/social-fixtures';
import { createTestApp, TestApp } from './support/test-app';

const KEY_MATERIAL = { k1: randomBytes(32), k2: randomBytes(32) };
const ENCRYPTION_KEYS = Object.entries(KEY_MATERIAL)
  .map(([id, key]) => `${id}:${key.toString('base64')}`)
  .join(',');

/**
 * The field cipher of a replica that gets restarted with a new ENCRYPTION_ACTIVE_KEY_ID: the operator's
 * step before running rotate-keys, done here without tearing the app (and its database) down.
 */
class RestartableCipher extends FieldCipher {
  private current = FieldCipher.fromConfig(ENCRYPTION_KEYS, 'k1');

  constructor() {
    super(KEY_MATERIAL, 'k1');
  }

  restartWith(activeKeyId: string): void {
    this.current = FieldCipher.fromConfig(ENCRYPTION_KEYS, activeKeyId);
  }

  override get currentKeyId(): string {
    return this.current.currentKeyId;
  }

  override encrypt(plaintext: string, associatedData?: string): EncryptedValue {
    return this.current.encrypt(plaintext, associatedData);
  }

  override decrypt(value: EncryptedValue, associatedData?: string): string {
    return this.current.decrypt(value, associatedData);
  }
}

// A published specimen number (female, born 1949-12-31) and its masked form.
const PROFILE = {
  realName: '张三',
  gender: 'female',
  birthDate: '1949-12-31',
  idNumber: '11010519491231002X',
};
const ID_MASKED = '110***********002X';
const REASON = 'Checking that the vault still opens after the key rotation';

describe('rotate-keys', () => {
  let t: TestApp;
  let cipher: RestartableCipher;
  let brand: FixtureOrg;
  let owner: TestUser;
  const stored = new Map<string, object>();
  let output: string[];
  const print = (line: string) => output.push(line);

  const credentialsUrl = (accountId: string) =>
    `/api/v1/orgs/${brand.id}/social-accounts/${accountId}/credentials`;
  const keyIds = async (): Promise<string[]> =>
    (await t.db.query(`SELECT DISTINCT key_id FROM account_credentials ORDER BY key_id`)).map(
      (r: { key_id: string }) => r.key_id,
    );
  const reencryptedRecords = async (): Promise<
    { account_id: string; actor_user_id: string | null; details: object }[]
  > =>
    t.db.query(
      `SELECT account_id, actor_user_id, details FROM account_usage_records WHERE action = 'credential.reencrypted'`,
    );

  beforeAll(async () => {
    cipher = new RestartableCipher();
    t = await createTestApp({
      env: { ENCRYPTION_KEYS, ENCRYPTION_ACTIVE_KEY_ID: 'k1', CREDENTIAL_REVEALS_PER_HOUR: '100' },
      overrides: [{ provide: FieldCipher, useValue: cipher }],
    });
    brand = await insertOrg(t, { kind: 'brand' });
    owner = await makeUser(t);
    await insertMember(t, brand, owner.id, { grants: [{ role: 'owner' }] });

    const bodies = [
      { kind: 'password', loginName: 'ops-1@example.com', password: 'first-Secret-1' },
      { kind: 'password', loginName: 'ops-2@example.com', password: 'second-Secret-2' },
      { kind: 'oauth', accessToken: 'act.rotate-me-3', accessTokenExpiresAt: '2031-01-01T00:00:00.000Z' },
      { kind: 'password', loginName: 'ops-4@example.com', password: 'fourth-Secret-4' },
      { kind: 'password', loginName: 'ops-5@example.com', password: 'fifth-Secret-5' },
    ];
    for (const body of bodies) {
      const accountId = await insertAccount(t, brand);
      await t.http().put(credentialsUrl(accountId)).set(owner.auth).send(body).expect(200);
      stored.set(accountId, body);
    }
    await t.http().put('/api/v1/me/profile').set(owner.auth).send(PROFILE).expect(200);
    expect(await keyIds()).toEqual(['k1']);
  });
  afterAll(() => t.close());
  beforeEach(() => {
    output = [];
  });

  it('does nothing while the active key is the one everything is sealed with', async () => {
    expect(await rotateKeys(t.app, {}, print)).toBe(true);
    expect(output).toContain('Account credentials: 0 re-encrypted, 0 failed, 0 still under an old key');
    expect(output).toContain('Resident ID numbers: 0 re-encrypted, 0 failed, 0 still under an old key');
    expect(await reencryptedRecords()).toEqual([]);
  });

  it('re-encrypts in batches while the API keeps writing, skipping rows it would have to wait for', async () => {
    cipher.restartWith('k2');
    const [busy] = [...stored.keys()];
    // A request holding one credential row (say, a replacement in progress) in another transaction.
    const runner = t.db.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await runner.query(`SELECT 1 FROM account_credentials WHERE account_id = $1 FOR UPDATE`, [busy]);
      expect(await rotateKeys(t.app, { batchSize: 2 }, print)).toBe(false);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    expect(output).toContain('Account credentials: 4 re-encrypted, 0 failed, 1 still under an old key');
    expect(output).toContain('Resident ID numbers: 1 re-encrypted, 0 failed, 0 still under an old key');
    const [{ key_id: busyKey }] = await t.db.query(
      `SELECT key_id FROM account_credentials WHERE account_id = $1`,
      [busy],
    );
    expect(busyKey).toBe('k1');

    // Resumable: the next run takes what is left, through the admin command itself.
    output = [];
    await COMMANDS['rotate-keys'].run(t.app, {}, print);
    expect(output).toContain('Account credentials: 1 re-encrypted, 0 failed, 0 still under an old key');
    expect(await keyIds()).toEqual(['k2']);
    const [profile] = await t.db.query(`SELECT id_number_key_id FROM user_profiles WHERE user_id = $1`, [
      owner.id,
    ]);
    expect(profile.id_number_key_id).toBe('k2');

    // One usage record per credential, by the system, naming both keys.
    const records = await reencryptedRecords();
    expect(records.map((r) => r.account_id).sort()).toEqual([...stored.keys()].sort());
    for (const record of records) {
      expect(record).toMatchObject({ actor_user_id: null, details: { fromKeyId: 'k1', toKeyId: 'k2' } });
    }
  });

  it('keeps every credential and ID number readable, and their ETags', async () => {
    for (const [accountId, body] of stored) {
      const meta = await t.http().get(credentialsUrl(accountId)).set(owner.auth).expect(200);
      expect(meta.headers.etag).toBe('W/"1"');
      const res = await t
        .http()
        .post(`${credentialsUrl(accountId)}/reveal`)
        .set(owner.auth)
        .send({ reason: REASON })
        .expect(200);
      expect(res.body.credentials).toMatchObject(body);
    }
    const me = await t.http().get('/api/v1/me').set(owner.auth).expect(200);
    expect(me.body.profile.idNumberMasked).toBe(ID_MASKED);
    // Saving without the number makes the service decrypt the stored one and check it again.
    const { idNumber: _kept, ...withoutNumber } = PROFILE;
    await t.http().put('/api/v1/me/profile').set(owner.auth).send(withoutNumber).expect(200);
  });

  it('is idempotent once everything is under the active key', async () => {
    const before = (await reencryptedRecords()).length;
    await COMMANDS['rotate-keys'].run(t.app, { 'batch-size': '3' }, print);
    expect(output).toContain('Account credentials: 0 re-encrypted, 0 failed, 0 still under an old key');
    expect((await reencryptedRecords()).length).toBe(before);
  });

  it('reports values it cannot open and carries on with the rest', async () => {
    cipher.restartWith('k1');
    const [lost, ...others] = [...stored.keys()];
    for (const accountId of others.slice(0, 2)) {
      await t.http().put(credentialsUrl(accountId)).set(owner.auth).send(stored.get(accountId)!).expect(200);
    }
    cipher.restartWith('k2');
    // Sealed with a key that is no longer configured.
    await t.db.query(`UPDATE account_credentials SET key_id = 'k0' WHERE account_id = $1`, [lost]);

    await expect(COMMANDS['rotate-keys'].run(t.app, {}, print)).rejects.toThrow(
      'still sealed with an old key',
    );
    expect(output).toContain('Account credentials: 2 re-encrypted, 1 failed, 1 still under an old key');
    expect(output).toContain(`  ${lost} (key "k0"): Unknown encryption key id "k0"`);
    expect(await keyIds()).toEqual(['k0', 'k2']);
  });

  it('refuses a batch size out of range', async () => {
    await expect(COMMANDS['rotate-keys'].run(t.app, { 'batch-size': '0' }, print)).rejects.toThrow(
      '--batch-size must be a whole number from 1 to 1000',
    );
  });
});
