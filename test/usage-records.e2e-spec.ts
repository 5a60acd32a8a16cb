import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource, DataSourceOptions } from 'typeorm';
import { Actor } from '../src/modules/access/actor';
import { chainHash } from '../src/modules/social-accounts/usage-records/usage-chain';
import { UsageChainVerifier } from '../src/modules/social-accounts/usage-records/usage-chain-verifier.service';
import { UsageCheckpoints } from '../src/modules/social-accounts/usage-records/usage-checkpoints.service';
import {
  chainedFieldsOf,
  RECORD_SELECT_SQL,
} from '../src/modules/social-accounts/usage-records/usage-record-row';
import {
  UsageEntry,
  UsageRecordsService,
} from '../src/modules/social-accounts/usage-records/usage-records.service';
import { buildDataSourceOptions } from '../src/platform/database/data-source.options';
import { restrictAppRole } from '../src/platform/database/migrator';
import { apiClient, expectData } from './support/api-client';
import { makeUser, TestUser } from './support/factories';
import { FixtureOrg, insertMember, insertOrg } from './support/org-fixtures';
import { insertAccount, insertAssignment, insertAuthorization } from './support/social-fixtures';
import { createTestApp, TestApp } from './support/test-app';

const PROBLEM = /^application\/problem\+json/;
const EVERY_RECORDS = 10;
const INTERVAL_SECONDS = 300;
// The tests move the clock to fixed dates; the authorization must hold on all of them.
const LONG_VALIDITY = {
  validFrom: new Date('2020-01-01T00:00:00Z'),
  validUntil: new Date('2100-01-01T00:00:00Z'),
};

// ---------------------------------------------------------------------------------------------------
// An auditor's independent implementation of docs/social-accounts.md, working from the CSV alone: it
// shares no code with the application.

/** RFC 4180: quoted cells may hold commas, doubled quotes and line breaks; rows end with CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 1;
    } else cell += c;
  }
  if (cell !== '' || row.length) throw new Error('CSV does not end with CRLF');
  return rows;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function canonical(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const codePoints = (s: string) => Array.from(s, (ch) => ch.codePointAt(0)!);
    const compare = (a: string, b: string) => {
      const x = codePoints(a);
      const y = codePoints(b);
      for (let i = 0; i < Math.min(x.length, y.length); i += 1) if (x[i] !== y[i]) return x[i] - y[i];
      return x.length - y.length;
    };
    const keys = Object.keys(value).sort(compare);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

interface AuditedRow {
  id: string;
  seq: number;
  prevHash: string;
  hash: string;
  recomputed: string;
  cells: Record<string, string | null>;
}

/** Undoes the formula guard (one leading apostrophe) and reads an empty cell as NULL. */
const cellValue = (raw: string): string | null =>
  raw === '' ? null : raw.startsWith("'") ? raw.slice(1) : raw;

function auditCsv(text: string): AuditedRow[] {
  expect(text.startsWith('\ufeff')).toBe(true);
  const [header, ...rows] = parseCsv(text.slice(1));
  return rows.map((raw) => {
    const cells = Object.fromEntries(header.map((name, i) => [name, cellValue(raw[i])]));
    const details = JSON.parse(cells.details!) as Json;
    expect(canonical(details)).toBe(cells.details);
    const fields: Json[] = [
      'daiyun-usage-v1',
      ...[
        'account_id',
        'seq',
        'brand_org_id',
        'actor_org_id',
        'agency_org_id',
        'actor_user_id',
        'api_key_id',
        'action',
        'ip',
        'request_id',
        'occurred_at_micros',
      ].map((name) => cells[name]),
      details,
    ];
    const recomputed = createHash('sha256')
      .update(cells.prev_hash! + canonical(fields), 'utf8')
      .digest('hex');
    return {
      id: cells.id!,
      seq: Number(cells.seq),
      prevHash: cells.prev_hash!,
      hash: cells.hash!,
      recomputed,
      cells,
    };
  });
}

// ---------------------------------------------------------------------------------------------------

interface Page {
  items: { id: string; seq: number; [key: string]: unknown }[];
  nextCursor: string | null;
}

