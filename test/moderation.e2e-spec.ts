import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { configureApp, createFastifyAdapter } from '../src/app.factory';
import { AppModule } from '../src/app.module';
import { luhnValid } from '../src/modules/moderation/engine';
import { validateEnvironment } from '../src/platform/config/config.schema';
import { apiClient, expectData } from './support/api-client';
import { makeUser, TestUser } from './support/factories';
import { FixtureOrg, insertMember, insertOrg, insertUnit, PLATFORM_ORG } from './support/org-fixtures';
import { createTestApp, TestApp } from './support/test-app';

/** How often an app re-reads lexicon versions in this file: short, so cross-replica tests stay quick. */
const CHECK_INTERVAL_MS = 400;

interface Finding {
  term: string;
  category: string;
  severity: string;
  action: string;
  start: number;
  end: number;
  matchedText: string;
  hint?: string;
  source: 'lexicon' | 'pattern';
  via: string[];
  lexicon?: 'platform' | 'organization';
}

interface CheckResult {
  verdict: string;
  findings: Finding[];
  lexiconVersion: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A Luhn-valid 19-digit UnionPay-like card number, and the same with a wrong check digit. */
function cardNumbers(): { valid: string; invalid: string } {
  const base = '622202123456789012';
  const digit = [...'0123456789'].find((d) => luhnValid(base + d)) as string;
  return { valid: base + digit, invalid: base + ((Number(digit) + 1) % 10) };
}

/**
 * Sensitive-word moderation end to end: the live check with the seeded platform lexicon and every
 * evasion the normalizer folds, personal-data detectors, organization lexicons and policies, the CRUD
 * and import endpoints with their permissions, and how fast a change reaches a check (on this replica
 * at once, on another within MODERATION_VERSION_CHECK_MS).
 */
describe('moderation', () => {
  let t: TestApp;
  let brand: FixtureOrg;
  let other: FixtureOrg;
  let brandOwner: TestUser;
  let brandOperator: TestUser;
  let teamManager: TestUser;
  let otherOwner: TestUser;
  let outsider: TestUser;
  let platformStaff: TestUser;

  const api = (path: string) => `/api/v1${path}`;
  const problem = (res: { headers: Record<string, string>; body: { code: string } }, code: string) => {
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe(code);
  };
  const orgWords = (org: FixtureOrg = brand) => api(`/orgs/${org.id}/sensitive-words`);

  /** Checks `text` and asserts every finding's offsets slice the original text to its matchedText. */
  async function check(text: string, options: { orgId?: string; as?: TestUser } = {}): Promise<CheckResult> {
    const res = await t
      .http()
      .post(api('/moderation/check'))
      .set((options.as ?? brandOwner).auth)
      .send({ text, ...(options.orgId ? { orgId: options.orgId } : {}) })
      .expect(200);
    const body = res.body as CheckResult;
    for (const finding of body.findings)
      expect(text.slice(finding.start, finding.end)).toBe(finding.matchedText);
    return body;
  }
  const findingsOf = (result: CheckResult, term: string) => result.findings.filter((f) => f.term === term);

  const addOrgWord = (body: Record<string, unknown>, as: TestUser = brandOwner, org: FixtureOrg = brand) =>
    t.http().post(orgWords(org)).set(as.auth).send(body);

  beforeAll(async () => {
    t = await createTestApp({ env: { MODERATION_VERSION_CHECK_MS: String(CHECK_INTERVAL_MS) } });
    brand = await insertOrg(t, { kind: 'brand', name: 'Brand Co' });
    other = await insertOrg(t, { kind: 'agency', name: 'Other Agency' });
    const team = await insertUnit(t, brand, brand.rootUnitId, 'Team');
    [brandOwner, brandOperator, teamManager, otherOwner, outsider, platformStaff] = await Promise.all(
      Array.from({ length: 6 }, () => makeUser(t)),
    );
    await insertMember(t, brand, brandOwner.id, { grants: [{ role: 'owner' }] });
    await insertMember(t, brand, brandOperator.id, { grants: [{ role: 'operator' }] });
    // Holds sensitive-words:manage, but only over one team: not enough for an organization-wide lexicon.
    await insertMember(t, brand, teamManager.id, {
      unitId: team,
      grants: [
        { permission: 'sensitive-words:manage', unitId: team, scope: 'subtree' },
        { permission: 'sensitive-words:read', unitId: team, scope: 'subtree' },
      ],
    });
    await insertMember(t, other, otherOwner.id, { grants: [{ role: 'owner' }] });
    await insertMember(t, PLATFORM_ORG, platformStaff.id, { grants: [{ role: 'admin' }] });
  });
  afterAll(() => t.close());

  describe('live check with the seeded platform lexicon', () => {
    it('seeds the platform lexicon at boot', async () => {
      const [{ n }] = await t.db.query(
        `SELECT count(*)::int AS n FROM sensitive_words WHERE org_id IS NULL AND term IN ('最佳', '赌博', '加微信')`,
      );
      expect(n).toBe(3);
    });

    it('finds nothing in harmless text', async () => {
      const result = await check('今天天气不错，我们去公园散步。');
      expect(result).toMatchObject({ verdict: 'pass', findings: [] });
      expect(result.lexiconVersion).toMatch(/^platform:\d+,org:0,absolute:review$/);
    });

    it('reports term, category, severity, action, offsets and hint', async () => {
      const text = '来玩网上赌博吧';
      const result = await check(text);
      expect(result.verdict).toBe('block');
      const [finding] = findingsOf(result, '赌博');
      expect(finding).toMatchObject({
        category: 'gambling',
        severity: 'high',
        action: 'block',
        start: 4,
        end: 6,
        matchedText: '赌博',
        source: 'lexicon',
        lexicon: 'platform',
      });
      expect(finding.hint).toEqual(expect.any(String));
    });

    it('folds case', async () => {
      const result = await check('what the FuCk');
      expect(findingsOf(result, 'fuck')).toMatchObject([{ matchedText: 'FuCk', start: 9, end: 13 }]);
    });

    it('folds full-width forms', async () => {
      const result = await check('本店ＮＯ．１！');
      expect(findingsOf(result, 'NO.1')).toMatchObject([{ matchedText: 'ＮＯ．１', start: 2, end: 6 }]);
    });

    it('folds traditional characters to simplified', async () => {
      const result = await check('我們是國家級品牌');
      expect(findingsOf(result, '国家级')).toMatchObject([{ matchedText: '國家級', start: 3, end: 6 }]);
    });

    it('skips symbols and spaces inserted between the characters', async () => {
      const result = await check('一起 赌*博 吧');
      expect(findingsOf(result, '赌博')).toMatchObject([{ matchedText: '赌*博', start: 3, end: 6 }]);
      const spaced = await check('国 家 级');
      expect(findingsOf(spaced, '国家级')).toMatchObject([{ matchedText: '国 家 级' }]);
    });

    it('skips emoji inserted between the characters, with UTF-16 offsets', async () => {
      const text = '😀赌😀博';
      const result = await check(text);
      expect(findingsOf(result, '赌博')).toMatchObject([{ matchedText: '赌😀博', start: 2, end: 6 }]);
    });

    it('skips zero-width and other invisible characters', async () => {
      const result = await check('来赌\u200b博\ufeff吧');
      expect(findingsOf(result, '赌博')).toMatchObject([{ matchedText: '赌\u200b博', start: 1, end: 4 }]);
    });

    it('collapses repeated characters', async () => {
      const result = await check('赌赌赌博博');
      expect(findingsOf(result, '赌博')).toMatchObject([{ matchedText: '赌赌赌博博', start: 0, end: 5 }]);
    });

    it('reviews Advertising Law absolute terms with the exception hint, rather than blocking them', async () => {
      const result = await check('本店最佳');
      expect(result.verdict).toBe('review');
      const [finding] = findingsOf(result, '最佳');
      expect(finding).toMatchObject({ category: 'advertising.absolute_term', action: 'review' });
      expect(finding.hint).toContain('最佳赏味期');
    });

    it('lets an allow phrase through: 最佳赏味期 is a best-before time', async () => {
      expect(await check('本品最佳赏味期为3天')).toMatchObject({ verdict: 'pass', findings: [] });
    });

    it('refuses bad input: too long, missing text, unknown field, malformed orgId', async () => {
      const tooLong = await t
        .http()
        .post(api('/moderation/check'))
        .set(brandOwner.auth)
        .send({ text: 'a'.repeat(100_001) })
        .expect(400);
      problem(tooLong, 'validation_failed');
      for (const body of [{}, { text: 'x', extra: 1 }, { text: 'x', orgId: 'nope' }, { text: 42 }]) {
        problem(
          await t.http().post(api('/moderation/check')).set(brandOwner.auth).send(body).expect(400),
          'validation_failed',
        );
      }
      await t.http().post(api('/moderation/check')).send({ text: 'x' }).expect(401);
    });
  });

  describe('second-round folds (issue 12)', () => {
    /** The finding of `term` on the first occurrence of `span`, with offsets computed from the text. */
    const expectFinding = (result: CheckResult, text: string, span: string, term: string, via: string[]) => {
      const start = text.indexOf(span);
      expect(result.findings).toContainEqual(
        expect.objectContaining({ term, start, end: start + span.length, matchedText: span, via }),
      );
    };

    it('reports a term inside a longer finding once, by the longer term: 全网第1 is not also 第一', async () => {
      const text = '全网第1的好物，品质第一';
      const result = await check(text);
      const second = text.lastIndexOf('第一');
      expect(result.findings.map((f) => [f.term, f.start, f.end])).toEqual([
        ['全网第一', 0, 4],
        ['第一', second, second + 2],
      ]);
    });

    it('reads a mobile number in mathematical digits, offsets into the text as written', async () => {
      const number = '𝟏𝟑𝟖𝟎𝟎𝟏𝟑𝟖𝟎𝟎𝟎';
      const text = `电话${number}`;
      const result = await check(text);
      expect(result.findings).toEqual([
        expect.objectContaining({
          term: 'mobile_phone',
          start: 2,
          end: 2 + number.length,
          matchedText: number,
          via: ['digit_style'],
        }),
      ]);
    });

    it('reads digit styles and Chinese numerals: 全网第1, 销量第１, 全网第①, 全网第壹', async () => {
      for (const [text, span, term] of [
        ['全网第1的好物', '全网第1', '全网第一'],
        ['销量第１的好物', '销量第１', '销量第一'],
        ['全网第①的好物', '全网第①', '全网第一'],
        ['全网第壹的好物', '全网第壹', '全网第一'],
      ]) {
        expectFinding(await check(text), text, span, term, ['digit_style']);
      }
    });

    it('reads Latin look-alikes: NО.1 with a Cyrillic О', async () => {
      const text = '本店 NО.1 品牌';
      expectFinding(await check(text), text, 'NО.1', 'NO.1', ['confusable']);
    });

    it('reads pinyin and homophones, for review only', async () => {
      for (const [text, span, term, via] of [
        ['这是zuijia的选择', 'zuijia', '最佳', ['pinyin']],
        ['这是zui jia的选择', 'zui jia', '最佳', ['separator', 'pinyin']],
        ['这是醉佳的选择', '醉佳', '最佳', ['homophone']],
        ['有需要的加weixin', '加weixin', '加微信', ['pinyin']],
      ] as const) {
        const result = await check(text);
        expectFinding(result, text, span, term, [...via]);
        expect(result.verdict).toBe('review');
      }
    });

    it('sends a mobile number written in Chinese numerals to the detector', async () => {
      const text = '电话一三八零零一三八零零零';
      expectFinding(await check(text), text, '一三八零零一三八零零零', 'mobile_phone', ['digit_style']);
    });

    it('lets the common innocent phrases through', async () => {
      const result = await check('第一次来，第一天到，统一流程，最佳赏味期三天，菠菜炒鸡蛋，肚子疼');
      expect(result).toMatchObject({ verdict: 'pass', findings: [] });
    });

    it('stores a term-level pinyin flag and uses it for the organization', async () => {
      const created = await addOrgWord({
        term: '秘制配方',
        category: 'brand.secret',
        severity: 'low',
        action: 'flag',
        pinyin: true,
      }).expect(201);
      expect(created.body).toMatchObject({ pinyin: true, pinyinEffective: true, pinyinAction: null });
      const text = '我们的mizhi peifang';
      const result = await check(text, { orgId: brand.id });
      expectFinding(result, text, 'mizhi peifang', '秘制配方', ['separator', 'pinyin']);
      expect(findingsOf(result, '秘制配方')[0].action).toBe('flag');
      await t.http().delete(`${orgWords()}/${created.body.id}`).set(brandOwner.auth).expect(204);
    });
  });

  describe('personal data and contact diversion', () => {
    it('finds an ID number with a valid check digit, not one with a wrong digit', async () => {
      const valid = await check('身份证号11010519491231002X请核对');
      expect(valid.findings).toMatchObject([
        {
          term: 'id_number',
          category: 'privacy.id_number',
          action: 'block',
          source: 'pattern',
          matchedText: '11010519491231002X',
        },
      ]);
      expect((await check('身份证号110105194912310021请核对')).findings).toEqual([]);
    });

    it('finds a mainland mobile number', async () => {
      const result = await check('电话 138 0013 8000 咨询');
      expect(result.findings).toMatchObject([
        { term: 'mobile_phone', category: 'privacy.phone', matchedText: '138 0013 8000' },
      ]);
    });

    it('finds a bank card number only with a valid Luhn check', async () => {
      const { valid, invalid } = cardNumbers();
      expect((await check(`卡号${valid}`)).findings).toMatchObject([
        { term: 'bank_card', category: 'privacy.bank_card', action: 'block', matchedText: valid },
      ]);
      expect((await check(`卡号${invalid}`)).findings.filter((f) => f.term === 'bank_card')).toEqual([]);
    });

    it('finds an e-mail address', async () => {
      const result = await check('联络 abc.def@example.com 谢谢');
      expect(result.findings).toMatchObject([
        { term: 'email', category: 'privacy.email', matchedText: 'abc.def@example.com' },
      ]);
    });

    it('finds a WeChat diversion', async () => {
      const result = await check('加我微信: abc_12345');
      expect(result.verdict).toBe('review');
      expect(result.findings.map((f) => f.category)).toContain('contact_diversion');
      expect(result.findings.some((f) => f.matchedText.includes('abc_12345'))).toBe(true);
    });
  });

  describe("an organization's lexicon and policy", () => {
    let wordId: string;
    let etag: string;

    it('adds a term, and the very next check with the organization sees it', async () => {
      const before = await check('这是我们的内部暗号', { orgId: brand.id });
      expect(before.findings).toEqual([]);
      const res = await addOrgWord({
        term: '内部暗号',
        category: 'brand.confidential',
        severity: 'high',
        action: 'block',
        hint: 'Internal code names stay internal',
      }).expect(201);
      expect(res.body).toMatchObject({
        lexicon: 'organization',
        orgId: brand.id,
        term: '内部暗号',
        allowPhrases: [],
        createdBy: brandOwner.id,
      });
      expect(res.headers.etag).toBe('W/"1"');
      wordId = res.body.id;
      etag = res.headers.etag;

      const after = await check('这是我们的内部 暗号', { orgId: brand.id });
      expect(after.verdict).toBe('block');
      expect(after.findings).toMatchObject([
        {
          term: '内部暗号',
          matchedText: '内部 暗号',
          lexicon: 'organization',
          hint: 'Internal code names stay internal',
        },
      ]);
      expect(after.lexiconVersion).not.toBe(before.lexiconVersion);
      // Other organizations and platform-only checks do not see it.
      expect((await check('内部暗号')).findings).toEqual([]);
      expect((await check('内部暗号', { orgId: other.id, as: otherOwner })).findings).toEqual([]);
    });

    it('checks against an organization only for its members (404 otherwise)', async () => {
      for (const caller of [otherOwner, outsider]) {
        const res = await t
          .http()
          .post(api('/moderation/check'))
          .set(caller.auth)
          .send({ text: '内部暗号', orgId: brand.id })
          .expect(404);
        problem(res, 'not_found');
      }
      await check('内部暗号', { orgId: brand.id, as: brandOperator });
    });

    it("lets a partner's API key check against its own organization only", async () => {
      const created = await t
        .http()
        .post(api(`/orgs/${brand.id}/api-keys`))
        .set(brandOwner.auth)
        .send({
          name: 'Editor plug-in',
          grants: [{ permission: 'sensitive-words:read', unitId: brand.rootUnitId, scope: 'org' }],
        })
        .expect(201);
      const key = { 'X-API-Key': created.body.key as string };
      const own = await t
        .http()
        .post(api('/moderation/check'))
        .set(key)
        .send({ text: '内部暗号', orgId: brand.id })
        .expect(200);
      expect(own.body.findings).toMatchObject([{ term: '内部暗号', lexicon: 'organization' }]);
      await t.http().post(api('/moderation/check')).set(key).send({ text: '赌博' }).expect(200);
      await t
        .http()
        .post(api('/moderation/check'))
        .set(key)
        .send({ text: '内部暗号', orgId: other.id })
        .expect(404);
    });

    it('may tighten a platform term but never weaken one', async () => {
      await addOrgWord({ term: '赌博', category: 'gambling', severity: 'low', action: 'flag' }).expect(201);
      const result = await check('赌博', { orgId: brand.id });
      expect(result.verdict).toBe('block');
      expect(result.findings).toMatchObject([{ term: '赌博', action: 'block', lexicon: 'platform' }]);
      await addOrgWord({
        term: '最好',
        category: 'advertising.absolute_term',
        severity: 'high',
        action: 'block',
      }).expect(201);
      expect((await check('最好的选择', { orgId: brand.id })).findings).toMatchObject([
        { term: '最好', action: 'block', lexicon: 'organization' },
      ]);
    });

    it('lets a policy block absolute terms; the default reviews them', async () => {
      const read = await t
        .http()
        .get(api(`/orgs/${brand.id}/moderation-policy`))
        .set(brandOperator.auth)
        .expect(200);
      expect(read.body).toMatchObject({
        organizationReview: false,
        skipManualReviewForLowRisk: false,
        absoluteTermsAction: 'review',
        customized: false,
        updatedAt: null,
      });
      expect(read.headers.etag).toBe('W/"0"');
      expect((await check('国家级品质', { orgId: brand.id })).verdict).toBe('review');

      const policy = {
        organizationReview: true,
        skipManualReviewForLowRisk: true,
        absoluteTermsAction: 'block',
      };
      await t
        .http()
        .put(api(`/orgs/${brand.id}/moderation-policy`))
        .set(brandOperator.auth)
        .send(policy)
        .expect(403);
      const saved = await t
        .http()
        .put(api(`/orgs/${brand.id}/moderation-policy`))
        .set({ ...brandOwner.auth, 'If-Match': read.headers.etag })
        .send(policy)
        .expect(200);
      expect(saved.body).toMatchObject({ ...policy, customized: true });
      expect(saved.headers.etag).toBe('W/"1"');
      const stale = await t
        .http()
        .put(api(`/orgs/${brand.id}/moderation-policy`))
        .set({ ...brandOwner.auth, 'If-Match': read.headers.etag })
        .send(policy)
        .expect(412);
      problem(stale, 'precondition_failed');

      const strict = await check('国家级品质', { orgId: brand.id });
      expect(strict.verdict).toBe('block');
      expect(findingsOf(strict, '国家级')).toMatchObject([
        { action: 'block', category: 'advertising.absolute_term' },
      ]);
      expect(strict.lexiconVersion).toMatch(/absolute:block$/);
      // Allow phrases still apply, and other organizations keep the default.
      expect((await check('国家级非物质文化遗产', { orgId: brand.id })).verdict).toBe('pass');
      expect((await check('国家级品质', { orgId: other.id, as: otherOwner })).verdict).toBe('review');

      await t
        .http()
        .put(api(`/orgs/${brand.id}/moderation-policy`))
        .set(brandOwner.auth)
        .send({ ...policy, absoluteTermsAction: 'forbid' })
        .expect(400);
      await t
        .http()
        .get(api(`/orgs/${brand.id}/moderation-policy`))
        .set(otherOwner.auth)
        .expect(404);
    });

    it('refuses a spelling variant of a term already there (409)', async () => {
      for (const term of ['内部暗号', '內部 暗號', '＊内部＊暗号！']) {
        const res = await addOrgWord({
          term,
          category: 'brand.confidential',
          severity: 'high',
          action: 'block',
        });
        expect(res.status).toBe(409);
        problem(res, 'duplicate');
        expect(res.body.existingId).toEqual(expect.any(String));
      }
    });

    it('refuses bad input: 400 for shapes, 422 for terms that cannot match', async () => {
      const base = { term: '新词', category: 'custom', severity: 'medium', action: 'review' };
      for (const body of [
        { ...base, severity: 'extreme' },
        { ...base, action: 'delete' },
        { ...base, category: 'Not A Category' },
        { ...base, term: '' },
        { ...base, term: 'x'.repeat(101) },
        { ...base, unknown: true },
        { ...base, allowPhrases: 'not-a-list' },
        { term: '新词' },
      ]) {
        problem(await addOrgWord(body).expect(400), 'validation_failed');
      }
      const symbols = await addOrgWord({ ...base, term: '！！！？？' }).expect(422);
      problem(symbols, 'unprocessable');
      expect(symbols.body.detail).toMatch(/normalizes to nothing/);
      expect(symbols.body.errors).toEqual([
        { field: 'term', message: expect.stringMatching(/no letter or digit/) },
      ]);
      const mismatch = await addOrgWord({ ...base, allowPhrases: ['旧词'] }).expect(422);
      expect(mismatch.body.errors).toEqual([{ field: 'allowPhrases.0', message: expect.any(String) }]);
    });

    it('reads, updates with If-Match, and deletes a word', async () => {
      const got = await t.http().get(`${orgWords()}/${wordId}`).set(brandOperator.auth).expect(200);
      expect(got.headers.etag).toBe(etag);

      const stale = await t
        .http()
        .patch(`${orgWords()}/${wordId}`)
        .set({ ...brandOwner.auth, 'If-Match': 'W/"99"' })
        .send({ action: 'review' })
        .expect(412);
      problem(stale, 'precondition_failed');
      const updated = await t
        .http()
        .patch(`${orgWords()}/${wordId}`)
        .set({ ...brandOwner.auth, 'If-Match': etag })
        .send({ action: 'review', allowPhrases: ['内部暗号已公开'], hint: null })
        .expect(200);
      expect(updated.body).toMatchObject({ action: 'review', allowPhrases: ['内部暗号已公开'], hint: null });
      expect(updated.headers.etag).toBe('W/"2"');
      expect((await check('内部暗号', { orgId: brand.id })).verdict).toBe('review');
      expect((await check('内部暗号已公开', { orgId: brand.id })).findings).toEqual([]);

      await t.http().patch(`${orgWords()}/${wordId}`).set(brandOwner.auth).send({ term: null }).expect(400);
      await t.http().delete(`${orgWords()}/${wordId}`).set(brandOwner.auth).expect(204);
      await t.http().get(`${orgWords()}/${wordId}`).set(brandOwner.auth).expect(404);
      expect((await check('内部暗号', { orgId: brand.id })).findings).toEqual([]);
    });

    it('lists with filters and cursor pagination', async () => {
      for (const term of ['甲方案', '乙方案', '丙方案']) {
        await addOrgWord({ term, category: 'brand.plans', severity: 'low', action: 'flag' }).expect(201);
      }
      const first = await t
        .http()
        .get(`${orgWords()}?category=brand.plans&limit=2&sort=term`)
        .set(brandOperator.auth)
        .expect(200);
      expect(first.body.items).toHaveLength(2);
      const second = await t
        .http()
        .get(`${orgWords()}?category=brand.plans&limit=2&sort=term&cursor=${first.body.nextCursor}`)
        .set(brandOperator.auth)
        .expect(200);
      expect(second.body.nextCursor).toBeNull();
      const terms = [...first.body.items, ...second.body.items].map((w: { term: string }) => w.term);
      expect(terms.sort()).toEqual(['丙方案', '乙方案', '甲方案'].sort());

      const q = await t.http().get(`${orgWords()}?q=乙`).set(brandOperator.auth).expect(200);
      expect(q.body.items.map((w: { term: string }) => w.term)).toEqual(['乙方案']);
      const blocks = await t.http().get(`${orgWords()}?action=block`).set(brandOperator.auth).expect(200);
      expect(blocks.body.items.map((w: { term: string }) => w.term)).toEqual(['最好']);
      await t.http().get(`${orgWords()}?action=destroy`).set(brandOperator.auth).expect(400);
      await t.http().get(`${orgWords()}?sort=category`).set(brandOperator.auth).expect(400);
    });

    it('allows and denies by permission and tenant', async () => {
      const body = { term: '权限测试', category: 'custom', severity: 'low', action: 'flag' };
      problem(await addOrgWord(body, brandOperator).expect(403), 'permission_denied');
      // A unit-limited grant does not reach a lexicon that applies to the whole organization.
      problem(await addOrgWord(body, teamManager).expect(403), 'permission_denied');
      await t.http().get(orgWords()).set(teamManager.auth).expect(200);
      problem(await addOrgWord(body, otherOwner).expect(404), 'not_found');
      await t.http().get(orgWords()).set(otherOwner.auth).expect(404);
      await t.http().get(orgWords()).set(outsider.auth).expect(404);
      await t.http().get(orgWords()).expect(401);

      // Another tenant's word is simply not there, even through the caller's own organization.
      const [{ id: brandWordId }] = await t.db.query(
        `SELECT id FROM sensitive_words WHERE org_id = $1 LIMIT 1`,
        [brand.id],
      );
      await t
        .http()
        .get(`${orgWords(other)}/${brandWordId}`)
        .set(otherOwner.auth)
        .expect(404);
      await t
        .http()
        .delete(`${orgWords(other)}/${brandWordId}`)
        .set(otherOwner.auth)
        .expect(404);
      await t.http().get(`${orgWords()}/not-a-uuid`).set(brandOwner.auth).expect(400);
      // Nor is a platform word reachable through an organization's routes.
      const [{ id: platformWordId }] = await t.db.query(
        `SELECT id FROM sensitive_words WHERE org_id IS NULL LIMIT 1`,
      );
      await t.http().get(`${orgWords()}/${platformWordId}`).set(brandOwner.auth).expect(404);
    });
  });

  describe('the platform lexicon', () => {
    const words = api('/platform/sensitive-words');

    it('is managed by platform staff and applies to every organization at once', async () => {
      const created = await t
        .http()
        .post(words)
        .set(platformStaff.auth)
        .send({ term: '平台禁词', category: 'platform.test', severity: 'high', action: 'block' })
        .expect(201);
      expect(created.body).toMatchObject({ lexicon: 'platform', orgId: null });
      expect((await check('这是平台禁词', { orgId: brand.id })).verdict).toBe('block');
      expect((await check('这是平台禁词', { orgId: other.id, as: otherOwner })).verdict).toBe('block');

      const list = await t.http().get(`${words}?q=平台禁词`).set(platformStaff.auth).expect(200);
      expect(list.body.items).toHaveLength(1);
      const seeded = await t
        .http()
        .get(`${words}?category=gambling&limit=100`)
        .set(platformStaff.auth)
        .expect(200);
      expect(seeded.body.items.map((w: { term: string }) => w.term)).toContain('赌博');

      await t
        .http()
        .patch(`${words}/${created.body.id}`)
        .set(platformStaff.auth)
        .send({ action: 'flag' })
        .expect(200);
      expect((await check('这是平台禁词')).verdict).toBe('flag');
      await t.http().delete(`${words}/${created.body.id}`).set(platformStaff.auth).expect(204);
      expect((await check('这是平台禁词')).verdict).toBe('pass');

      const [{ n }] = await t.db.query(
        `SELECT count(*)::int AS n FROM operation_logs WHERE action = 'createPlatformSensitiveWord' AND actor_user_id = $1`,
        [platformStaff.id],
      );
      expect(n).toBe(1);
    });

    it('is closed to tenants (the platform organization is not theirs: 404)', async () => {
      await t.http().get(words).set(brandOwner.auth).expect(404);
      await t
        .http()
        .post(words)
        .set(brandOwner.auth)
        .send({ term: '越权', category: 'custom', severity: 'low', action: 'flag' })
        .expect(404);
    });
  });

  describe('import', () => {
    const importInto = (path: string, body: string, contentType: string, as: TestUser = brandOwner) =>
      t.http().post(`${path}/import`).set(as.auth).set('Content-Type', contentType).send(body);

    it('imports CSV with per-line results, skipping the lines that cannot be words', async () => {
      await addOrgWord({ term: '已有词', category: 'custom', severity: 'low', action: 'flag' }).expect(201);
      await addOrgWord({ term: '不变词', category: 'custom', severity: 'low', action: 'flag' }).expect(201);
      const csv = [
        'term,category,severity,action,allow_phrases,hint',
        '导入词一,brand.import,high,block,,First',
        '"导入,词二",brand.import,medium,review,"导入,词二无妨|导入,词二可以","A ""quoted"" hint"',
        '坏严重度,brand.import,extreme,block,,',
        '！！！,brand.import,low,flag,,',
        '导入 词一,brand.import,low,flag,,',
        '已有词,custom,high,block,,now blocked',
        '不变词,custom,low,flag,,',
        '',
        '默认词,,,,,',
        '允许不含,custom,low,flag,别的短语,',
        'a,b,c,d,e,f,g',
      ].join('\r\n');
      const res = await importInto(orgWords(), csv, 'text/csv').expect(200);
      expect(res.body).toMatchObject({ dryRun: false, created: 3, updated: 1, skipped: 6 });
      expect(res.body.lines).toEqual([
        { line: 2, term: '导入词一', result: 'created' },
        { line: 3, term: '导入,词二', result: 'created' },
        {
          line: 4,
          term: '坏严重度',
          result: 'skipped',
          reason: 'invalid',
          message: expect.stringContaining('severity'),
        },
        {
          line: 5,
          term: '！！！',
          result: 'skipped',
          reason: 'empty_after_normalization',
          message: expect.any(String),
        },
        {
          line: 6,
          term: '导入 词一',
          result: 'skipped',
          reason: 'duplicate_in_file',
          message: 'the same term as line 2',
        },
        { line: 7, term: '已有词', result: 'updated' },
        { line: 8, term: '不变词', result: 'skipped', reason: 'unchanged', message: expect.any(String) },
        { line: 10, term: '默认词', result: 'created' },
        {
          line: 11,
          term: '允许不含',
          result: 'skipped',
          reason: 'allow_phrase_mismatch',
          message: expect.any(String),
        },
        {
          line: 12,
          term: 'a',
          result: 'skipped',
          reason: 'invalid',
          message: expect.stringContaining('columns'),
        },
      ]);

      const [second] = (await t.http().get(`${orgWords()}?q=词二`).set(brandOwner.auth).expect(200)).body
        .items;
      expect(second).toMatchObject({
        term: '导入,词二',
        allowPhrases: ['导入,词二无妨', '导入,词二可以'],
        hint: 'A "quoted" hint',
      });
      const [defaulted] = (await t.http().get(`${orgWords()}?q=默认词`).set(brandOwner.auth).expect(200)).body
        .items;
      expect(defaulted).toMatchObject({ category: 'custom', severity: 'medium', action: 'review' });
      const result = await check('导入词一、已有词、导入,词二无妨', { orgId: brand.id });
      expect(result.findings.map((f) => [f.term, f.action])).toEqual([
        ['导入词一', 'block'],
        ['已有词', 'block'],
      ]);
    });

    it('imports plain lines with defaults from the query, leaving existing terms alone', async () => {
      const text = '# brand list\n行词一\n\n  行词二  \n已有词\n行词一\n';
      const dry = await importInto(`${orgWords()}`, text, 'text/plain').query({ dryRun: 'true' }).expect(200);
      expect(dry.body).toMatchObject({ dryRun: true, created: 2, updated: 0, skipped: 2 });
      expect((await check('行词一', { orgId: brand.id })).findings).toEqual([]);

      const res = await t
        .http()
        .post(`${orgWords()}/import?category=brand.lines&action=flag&severity=low`)
        .set(brandOwner.auth)
        .set('Content-Type', 'text/plain; charset=utf-8')
        .send(text)
        .expect(200);
      expect(res.body.lines).toEqual([
        { line: 2, term: '行词一', result: 'created' },
        { line: 4, term: '行词二', result: 'created' },
        { line: 5, term: '已有词', result: 'skipped', reason: 'exists', message: expect.any(String) },
        {
          line: 6,
          term: '行词一',
          result: 'skipped',
          reason: 'duplicate_in_file',
          message: 'the same term as line 2',
        },
      ]);
      expect((await check('行词二', { orgId: brand.id })).findings).toMatchObject([
        { term: '行词二', category: 'brand.lines', action: 'flag', severity: 'low' },
      ]);
    });

    it("imports the pinyin columns as the JSON API's pinyin and pinyinAction", async () => {
      const csv = [
        'term,category,severity,action,pinyin,pinyin_action',
        '拼音词甲,brand.pinyin,high,block,true,block',
        '拼音词乙,brand.pinyin,medium,review,FALSE,',
        '拼音词丙,brand.pinyin,medium,review,,',
        '拼音词丁,brand.pinyin,medium,review,maybe,',
        '拼音词戊,brand.pinyin,medium,review,true,sometimes',
      ].join('\n');
      const res = await importInto(orgWords(), csv, 'text/csv').expect(200);
      expect(res.body).toMatchObject({ created: 3, updated: 0, skipped: 2 });
      expect(res.body.lines.slice(3)).toEqual([
        {
          line: 5,
          term: '拼音词丁',
          result: 'skipped',
          reason: 'invalid',
          message: expect.stringContaining('pinyin'),
        },
        {
          line: 6,
          term: '拼音词戊',
          result: 'skipped',
          reason: 'invalid',
          message: expect.stringContaining('pinyinAction'),
        },
      ]);
      const stored = async (term: string) =>
        (
          await t
            .http()
            .get(`${orgWords()}?q=${encodeURIComponent(term)}`)
            .set(brandOwner.auth)
            .expect(200)
        ).body.items[0];
      expect(await stored('拼音词甲')).toMatchObject({
        pinyin: true,
        pinyinEffective: true,
        pinyinAction: 'block',
      });
      expect(await stored('拼音词乙')).toMatchObject({
        pinyin: false,
        pinyinEffective: false,
        pinyinAction: null,
      });
      // Empty: the category default, which is off for a brand's own category.
      expect(await stored('拼音词丙')).toMatchObject({
        pinyin: null,
        pinyinEffective: false,
        pinyinAction: null,
      });

      const bySound = await check('说 pinyincijia 和 pinyinciyi', { orgId: brand.id });
      expect(bySound.findings.map((f) => [f.term, f.action, f.via])).toEqual([
        ['拼音词甲', 'block', ['pinyin']],
      ]);

      // Re-importing with another value updates the word; the same values leave it unchanged.
      const again = await importInto(
        orgWords(),
        'term,category,severity,action,pinyin,pinyin_action\n拼音词甲,brand.pinyin,high,block,false,\n拼音词乙,brand.pinyin,medium,review,false,',
        'text/csv',
      ).expect(200);
      expect(again.body).toMatchObject({ created: 0, updated: 1, skipped: 1 });
      expect(await stored('拼音词甲')).toMatchObject({ pinyin: false, pinyinAction: null });
      expect((await check('pinyincijia', { orgId: brand.id })).findings).toEqual([]);
    });

    it('refuses what is not a readable file', async () => {
      problem(
        await t
          .http()
          .post(`${orgWords()}/import`)
          .set(brandOwner.auth)
          .send({ format: 'csv', data: 'x' })
          .expect(415),
        'unsupported_media_type',
      );
      problem(await importInto(orgWords(), 'x', 'application/xml').expect(415), 'unsupported_media_type');
      problem(
        await importInto(orgWords(), 'x', 'text/csv; charset=gbk').expect(415),
        'unsupported_media_type',
      );
      const broken = await importInto(orgWords(), 'term\n好词\n"未闭合,x\n更多', 'text/csv').expect(422);
      expect(broken.body).toMatchObject({ code: 'unprocessable', line: 3 });
      problem(await importInto(orgWords(), 'term,bogus\n好词,x\n', 'text/csv').expect(422), 'unprocessable');
      problem(await importInto(orgWords(), '   \n', 'text/plain').expect(400), 'validation_failed');
      await t
        .http()
        .post(`${orgWords()}/import?format=xml`)
        .set(brandOwner.auth)
        .set('Content-Type', 'text/plain')
        .send('x')
        .expect(400);
      problem(
        await importInto(orgWords(), '词\n', 'text/plain', brandOperator).expect(403),
        'permission_denied',
      );
      await importInto(orgWords(), '词\n', 'text/plain', otherOwner).expect(404);
    });

    it('imports into the platform lexicon for platform staff', async () => {
      const res = await importInto(
        api('/platform/sensitive-words'),
        'term,category,severity,action\n平台导入词,platform.import,high,block\n',
        'text/csv',
        platformStaff,
      ).expect(200);
      expect(res.body).toMatchObject({ created: 1, skipped: 0 });
      expect((await check('平台导入词')).verdict).toBe('block');
    });
  });

  describe('versions and caching across replicas', () => {
    it('rebuilds after the version row changes in the database, within the check interval', async () => {
      await check('热更新词', { orgId: brand.id });
      // A change made elsewhere (another replica, or by hand): the word and a version bump.
      await t.db.transaction(async (manager) => {
        await manager.query(
          `INSERT INTO sensitive_words (org_id, term, term_key, category, severity, action)
           VALUES ($1, '热更新词', '热更新词', 'custom', 'high', 'block')`,
          [brand.id],
        );
        await manager.query(`UPDATE sensitive_word_lexicons SET version = version + 1 WHERE org_id = $1`, [
          brand.id,
        ]);
      });
      await sleep(CHECK_INTERVAL_MS + 100);
      expect((await check('热更新词', { orgId: brand.id })).verdict).toBe('block');
    });

    it('shows a change made through one app instance on another instance within seconds', async () => {
      const second = await startSecondInstance(t.db);
      try {
        const checkOnSecond = async (text: string): Promise<CheckResult> =>
          (
            await request(second.getHttpServer())
              .post(api('/moderation/check'))
              .set(brandOwner.auth)
              .send({ text, orgId: brand.id })
              .expect(200)
          ).body;
        expect((await checkOnSecond('跨实例词')).verdict).toBe('pass');

        await addOrgWord({ term: '跨实例词', category: 'custom', severity: 'high', action: 'block' }).expect(
          201,
        );
        const changedAt = Date.now();
        let verdict = 'pass';
        while (verdict === 'pass' && Date.now() - changedAt < 5_000) {
          await sleep(50);
          verdict = (await checkOnSecond('跨实例词')).verdict;
        }
        expect(verdict).toBe('block');
        expect(Date.now() - changedAt).toBeLessThan(CHECK_INTERVAL_MS + 1_000);
      } finally {
        await second.close();
      }
    });
  });
});

/** Another API instance on the same database, as a second replica would be. */
async function startSecondInstance(db: DataSource): Promise<NestFastifyApplication> {
  const url = (db.options as { url: string }).url;
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot({ databaseUrl: url, jobs: false })],
  }).compile();
  const env = validateEnvironment(process.env);
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter(env), {
    logger: false,
  });
  await configureApp(app, env);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