describe('account usage records', () => {
  let t: TestApp;
  let brand: FixtureOrg;
  let agency: FixtureOrg;
  let unauthorizedAgency: FixtureOrg;
  let otherBrand: FixtureOrg;
  let brandOwner: TestUser;
  let brandViewer: TestUser;
  let agencyAnalyst: TestUser;
  let agencySelfReader: TestUser;
  let outsiderAnalyst: TestUser;
  let stranger: TestUser;
  let account: string;

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        USAGE_CHECKPOINT_EVERY_RECORDS: String(EVERY_RECORDS),
        USAGE_CHECKPOINT_INTERVAL_SECONDS: String(INTERVAL_SECONDS),
      },
    });
    brand = await insertOrg(t, { kind: 'brand' });
    agency = await insertOrg(t, { kind: 'agency' });
    unauthorizedAgency = await insertOrg(t, { kind: 'agency' });
    otherBrand = await insertOrg(t, { kind: 'brand' });
    [brandOwner, brandViewer, agencyAnalyst, agencySelfReader, outsiderAnalyst, stranger] = await Promise.all(
      Array.from({ length: 6 }, () => makeUser(t)),
    );
    await insertMember(t, brand, brandOwner.id, { grants: [{ role: 'owner' }] });
    await insertMember(t, brand, brandViewer.id, { grants: [{ role: 'viewer' }] });
    await insertMember(t, agency, agencyAnalyst.id, { grants: [{ role: 'analyst' }] });
    await insertMember(t, agency, agencySelfReader.id, {
      grants: [{ permission: 'usage-records:read', scope: 'self' }],
    });
    await insertMember(t, unauthorizedAgency, outsiderAnalyst.id, { grants: [{ role: 'analyst' }] });
    await insertMember(t, otherBrand, stranger.id, { grants: [{ role: 'owner' }] });

    account = await insertAccount(t, brand);
    await insertAuthorization(t, brand, agency, [account], LONG_VALIDITY);
    await insertAssignment(t, agency, account);
  });
  afterAll(() => t.close());

  const actorOf = (user: TestUser, org: FixtureOrg, requestId: string = randomUUID()): Actor => ({
    kind: 'user',
    userId: user.id,
    apiKeyId: null,
    sessionId: null,
    ip: '203.0.113.7',
    userAgent: null,
    requestId,
    orgId: org.id,
    orgKind: org.kind,
    grants: [],
  });

  /** One append in its own transaction, as a module recording an action would do. */
  const append = (entry: Omit<UsageEntry, 'brandOrgId'> & { brandOrgId?: string }, ds: DataSource = t.db) =>
    ds.transaction((manager) =>
      t.get(UsageRecordsService).append(manager, { brandOrgId: brand.id, ...entry }),
    );

  /** `count` records on a fresh account of the brand, by its owner. */
  const freshChain = async (count: number): Promise<{ accountId: string; ids: string[] }> => {
    const accountId = await insertAccount(t, brand);
    const ids: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const { id } = await append({
        accountId,
        action: 'account.updated',
        actor: actorOf(brandOwner, brand),
        actorOrgId: brand.id,
        agencyOrgId: null,
        details: { step: i + 1 },
      });
      ids.push(id);
    }
    return { accountId, ids };
  };

  const base = (orgId: string, accountId: string) =>
    `/api/v1/orgs/${orgId}/social-accounts/${accountId}/usage-records`;
  const verify = async (accountId: string, user: TestUser = brandOwner, orgId = brand.id) =>
    (
      await t
        .http()
        .get(`${base(orgId, accountId)}/verify`)
        .set(user.auth)
        .expect(200)
    ).body;

  /** Runs SQL as a superuser with the append-only triggers bypassed, as an attacker with that power. */
  const tamper = (sql: string, params: unknown[]) =>
    t.db.transaction(async (manager) => {
      await manager.query(`SET LOCAL session_replication_role = replica`);
      await manager.query(sql, params);
    });

  describe('reading: list, filters and who sees what', () => {
    const start = Date.parse('2026-03-01T08:00:00.000Z');
    const minute = (n: number) => new Date(start + n * 60_000);
    let seqs: Record<string, number>;

    beforeAll(async () => {
      const record = async (at: number, entry: Omit<UsageEntry, 'brandOrgId' | 'accountId'>) => {
        t.clock.set(minute(at));
        return (await append({ accountId: account, ...entry })).seq;
      };
      seqs = {
        created: await record(1, {
          action: 'account.created',
          actor: actorOf(brandOwner, brand),
          actorOrgId: brand.id,
          agencyOrgId: null,
          details: { handle: '品牌官方号' },
        }),
        offered: await record(2, {
          action: 'authorization.offered',
          actor: actorOf(brandOwner, brand),
          actorOrgId: brand.id,
          agencyOrgId: agency.id,
          details: { scopes: ['publish', 'analytics'] },
        }),
        accepted: await record(3, {
          action: 'authorization.accepted',
          actor: actorOf(agencyAnalyst, agency),
          actorOrgId: agency.id,
          agencyOrgId: agency.id,
        }),
        published: await record(4, {
          action: 'content.published',
          actor: actorOf(agencyAnalyst, agency, '-starts-with-a-dash'),
          actorOrgId: agency.id,
          agencyOrgId: agency.id,
          details: { title: '=HYPERLINK("http://evil.example")', note: 'line one\nline "two", three' },
        }),
        updated: await record(5, {
          action: 'account.updated',
          actor: actorOf(brandOwner, brand),
          actorOrgId: brand.id,
          agencyOrgId: null,
          details: { displayName: { from: '旧名', to: '新名' }, count: 3, flag: true, none: null },
        }),
        expired: await record(6, {
          action: 'authorization.expired',
          actor: null,
          actorOrgId: null,
          agencyOrgId: agency.id,
        }),
      };
      t.clock.set(minute(60));
    });

    const list = async (user: TestUser, orgId: string, query = '') =>
      (
        await t
          .http()
          .get(`${base(orgId, account)}${query}`)
          .set(user.auth)
          .expect(200)
      ).body as Page;

    it('shows the brand every record, newest first, page by page, with the chain fields', async () => {
      const first = await list(brandOwner, brand.id, '?limit=4');
      expect(first.items.map((i) => i.seq)).toEqual([6, 5, 4, 3]);
      const second = await list(brandOwner, brand.id, `?limit=4&cursor=${first.nextCursor}`);
      expect(second.items.map((i) => i.seq)).toEqual([2, 1]);
      expect(second.nextCursor).toBeNull();

      const updated = first.items.find((i) => i.seq === seqs.updated)!;
      expect(updated).toEqual({
        id: expect.any(String),
        accountId: account,
        seq: 5,
        action: 'account.updated',
        brandOrgId: brand.id,
        actorUserId: brandOwner.id,
        apiKeyId: null,
        actorOrgId: brand.id,
        agencyOrgId: null,
        ip: '203.0.113.7',
        requestId: expect.any(String),
        occurredAt: minute(5).toISOString(),
        occurredAtMicros: `${minute(5).getTime()}000`,
        details: { displayName: { from: '旧名', to: '新名' }, count: 3, flag: true, none: null },
        prevHash: first.items.find((i) => i.seq === 4)!.hash,
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect(second.items[1]).toMatchObject({ seq: 1, prevHash: '0'.repeat(64) });
      expect(first.items[0]).toMatchObject({ action: 'authorization.expired', actorUserId: null, ip: null });
    });

    it('shows an agency only the records that concern it', async () => {
      const page = await list(agencyAnalyst, agency.id);
      expect(page.items.map((i) => i.seq)).toEqual([
        seqs.expired,
        seqs.published,
        seqs.accepted,
        seqs.offered,
      ]);
      expect(page.items.every((i) => i.agencyOrgId === agency.id)).toBe(true);
    });

    it('filters by action, actor and time, combined with AND', async () => {
      const byAction = await list(brandOwner, brand.id, '?action=account.updated');
      expect(byAction.items.map((i) => i.seq)).toEqual([seqs.updated]);
      const byActor = await list(brandOwner, brand.id, `?actorUserId=${agencyAnalyst.id}`);
      expect(byActor.items.map((i) => i.seq)).toEqual([seqs.published, seqs.accepted]);
      const window = `from=${minute(2).toISOString()}&to=${minute(4).toISOString()}`;
      const between = await list(brandOwner, brand.id, `?${window}`);
      expect(between.items.map((i) => i.seq)).toEqual([seqs.published, seqs.accepted, seqs.offered]);
      const agencyWindow = await list(agencyAnalyst, agency.id, `?${window}&actorUserId=${brandOwner.id}`);
      expect(agencyWindow.items.map((i) => i.seq)).toEqual([seqs.offered]);
    });

    it('refuses callers without the permission (403) and hides the account from everyone else (404)', async () => {
      const denied = await t.http().get(base(brand.id, account)).set(brandViewer.auth).expect(403);
      expect(denied.headers['content-type']).toMatch(PROBLEM);
      expect(denied.body).toMatchObject({ code: 'permission_denied' });

      // Another tenant, through its own organization and through the brand's.
      const foreign = await t.http().get(base(otherBrand.id, account)).set(stranger.auth).expect(404);
      expect(foreign.body).toMatchObject({ code: 'not_found' });
      await t.http().get(base(brand.id, account)).set(stranger.auth).expect(404);
      // An agency the brand never authorized, for every endpoint.
      for (const path of ['', '/export', '/verify']) {
        const res = await t
          .http()
          .get(`${base(unauthorizedAgency.id, account)}${path}`)
          .set(outsiderAnalyst.auth);
        expect({ path, status: res.status, code: res.body.code }).toEqual({
          path,
          status: 404,
          code: 'not_found',
        });
      }
      // An authorized agency's member whose scope covers no assignment of the account: as if absent.
      const unassigned = await t.http().get(base(agency.id, account)).set(agencySelfReader.auth).expect(404);
      expect(unassigned.body).toMatchObject({ code: 'not_found' });
      // No such account.
      await t.http().get(base(brand.id, randomUUID())).set(brandOwner.auth).expect(404);
      await t.http().get(base(brand.id, account)).expect(401);
    });

    it('refuses bad input with 400 problem+json naming the field', async () => {
      const cases: [string, string][] = [
        ['?action=account.deleted_everything', 'action'],
        ['?actorUserId=nope', 'actorUserId'],
        ['?from=yesterday', 'from'],
        [`?from=${minute(5).toISOString()}&to=${minute(1).toISOString()}`, 'to'],
        ['?limit=0', 'limit'],
        ['?limit=101', 'limit'],
        ['?cursor=bm90LWEtY3Vyc29y', 'cursor'],
        ['?unknown=1', 'unknown'],
        ['/export?limit=5', 'limit'],
        ['/export?action=nope', 'action'],
      ];
      for (const [query, field] of cases) {
        const res = await t
          .http()
          .get(`${base(brand.id, account)}${query}`)
          .set(brandOwner.auth);
        expect({ query, status: res.status }).toEqual({ query, status: 400 });
        expect(res.headers['content-type']).toMatch(PROBLEM);
        expect(res.body.code).toBe('validation_failed');
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      for (const path of ['', '/export', '/verify']) {
        const res = await t
          .http()
          .get(`${base(brand.id, 'not-a-uuid')}${path}`)
          .set(brandOwner.auth)
          .expect(400);
        expect(res.body.errors).toEqual([{ field: 'accountId', message: 'must be a UUID' }]);
      }
    });

    describe('CSV export', () => {
      it('streams a CSV from which an auditor recomputes the whole chain independently', async () => {
        const res = await t
          .http()
          .get(`${base(brand.id, account)}/export`)
          .set(brandOwner.auth)
          .expect(200);
        expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
        expect(res.headers['content-disposition']).toMatch(
          new RegExp(`^attachment; filename="usage-records-${account}-\\d{8}T\\d{6}Z\\.csv"$`),
        );
        const rows = auditCsv(res.text);
        expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
        let prev = '0'.repeat(64);
        for (const row of rows) {
          expect({ seq: row.seq, prevHash: row.prevHash, hash: row.recomputed }).toEqual({
            seq: row.seq,
            prevHash: prev,
            hash: row.hash,
          });
          prev = row.hash;
        }
        // The tricky cells came through: a request id defused as a formula, text with quotes and breaks.
        const published = rows.find((r) => r.seq === seqs.published)!;
        expect(published.cells.request_id).toBe('-starts-with-a-dash');
        expect(JSON.parse(published.cells.details!)).toEqual({
          note: 'line one\nline "two", three',
          title: '=HYPERLINK("http://evil.example")',
        });
        expect(rows.find((r) => r.seq === seqs.expired)!.cells).toMatchObject({
          actor_user_id: null,
          ip: null,
        });
        expect(published.cells.occurred_at).toBe(minute(4).toISOString().replace('Z', '000Z'));
        // The head the auditor arrives at is the one verify reports.
        expect((await verify(account)).headHash).toBe(prev);
      });

      it("gives an agency its own records, each one's hash still checkable", async () => {
        const res = await t
          .http()
          .get(`${base(agency.id, account)}/export?action=content.published`)
          .set(agencyAnalyst.auth)
          .expect(200);
        const rows = auditCsv(res.text);
        expect(rows.map((r) => r.seq)).toEqual([seqs.published]);
        expect(rows[0].recomputed).toBe(rows[0].hash);
      });

      it('exports long chains in batches, in chain order, without gaps', async () => {
        const accountId = await insertAccount(t, brand);
        await t.db.transaction(async (manager) => {
          for (let i = 0; i < 1203; i += 1) {
            await t.get(UsageRecordsService).append(manager, {
              accountId,
              brandOrgId: brand.id,
              action: 'analytics.read',
              actor: actorOf(brandOwner, brand),
              actorOrgId: brand.id,
              agencyOrgId: null,
              details: { report: `r${i}` },
            });
          }
        });
        const res = await t
          .http()
          .get(`${base(brand.id, accountId)}/export`)
          .set(brandOwner.auth)
          .expect(200);
        const rows = auditCsv(res.text);
        expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 1203 }, (_, i) => i + 1));
        expect(
          rows.every(
            (r, i) => r.recomputed === r.hash && r.prevHash === (rows[i - 1]?.hash ?? '0'.repeat(64)),
          ),
        ).toBe(true);
        expect(await verify(accountId)).toMatchObject({
          status: 'ok',
          count: 1203,
          headHash: rows[1202].hash,
        });
      });
    });
  });

  describe('verifyUsageRecords', () => {
    it('answers ok with the count and head hash, the same for the brand and the agency', async () => {
      const { accountId } = await freshChain(3);
      await insertAuthorization(t, brand, agency, [accountId], LONG_VALIDITY);
      await insertAssignment(t, agency, accountId);
      const [{ hash }] = await t.db.query(
        `SELECT hash FROM account_usage_records WHERE account_id = $1 ORDER BY seq DESC LIMIT 1`,
        [accountId],
      );
      const forBrand = await verify(accountId);
      expect(forBrand).toEqual({
        status: 'ok',
        count: 3,
        headHash: hash,
        checkpoint: null,
        firstBadRecord: null,
        detail: expect.stringContaining('3 records verify'),
        chainFormat: 'daiyun-usage-v1',
        verifiedAt: expect.any(String),
      });
      const forAgency = await verify(accountId, agencyAnalyst, agency.id);
      expect({ ...forAgency, verifiedAt: null }).toEqual({ ...forBrand, verifiedAt: null });
    });

    it('answers ok for an empty chain', async () => {
      const accountId = await insertAccount(t, brand);
      expect(await verify(accountId)).toMatchObject({ status: 'ok', count: 0, headHash: '0'.repeat(64) });
    });

    it('verifies the same chain under different session time zones', async () => {
      const url = (t.db.options as { url?: string }).url!;
      const options = buildDataSourceOptions({ url, poolSize: 2 });
      // The application's own connection settings, but a session time zone eight hours from UTC.
      const shanghai = await new DataSource({
        ...options,
        entities: [],
        migrations: [],
        extra: { ...(options.extra as object), options: '-c TimeZone=Asia/Shanghai' },
      } as DataSourceOptions).initialize();
      try {
        const [{ TimeZone: appZone }] = await t.db.query('SHOW TIME ZONE');
        const [{ TimeZone: otherZone }] = await shanghai.query('SHOW TIME ZONE');
        expect([appZone, otherZone]).toEqual(['UTC', 'Asia/Shanghai']);

        // Records written from both sessions, interleaved, at times with non-zero milliseconds.
        const accountId = await insertAccount(t, brand);
        t.clock.set(new Date('2026-03-31T23:59:59.987Z'));
        for (let i = 0; i < 6; i += 1) {
          t.clock.advance(1_234);
          await append(
            {
              accountId,
              action: 'account.updated',
              actor: actorOf(brandOwner, brand),
              actorOrgId: brand.id,
              agencyOrgId: null,
              details: { session: i % 2 ? 'UTC' : 'Asia/Shanghai' },
            },
            i % 2 ? t.db : shanghai,
          );
        }
        // The sessions really do disagree on how a time reads as text...
        const sql = `SELECT occurred_at::text AS text FROM account_usage_records WHERE account_id = $1 AND seq = 1`;
        const [{ text: utcText }] = await t.db.query(sql, [accountId]);
        const [{ text: shanghaiText }] = await shanghai.query(sql, [accountId]);
        expect(utcText).toBe('2026-04-01 00:00:01.221+00');
        expect(shanghaiText).toBe('2026-04-01 08:00:01.221+08');

        // ...and yet the chain verifies in both, with the same head.
        const overHttp = await verify(accountId);
        expect(overHttp).toMatchObject({ status: 'ok', count: 6 });
        const inShanghai = await shanghai.transaction('REPEATABLE READ', (manager) =>
          t.get(UsageChainVerifier).verifyChain(manager, accountId),
        );
        expect(inShanghai).toMatchObject({ status: 'ok', count: 6, headHash: overHttp.headHash });
        const list = await t.http().get(base(brand.id, accountId)).set(brandOwner.auth).expect(200);
        expect(list.body.items.at(-1).occurredAt).toBe('2026-04-01T00:00:01.221Z');
      } finally {
        await shanghai.destroy();
      }
    });

    it('names the altered record when a row is changed behind the triggers', async () => {
      const { accountId, ids } = await freshChain(8);
      await tamper(
        `UPDATE account_usage_records SET details = '{"step": 500}' WHERE account_id = $1 AND seq = 5`,
        [accountId],
      );
      expect(await verify(accountId)).toMatchObject({
        status: 'broken',
        count: 4,
        firstBadRecord: { id: ids[4], seq: 5, reason: 'hash_mismatch' },
        detail: expect.stringContaining('seq 5'),
      });

      // An attacker who also recomputes the altered row's hash (the algorithm is public) only moves the
      // break to the next record, which still points at the original.
      const [row] = await t.db.query(
        `SELECT ${RECORD_SELECT_SQL} FROM account_usage_records r WHERE r.account_id = $1 AND r.seq = 5`,
        [accountId],
      );
      await tamper(`UPDATE account_usage_records SET hash = $2 WHERE account_id = $1 AND seq = 5`, [
        accountId,
        chainHash(row.prev_hash, chainedFieldsOf(row)),
      ]);
      expect(await verify(accountId)).toMatchObject({
        status: 'broken',
        count: 5,
        firstBadRecord: { id: ids[5], seq: 6, reason: 'prev_hash_mismatch' },
      });

      // A record removed from the middle shows as a gap.
      const other = await freshChain(5);
      await tamper(`DELETE FROM account_usage_records WHERE account_id = $1 AND seq = 3`, [other.accountId]);
      expect(await verify(other.accountId)).toMatchObject({
        status: 'broken',
        count: 2,
        firstBadRecord: { id: other.ids[3], seq: 4, reason: 'sequence_gap' },
      });
    });

    it('reports a truncated chain once its newest records are deleted after a checkpoint', async () => {
      t.clock.set(new Date('2026-05-01T00:00:00.000Z'));
      const { accountId } = await freshChain(25);
      const checkpoints = async () =>
        (
          await t.db.query(
            `SELECT seq::int AS seq FROM account_usage_checkpoints WHERE account_id = $1 ORDER BY seq`,
            [accountId],
          )
        ).map((c: { seq: number }) => c.seq);
      // Every EVERY_RECORDS records, within the appending transaction.
      expect(await checkpoints()).toEqual([10, 20]);
      // The timed pass leaves the chain alone until its last checkpoint is INTERVAL_SECONDS old...
      await t.get(UsageCheckpoints).runCheckpointPass();
      expect(await checkpoints()).toEqual([10, 20]);
      // ...then signs its head.
      t.clock.advance(INTERVAL_SECONDS * 1000);
      expect(await t.get(UsageCheckpoints).runCheckpointPass()).toBeGreaterThanOrEqual(1);
      expect(await checkpoints()).toEqual([10, 20, 25]);
      await t.get(UsageCheckpoints).runCheckpointPass();
      expect(await checkpoints()).toEqual([10, 20, 25]);

      const before = await verify(accountId);
      expect(before).toMatchObject({
        status: 'ok',
        count: 25,
        checkpoint: { seq: 25, headHash: before.headHash, keyId: 'dev1', valid: true },
      });

      // Delete the newest three records and put the head back, as someone covering their tracks would.
      const [kept] = await t.db.query(
        `SELECT hash FROM account_usage_records WHERE account_id = $1 AND seq = 22`,
        [accountId],
      );
      await tamper(`DELETE FROM account_usage_records WHERE account_id = $1 AND seq > 22`, [accountId]);
      await tamper(`UPDATE account_usage_heads SET seq = 22, head_hash = $2 WHERE account_id = $1`, [
        accountId,
        kept.hash,
      ]);
      const after = await verify(accountId);
      expect(after).toMatchObject({
        status: 'truncated',
        count: 22,
        headHash: kept.hash,
        checkpoint: { seq: 25, valid: true },
        firstBadRecord: null,
        detail: expect.stringContaining('newest records were removed'),
      });
    });

    it('reports a missing tail that no checkpoint covers yet, from the chain head', async () => {
      const { accountId } = await freshChain(4);
      await tamper(`DELETE FROM account_usage_records WHERE account_id = $1 AND seq = 4`, [accountId]);
      expect(await verify(accountId)).toMatchObject({ status: 'truncated', count: 3, checkpoint: null });
      // The timed pass refuses to sign a head the records no longer reach.
      t.clock.advance(INTERVAL_SECONDS * 1000);
      await t.get(UsageCheckpoints).runCheckpointPass();
      const signed = await t.db.query(`SELECT 1 FROM account_usage_checkpoints WHERE account_id = $1`, [
        accountId,
      ]);
      expect(signed).toHaveLength(0);
    });

    it('refuses a checkpoint whose signature does not verify', async () => {
      const { accountId } = await freshChain(3);
      const [{ hash }] = await t.db.query(
        `SELECT hash FROM account_usage_records WHERE account_id = $1 AND seq = 3`,
        [accountId],
      );
      // INSERT is allowed: it is signing that an attacker cannot do.
      await t.db.query(
        `INSERT INTO account_usage_checkpoints (account_id, seq, head_hash, signed_at, key_id, signature)
         VALUES ($1, 3, $2, now(), 'dev1', $3)`,
        [accountId, hash, 'f'.repeat(64)],
      );
      expect(await verify(accountId)).toMatchObject({
        status: 'broken',
        checkpoint: { seq: 3, valid: false },
        firstBadRecord: null,
      });
    });
  });

  describe('through the generated client', () => {
    it('lists, verifies and exports a chain, all three agreeing on its records and head', async () => {
      const { accountId, ids } = await freshChain(3);
      const path = { orgId: brand.id, accountId };
      const client = apiClient(t, { accessToken: brandOwner.token });

      const page = expectData(
        await client.GET('/api/v1/orgs/{orgId}/social-accounts/{accountId}/usage-records', {
          params: { path, query: { action: 'account.updated', actorUserId: brandOwner.id, limit: 2 } },
        }),
        200,
      );
      expect(page.items.map((i) => i.id)).toEqual([ids[2], ids[1]]);
      expect(page.items[0]).toMatchObject({ seq: 3, accountId, brandOrgId: brand.id, details: { step: 3 } });
      expect(page.nextCursor).toEqual(expect.any(String));

      const verified = expectData(
        await client.GET('/api/v1/orgs/{orgId}/social-accounts/{accountId}/usage-records/verify', {
          params: { path },
        }),
        200,
      );
      expect(verified).toMatchObject({
        status: 'ok',
        count: 3,
        headHash: page.items[0].hash,
        firstBadRecord: null,
      });

      const exported = await client.GET(
        '/api/v1/orgs/{orgId}/social-accounts/{accountId}/usage-records/export',
        {
          params: { path },
          // The bytes as a file: Response.text() would strip the byte order mark spreadsheets need.
          parseAs: 'arrayBuffer',
        },
      );
      expect(exported.response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      const rows = auditCsv(new TextDecoder('utf-8', { ignoreBOM: true }).decode(expectData(exported, 200)));
      expect(rows.map((r) => r.id)).toEqual(ids);
      expect(rows.every((r) => r.recomputed === r.hash)).toBe(true);
      expect(rows[2].hash).toBe(verified.headHash);
      const [{ hash }] = await t.db.query(`SELECT hash FROM account_usage_records WHERE id = $1`, [ids[2]]);
      expect(hash).toBe(verified.headHash);
    });
  });

  describe('appending', () => {
    it('keeps one unbroken chain under 50 concurrent appends to one account', async () => {
      const accountId = await insertAccount(t, brand);
      // The first appends also race to create the chain head.
      const appended = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          append({
            accountId,
            action: 'ads.action',
            actor: actorOf(agencyAnalyst, agency),
            actorOrgId: agency.id,
            agencyOrgId: agency.id,
            details: { n: i },
          }),
        ),
      );
      expect(appended.map((a) => a.seq).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
      const rows: { seq: number; prev_hash: string; hash: string }[] = await t.db.query(
        `SELECT seq::int AS seq, prev_hash, hash FROM account_usage_records WHERE account_id = $1 ORDER BY seq`,
        [accountId],
      );
      expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      rows.forEach((row, i) => expect(row.prev_hash).toBe(rows[i - 1]?.hash ?? '0'.repeat(64)));
      expect(await verify(accountId)).toMatchObject({ status: 'ok', count: 50, headHash: rows[49].hash });
      const checkpoints = await t.db.query(
        `SELECT seq::int AS seq FROM account_usage_checkpoints WHERE account_id = $1 ORDER BY seq`,
        [accountId],
      );
      expect(checkpoints.map((c: { seq: number }) => c.seq)).toEqual([10, 20, 30, 40, 50]);
    });

    it('rolls the record back with the transaction it was part of', async () => {
      const accountId = await insertAccount(t, brand);
      await expect(
        t.db.transaction(async (manager) => {
          await t.get(UsageRecordsService).append(manager, {
            accountId,
            brandOrgId: brand.id,
            action: 'credential.revealed',
            actor: actorOf(brandOwner, brand),
            actorOrgId: brand.id,
            agencyOrgId: null,
          });
          throw new Error('the action failed');
        }),
      ).rejects.toThrow('the action failed');
      expect(await verify(accountId)).toMatchObject({ status: 'ok', count: 0 });
    });

    it('refuses to append outside a transaction', async () => {
      await expect(
        t.get(UsageRecordsService).append(t.db.manager, {
          accountId: account,
          brandOrgId: brand.id,
          action: 'analytics.read',
          actor: null,
          actorOrgId: null,
          agencyOrgId: null,
        }),
      ).rejects.toThrow(/inside a transaction/);
    });
  });

  describe('append-only storage', () => {
    it('rejects UPDATE, DELETE and TRUNCATE of records and checkpoints from an ordinary session', async () => {
      await freshChain(EVERY_RECORDS);
      for (const table of ['account_usage_records', 'account_usage_checkpoints']) {
        const [{ count }] = await t.db.query(`SELECT count(*)::int AS count FROM ${table}`);
        expect(count).toBeGreaterThan(0);
        await expect(t.db.query(`UPDATE ${table} SET seq = seq`)).rejects.toThrow(/append-only/);
        await expect(t.db.query(`DELETE FROM ${table}`)).rejects.toThrow(/append-only/);
        await expect(t.db.query(`DELETE FROM ${table} WHERE false`)).rejects.toThrow(/append-only/);
        await expect(t.db.query(`TRUNCATE ${table}`)).rejects.toThrow(/append-only/);
        const [{ count: after }] = await t.db.query(`SELECT count(*)::int AS count FROM ${table}`);
        expect(after).toBe(count);
      }
    });

    it('takes UPDATE, DELETE and TRUNCATE away from DATABASE_APP_ROLE', async () => {
      const role = `daiyun_app_${randomBytes(4).toString('hex')}`;
      await t.db.query(`CREATE ROLE ${role} NOLOGIN`);
      try {
        // As broad default privileges would have it.
        await t.db.query(
          `GRANT ALL ON account_usage_records, account_usage_checkpoints, operation_logs TO ${role}`,
        );
        await restrictAppRole(t.db, role);
        const privileges = await t.db.query(
          `SELECT t AS table, p AS privilege, has_table_privilege($1, t, p) AS granted
             FROM unnest(ARRAY['account_usage_records', 'account_usage_checkpoints', 'operation_logs']) t,
                  unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p`,
          [role],
        );
        for (const p of privileges) {
          expect(p).toEqual({ ...p, granted: ['SELECT', 'INSERT'].includes(p.privilege) });
        }
        // As that role, the statement is refused by privileges before any trigger runs.
        await expect(
          t.db.transaction(async (manager) => {
            await manager.query(`SET LOCAL ROLE ${role}`);
            await manager.query(`SELECT count(*) FROM account_usage_records`);
            await manager.query(`UPDATE account_usage_records SET seq = seq WHERE false`);
          }),
        ).rejects.toThrow(/permission denied/);

        await expect(restrictAppRole(t.db, 'postgres')).rejects.toThrow(/must be a plain login role/);
        await expect(restrictAppRole(t.db, `${role}_missing`)).rejects.toThrow(/does not exist/);
      } finally {
        await t.db.query(`DROP OWNED BY ${role}`);
        await t.db.query(`DROP ROLE ${role}`);
      }
    });
  });
});