/** The moderation flow a partner's integration runs, through the generated client (clients/typescript). */
describe('moderation through the generated client', () => {
  let t: TestApp;
  let brand: FixtureOrg;
  let owner: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    brand = await insertOrg(t, { kind: 'brand', name: 'Client Brand' });
    owner = await makeUser(t);
    await insertMember(t, brand, owner.id, { grants: [{ role: 'owner' }] });
  });
  afterAll(() => t.close());

  it('checks text, adds an organization word that the next check applies, and lists it', async () => {
    const client = apiClient(t, { accessToken: owner.token });
    const text = '新品口令是春日暗语，请勿外传';

    const before = expectData(
      await client.POST('/api/v1/moderation/check', { body: { text, orgId: brand.id } }),
      200,
    );
    expect(before).toMatchObject({ verdict: 'pass', findings: [] });

    const created = await client.POST('/api/v1/orgs/{orgId}/sensitive-words', {
      params: { path: { orgId: brand.id } },
      body: {
        term: '春日暗语',
        category: 'brand.confidential',
        severity: 'high',
        action: 'block',
        hint: 'Launch code',
      },
    });
    const word = expectData(created, 201);
    expect(word).toMatchObject({
      lexicon: 'organization',
      orgId: brand.id,
      term: '春日暗语',
      createdBy: owner.id,
    });
    expect(created.response.headers.get('etag')).toBe('W/"1"');

    const after = expectData(
      await client.POST('/api/v1/moderation/check', { body: { text, orgId: brand.id } }),
      200,
    );
    expect(after.verdict).toBe('block');
    expect(after.findings).toEqual([
      expect.objectContaining({
        term: '春日暗语',
        lexicon: 'organization',
        action: 'block',
        hint: 'Launch code',
      }),
    ]);
    const [finding] = after.findings;
    expect(text.slice(finding.start, finding.end)).toBe('春日暗语');
    expect(after.lexiconVersion).not.toBe(before.lexiconVersion);
    const platformOnly = expectData(await client.POST('/api/v1/moderation/check', { body: { text } }), 200);
    expect(platformOnly.findings).toEqual([]);

    const listed = expectData(
      await client.GET('/api/v1/orgs/{orgId}/sensitive-words', {
        params: { path: { orgId: brand.id }, query: { category: 'brand.confidential', severity: 'high' } },
      }),
      200,
    );
    expect(listed.items.map((w) => w.id)).toEqual([word.id]);
    const [row] = await t.db.query(`SELECT term, org_id FROM sensitive_words WHERE id = $1`, [word.id]);
    expect(row).toEqual({ term: '春日暗语', org_id: brand.id });
  });
});
