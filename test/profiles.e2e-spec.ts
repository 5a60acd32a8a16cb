import { residentIdCheckCharacter } from '../src/common/validation';
import { VerificationStatusReader } from '../src/modules/profiles/verification-status.reader';
import { FieldCipher } from '../src/platform/crypto/field-cipher';
import { apiClient, expectData } from './support/api-client';
import { makeUser, TestUser } from './support/factories';
import { FixtureOrg, insertMember, insertOrg, PLATFORM_ORG } from './support/org-fixtures';
import { createTestApp, TestApp } from './support/test-app';

// A published specimen number: Beijing (11), born 1949-12-31, female (17th digit 2), check character X.
const ID_FEMALE = '11010519491231002X';
const ID_FEMALE_MASKED = '110***********002X';
const FEMALE_PROFILE = { realName: '张三', gender: 'female', birthDate: '1949-12-31', idNumber: ID_FEMALE };

/** A valid number for a given birth date (YYYYMMDD) and sequence digits, with its check character. */
const idFor = (yyyymmdd: string, sequence: string, region = '110105') => {
  const first17 = `${region}${yyyymmdd}${sequence}`;
  return `${first17}${residentIdCheckCharacter(first17)}`;
};
const ID_MALE = idFor('19900307', '447'); // 17th digit 7: male

const CREDIT_CODE = '91350100M000100Y43';
const OTHER_CREDIT_CODE = '91110000802100433B';
const ENTERPRISE = {
  companyName: '福州某某科技有限公司',
  creditCode: CREDIT_CODE,
  contactPerson: '李四',
  contactPhone: '13800138000',
  email: 'Contact@Example.com',
};

describe('profiles, enterprise information and verifications', () => {
  let t: TestApp;
  let reviewer: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    reviewer = await makeUser(t);
    await insertMember(t, PLATFORM_ORG, reviewer.id, { grants: [{ role: 'reviewer' }] });
  });
  afterAll(() => t.close());

  const getMe = (user: TestUser) => t.http().get('/api/v1/me').set(user.auth);
  const putProfile = (user: TestUser, body: object, ifMatch?: string) => {
    const req = t.http().put('/api/v1/me/profile').set(user.auth);
    if (ifMatch) req.set('If-Match', ifMatch);
    return req.send(body);
  };
  const putEnterprise = (user: TestUser, orgId: string, body: object = ENTERPRISE) =>
    t.http().put(`/api/v1/orgs/${orgId}/enterprise`).set(user.auth).send(body);
  const listVerifications = (user: TestUser, query = '') =>
    t.http().get(`/api/v1/platform/verifications${query}`).set(user.auth);
  const decide = (user: TestUser, id: string, body: object) =>
    t.http().post(`/api/v1/platform/verifications/${id}/decision`).set(user.auth).send(body);

  /** The pending request of a subject, as reviewers see it. */
  const pendingFor = async (subject: { subjectUserId?: string; subjectOrgId?: string }) => {
    const filter = subject.subjectUserId
      ? `subjectUserId=${subject.subjectUserId}`
      : `subjectOrgId=${subject.subjectOrgId}`;
    const res = await listVerifications(reviewer, `?status=pending&${filter}`).expect(200);
    expect(res.body.items).toHaveLength(1);
    return res.body.items[0];
  };

  const rawProfileRow = async (userId: string): Promise<Record<string, unknown>> => {
    const rows = await t.db.query(`SELECT * FROM user_profiles WHERE user_id = $1`, [userId]);
    return rows[0];
  };

  describe('GET /me and PUT /me/profile', () => {
    it('needs a signed-in user', async () => {
      const res = await t.http().get('/api/v1/me').expect(401);
      expect(res.body.code).toBe('unauthenticated');
    });

    it('shows a new user with an empty, unverified profile and their organizations', async () => {
      const user = await makeUser(t);
      const org = await insertOrg(t, { kind: 'brand', name: 'Brand of Me' });
      await insertMember(t, org, user.id, { grants: [{ role: 'viewer' }] });
      const removed = await insertOrg(t, { kind: 'agency', name: 'Left Agency' });
      await insertMember(t, removed, user.id);
      await t.db.query(`UPDATE org_members SET status = 'removed' WHERE org_id = $1`, [removed.id]);

      const res = await getMe(user).expect(200);
      expect(res.headers.etag).toBe('W/"0"');
      expect(res.body).toMatchObject({
        id: user.id,
        username: user.username,
        email: user.email,
        phone: user.phone,
        status: 'active',
        profile: {
          realName: null,
          gender: null,
          birthDate: null,
          idNumberMasked: null,
          mobile: null,
          realNameStatus: 'unverified',
        },
        organizations: [{ id: org.id, name: 'Brand of Me', kind: 'brand', status: 'active' }],
      });
      expect(new Date(res.body.createdAt).toISOString()).toBe(res.body.createdAt);
    });

    it('saves a valid profile, masks the ID number everywhere and queues a review', async () => {
      const user = await makeUser(t);
      const res = await putProfile(user, { ...FEMALE_PROFILE, mobile: '+86 139-0000-1111' }).expect(200);
      expect(res.headers.etag).toBe('W/"1"');
      expect(res.body).toMatchObject({
        realName: '张三',
        gender: 'female',
        birthDate: '1949-12-31',
        idNumberMasked: ID_FEMALE_MASKED,
        mobile: '13900001111',
        realNameStatus: 'pending',
      });
      expect(JSON.stringify(res.body)).not.toContain(ID_FEMALE);

      const me = await getMe(user).expect(200);
      expect(me.headers.etag).toBe('W/"1"');
      expect(me.body.profile).toMatchObject({ idNumberMasked: ID_FEMALE_MASKED, realNameStatus: 'pending' });
      expect(JSON.stringify(me.body)).not.toContain(ID_FEMALE);

      const request = await pendingFor({ subjectUserId: user.id });
      expect(request).toMatchObject({
        kind: 'real_name',
        status: 'pending',
        subjectUserId: user.id,
        subjectOrgId: null,
        person: {
          realName: '张三',
          gender: 'female',
          birthDate: '1949-12-31',
          idNumberMasked: ID_FEMALE_MASKED,
        },
        enterprise: null,
        submittedBy: user.id,
      });
    });

    it('stores the ID number only encrypted, bound to the user', async () => {
      const user = await makeUser(t);
      await putProfile(user, FEMALE_PROFILE).expect(200);
      const row = await rawProfileRow(user.id);
      for (const [column, value] of Object.entries(row)) {
        expect({ column, value: JSON.stringify(value) }).toEqual({
          column,
          value: expect.not.stringContaining(ID_FEMALE),
        });
      }
      // Nor its digits without the check character, nor in the verification queue's raw rows.
      expect(JSON.stringify(row)).not.toContain(ID_FEMALE.slice(0, 17));
      const requests = await t.db.query(`SELECT * FROM verification_requests WHERE subject_user_id = $1`, [
        user.id,
      ]);
      expect(JSON.stringify(requests)).not.toContain(ID_FEMALE.slice(0, 17));

      expect(row.id_number_masked).toBe(ID_FEMALE_MASKED);
      expect(row.id_number_key_id).toBe('dev1');
      const cipher = t.get(FieldCipher);
      const sealed = { keyId: String(row.id_number_key_id), ciphertext: String(row.id_number_ciphertext) };
      expect(cipher.decrypt(sealed, user.id)).toBe(ID_FEMALE);
      // Associated data: the ciphertext is useless on another user's row.
      expect(() => cipher.decrypt(sealed, reviewer.id)).toThrow();
    });

    it('refuses invalid ID numbers with field errors naming idNumber', async () => {
      const user = await makeUser(t);
      const badCheck = `${ID_FEMALE.slice(0, 17)}1`;
      const first17 = '99010519491231002';
      const badRegion = `${first17}${residentIdCheckCharacter(first17)}`;
      const cases: [string, object, RegExp][] = [
        ['bad check character', { idNumber: badCheck }, /check character/],
        ['bad region', { idNumber: badRegion }, /region/],
        ['wrong shape', { idNumber: '12345' }, /18 characters/],
        ['birth date mismatch', { birthDate: '1949-12-30' }, /does not match birthDate/],
        ['gender mismatch', { gender: 'male' }, /does not match gender/],
        ['future birth date', { idNumber: idFor('29990101', '002'), birthDate: '2999-01-01' }, /birth date/],
      ];
      for (const [label, change, message] of cases) {
        const res = await putProfile(user, { ...FEMALE_PROFILE, ...change });
        expect({ label, status: res.status, code: res.body.code }).toEqual({
          label,
          status: 400,
          code: 'validation_failed',
        });
        expect(res.body.errors).toEqual([{ field: 'idNumber', message: expect.stringMatching(message) }]);
        expect(JSON.stringify(res.body)).not.toContain(badCheck);
      }
      expect(await rawProfileRow(user.id)).toBeUndefined();
    });

    it('refuses other bad input', async () => {
      const user = await makeUser(t);
      const unknown = await putProfile(user, { ...FEMALE_PROFILE, nationality: 'CN' }).expect(400);
      expect(unknown.body.errors).toEqual([{ field: 'nationality', message: 'unknown field' }]);

      const bad = await putProfile(user, {
        realName: '1',
        gender: 'other',
        birthDate: '1949-02-30',
        idNumber: ID_FEMALE,
        mobile: '12345',
      }).expect(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'birthDate',
        'gender',
        'mobile',
        'realName',
        'realName',
      ]);

      const missing = await putProfile(user, {
        realName: '张三',
        gender: 'female',
        birthDate: '1949-12-31',
      }).expect(400);
      expect(missing.body.errors).toEqual([{ field: 'idNumber', message: 'idNumber is required' }]);
    });

    it('answers 412 to a stale If-Match and accepts the current one', async () => {
      const user = await makeUser(t);
      const first = await putProfile(user, FEMALE_PROFILE, 'W/"0"').expect(200);
      expect(first.headers.etag).toBe('W/"1"');
      const second = await putProfile(user, { ...FEMALE_PROFILE, mobile: '13900002222' }, 'W/"1"').expect(
        200,
      );
      expect(second.headers.etag).toBe('W/"2"');

      const stale = await putProfile(user, { ...FEMALE_PROFILE, mobile: '13900003333' }, 'W/"1"').expect(412);
      expect(stale.body).toMatchObject({ code: 'precondition_failed', currentEtag: 'W/"2"' });
      const me = await getMe(user).expect(200);
      expect(me.body.profile.mobile).toBe('13900002222');
    });

    it('keeps the status for contact changes and the stored number when idNumber is omitted', async () => {
      const user = await makeUser(t);
      await putProfile(user, FEMALE_PROFILE).expect(200);
      const request = await pendingFor({ subjectUserId: user.id });

      const res = await putProfile(user, {
        realName: '张三',
        gender: 'female',
        birthDate: '1949-12-31',
        mobile: '13900004444',
      }).expect(200);
      expect(res.body).toMatchObject({ realNameStatus: 'pending', idNumberMasked: ID_FEMALE_MASKED });
      expect((await pendingFor({ subjectUserId: user.id })).id).toBe(request.id);

      // The omitted number is still checked against the stated birth date and gender.
      const mismatch = await putProfile(user, {
        realName: '张三',
        gender: 'male',
        birthDate: '1949-12-31',
      }).expect(400);
      expect(mismatch.body.errors).toEqual([
        { field: 'idNumber', message: 'idNumber does not match gender' },
      ]);
    });

    it('supersedes the pending request when the identity changes before a decision', async () => {
      const user = await makeUser(t);
      await putProfile(user, FEMALE_PROFILE).expect(200);
      const first = await pendingFor({ subjectUserId: user.id });
      await putProfile(user, { ...FEMALE_PROFILE, realName: '张三丰' }).expect(200);
      const second = await pendingFor({ subjectUserId: user.id });
      expect(second.id).not.toBe(first.id);
      expect(second.person.realName).toBe('张三丰');

      const stale = await decide(reviewer, first.id, { decision: 'approve' }).expect(409);
      expect(stale.body).toMatchObject({ code: 'invalid_state', currentState: 'superseded' });
    });
  });

  describe('enterprise information', () => {
    let owner: TestUser;
    let viewer: TestUser;
    let outsider: TestUser;
    let brand: FixtureOrg;

    beforeAll(async () => {
      [owner, viewer, outsider] = await Promise.all([makeUser(t), makeUser(t), makeUser(t)]);
      brand = await insertOrg(t, { kind: 'brand', name: 'Acme Brand' });
      await insertMember(t, brand, owner.id, { grants: [{ role: 'owner' }] });
      await insertMember(t, brand, viewer.id, { grants: [{ role: 'viewer' }] });
      const other = await insertOrg(t, { kind: 'agency' });
      await insertMember(t, other, outsider.id, { grants: [{ role: 'owner' }] });
    });

    it('reads as empty and unverified before anything is saved', async () => {
      const res = await t.http().get(`/api/v1/orgs/${brand.id}/enterprise`).set(viewer.auth).expect(200);
      expect(res.headers.etag).toBe('W/"0"');
      expect(res.body).toMatchObject({
        orgId: brand.id,
        companyName: null,
        verificationStatus: 'unverified',
      });
    });

    it('lets a member with org:manage save it, which queues a review', async () => {
      const res = await putEnterprise(owner, brand.id).expect(200);
      expect(res.headers.etag).toBe('W/"1"');
      expect(res.body).toMatchObject({
        orgId: brand.id,
        ...ENTERPRISE,
        email: 'contact@example.com',
        verificationStatus: 'pending',
      });
      const read = await t.http().get(`/api/v1/orgs/${brand.id}/enterprise`).set(viewer.auth).expect(200);
      expect(read.body.verificationStatus).toBe('pending');

      const request = await pendingFor({ subjectOrgId: brand.id });
      expect(request).toMatchObject({
        kind: 'enterprise',
        subjectOrgId: brand.id,
        subjectUserId: null,
        person: null,
        enterprise: { companyName: ENTERPRISE.companyName, creditCode: CREDIT_CODE },
      });
    });

    it('refuses invalid credit codes with a field error', async () => {
      for (const creditCode of ['91350100M000100Y44', '91350100I000100Y43', '9135']) {
        const res = await putEnterprise(owner, brand.id, { ...ENTERPRISE, creditCode }).expect(400);
        expect(res.body.errors).toEqual([
          { field: 'creditCode', message: expect.stringMatching(/creditCode/) },
        ]);
      }
      const phone = await putEnterprise(owner, brand.id, { ...ENTERPRISE, contactPhone: '12' }).expect(400);
      expect(phone.body.errors.map((e: { field: string }) => e.field)).toEqual(['contactPhone']);
    });

    it('accepts a lower-case credit code and a landline, normalized', async () => {
      const res = await putEnterprise(owner, brand.id, {
        ...ENTERPRISE,
        creditCode: OTHER_CREDIT_CODE.toLowerCase(),
        contactPhone: '010-12345678',
      }).expect(200);
      expect(res.body).toMatchObject({ creditCode: OTHER_CREDIT_CODE, contactPhone: '010-12345678' });
      await putEnterprise(owner, brand.id).expect(200);
    });

    it('refuses a member without org:manage (403) and another tenant (404)', async () => {
      const denied = await putEnterprise(viewer, brand.id).expect(403);
      expect(denied.body.code).toBe('permission_denied');
      const hidden = await putEnterprise(outsider, brand.id).expect(404);
      expect(hidden.body.code).toBe('not_found');
      await t.http().get(`/api/v1/orgs/${brand.id}/enterprise`).set(outsider.auth).expect(404);
      await t.http().put('/api/v1/orgs/not-a-uuid/enterprise').set(owner.auth).send(ENTERPRISE).expect(400);
    });

    it('answers 412 to a stale If-Match', async () => {
      const current = await t.http().get(`/api/v1/orgs/${brand.id}/enterprise`).set(owner.auth).expect(200);
      const res = await t
        .http()
        .put(`/api/v1/orgs/${brand.id}/enterprise`)
        .set(owner.auth)
        .set('If-Match', 'W/"1"')
        .send(ENTERPRISE)
        .expect(412);
      expect(res.body.currentEtag).toBe(current.headers.etag);
    });

    it('has none for the platform organization (422)', async () => {
      const res = await t
        .http()
        .get(`/api/v1/orgs/${PLATFORM_ORG.id}/enterprise`)
        .set(reviewer.auth)
        .expect(422);
      expect(res.body.code).toBe('unprocessable');
      const admin = await makeUser(t);
      await insertMember(t, PLATFORM_ORG, admin.id, { grants: [{ role: 'admin' }] });
      await putEnterprise(admin, PLATFORM_ORG.id).expect(422);
    });

    it('rejects with a reason, notifying the managers, and a resubmission goes back to pending', async () => {
      const request = await pendingFor({ subjectOrgId: brand.id });
      const res = await decide(reviewer, request.id, {
        decision: 'reject',
        reason: '营业执照不清晰',
        note: 'blurry',
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'rejected',
        reason: '营业执照不清晰',
        note: 'blurry',
        decidedBy: reviewer.id,
      });

      const read = await t.http().get(`/api/v1/orgs/${brand.id}/enterprise`).set(owner.auth).expect(200);
      expect(read.body).toMatchObject({
        verificationStatus: 'rejected',
        verificationReason: '营业执照不清晰',
      });

      const events = await t.db.query(
        `SELECT payload FROM outbox_events WHERE type = 'notification.requested' AND payload->>'type' = $1`,
        ['verification.enterprise.rejected'],
      );
      expect(events).toHaveLength(1);
      expect(events[0].payload).toMatchObject({ userIds: [owner.id], orgId: brand.id });
      expect(events[0].payload.data).toMatchObject({ verificationId: request.id, status: 'rejected' });

      // Saving again after a rejection is a resubmission, even unchanged.
      const again = await putEnterprise(owner, brand.id).expect(200);
      expect(again.body.verificationStatus).toBe('pending');
      const next = await pendingFor({ subjectOrgId: brand.id });
      expect(next.id).not.toBe(request.id);
    });

    it('does not let a reviewer decide for an organization they belong to', async () => {
      const staffBrand = await insertOrg(t, { kind: 'brand' });
      await insertMember(t, staffBrand, reviewer.id, { grants: [{ role: 'owner' }] });
      await putEnterprise(reviewer, staffBrand.id).expect(200);
      const request = await pendingFor({ subjectOrgId: staffBrand.id });
      const res = await decide(reviewer, request.id, { decision: 'approve' }).expect(403);
      expect(res.body.code).toBe('forbidden');
    });
  });

  describe('platform verifications', () => {
    let subject: TestUser;
    let requestId: string;

    beforeAll(async () => {
      subject = await makeUser(t);
      await putProfile(subject, {
        realName: '王五',
        gender: 'male',
        birthDate: '1990-03-07',
        idNumber: ID_MALE,
      }).expect(200);
      requestId = (await pendingFor({ subjectUserId: subject.id })).id;
    });

    it('is hidden from users outside the platform (404) and needs the permission inside it (403)', async () => {
      const stranger = await makeUser(t);
      expect((await listVerifications(stranger).expect(404)).body.code).toBe('not_found');
      await decide(stranger, requestId, { decision: 'approve' }).expect(404);
      await decide(subject, requestId, { decision: 'approve' }).expect(404);

      const staff = await makeUser(t);
      await insertMember(t, PLATFORM_ORG, staff.id, {
        grants: [{ permission: 'platform:verifications:read' }],
      });
      await listVerifications(staff).expect(200);
      const denied = await decide(staff, requestId, { decision: 'approve' }).expect(403);
      expect(denied.body.code).toBe('permission_denied');
    });

    it('lists with filters and cursor pagination, masked only', async () => {
      const all = await listVerifications(reviewer, '?limit=100').expect(200);
      expect(all.body.items.length).toBeGreaterThanOrEqual(5);
      expect(JSON.stringify(all.body)).not.toMatch(/\d{17}[\dX]/);
      for (const item of all.body.items.filter((i: { kind: string }) => i.kind === 'real_name')) {
        expect(item.person.idNumberMasked).toMatch(/^\d{3}\*{11}[\dX]{4}$/);
      }

      const enterprise = await listVerifications(reviewer, '?kind=enterprise').expect(200);
      expect(enterprise.body.items.every((i: { kind: string }) => i.kind === 'enterprise')).toBe(true);
      const superseded = await listVerifications(reviewer, '?status=superseded').expect(200);
      expect(superseded.body.items.length).toBeGreaterThanOrEqual(1);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: { id: string; submittedAt: string }[]; nextCursor: string | null } } =
          await listVerifications(reviewer, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items.map((i) => i.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(all.body.items.map((i: { id: string }) => i.id));

      const newest = await listVerifications(reviewer, '?sort=-submittedAt&limit=100').expect(200);
      expect(newest.body.items.map((i: { id: string }) => i.id)).toEqual(seen.slice().reverse());
    });

    it('refuses bad list input', async () => {
      for (const query of [
        '?status=maybe',
        '?kind=person',
        '?limit=0',
        '?limit=101',
        '?cursor=%21%21',
        '?sort=name',
      ]) {
        const res = await listVerifications(reviewer, query);
        expect({ query, status: res.status, code: res.body.code }).toEqual({
          query,
          status: 400,
          code: 'validation_failed',
        });
      }
    });

    it('refuses bad decisions', async () => {
      const noReason = await decide(reviewer, requestId, { decision: 'reject' }).expect(400);
      expect(noReason.body.errors).toEqual([{ field: 'reason', message: 'reason is required to reject' }]);
      const blank = await decide(reviewer, requestId, { decision: 'reject', reason: '   ' }).expect(400);
      expect(blank.body.errors.map((e: { field: string }) => e.field)).toEqual(['reason']);
      const what = await decide(reviewer, requestId, { decision: 'maybe' }).expect(400);
      expect(what.body.errors.map((e: { field: string }) => e.field)).toEqual(['decision']);
      await decide(reviewer, requestId, { decision: 'approve', extra: 1 }).expect(400);
      const malformed = await decide(reviewer, 'not-a-uuid', { decision: 'approve' }).expect(400);
      expect(malformed.body.errors).toEqual([{ field: 'id', message: 'must be a UUID' }]);
      await decide(reviewer, '00000000-0000-4000-8000-0000000000ff', { decision: 'approve' }).expect(404);
    });

    it('approves once: the status shows in GET /me, the user is notified, a second decision is 409', async () => {
      const res = await decide(reviewer, requestId, { decision: 'approve' }).expect(200);
      expect(res.body).toMatchObject({
        id: requestId,
        status: 'verified',
        decidedBy: reviewer.id,
        reason: null,
      });
      expect(res.body.person.idNumberMasked).toBe(`110${'*'.repeat(11)}${ID_MALE.slice(-4)}`);

      const me = await getMe(subject).expect(200);
      expect(me.body.profile).toMatchObject({ realNameStatus: 'verified', realNameReason: null });
      expect(me.body.profile.realNameDecidedAt).toEqual(expect.any(String));
      // A decision is not an edit: the owner's ETag stays valid.
      expect(me.headers.etag).toBe('W/"1"');

      const events = await t.db.query(
        `SELECT payload FROM outbox_events WHERE type = 'notification.requested' AND payload->'data'->>'verificationId' = $1`,
        [requestId],
      );
      expect(events).toHaveLength(1);
      expect(events[0].payload).toMatchObject({
        userIds: [subject.id],
        type: 'verification.real_name.approved',
      });

      for (const decision of [{ decision: 'approve' }, { decision: 'reject', reason: 'again' }]) {
        const again = await decide(reviewer, requestId, decision).expect(409);
        expect(again.body).toMatchObject({ code: 'invalid_state', currentState: 'verified' });
      }
      expect((await getMe(subject).expect(200)).body.profile.realNameStatus).toBe('verified');
      // Other modules read the same status through the exported reader.
      expect(await t.get(VerificationStatusReader).realNameStatus(subject.id)).toBe('verified');
      expect(await t.get(VerificationStatusReader).enterpriseStatus(PLATFORM_ORG.id)).toBe('unverified');
    });

    it('goes back to pending when the identity changes after verification, but not for contact changes', async () => {
      const contact = await putProfile(subject, {
        realName: '王五',
        gender: 'male',
        birthDate: '1990-03-07',
        mobile: '13900005555',
      }).expect(200);
      expect(contact.body.realNameStatus).toBe('verified');

      const renamed = await putProfile(subject, {
        realName: '王六',
        gender: 'male',
        birthDate: '1990-03-07',
      }).expect(200);
      expect(renamed.body.realNameStatus).toBe('pending');
      const next = await pendingFor({ subjectUserId: subject.id });
      expect(next.id).not.toBe(requestId);
    });

    it('lets exactly one of two concurrent decisions through', async () => {
      const user = await makeUser(t);
      await putProfile(user, FEMALE_PROFILE).expect(200);
      const request = await pendingFor({ subjectUserId: user.id });
      const results = await Promise.all([
        decide(reviewer, request.id, { decision: 'approve' }),
        decide(reviewer, request.id, { decision: 'reject', reason: 'duplicate click' }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const winner = results.find((r) => r.status === 200)!;
      const me = await getMe(user).expect(200);
      expect(me.body.profile.realNameStatus).toBe(winner.body.status);
      const notices = await t.db.query(
        `SELECT 1 FROM outbox_events WHERE type = 'notification.requested' AND payload->'data'->>'verificationId' = $1`,
        [request.id],
      );
      expect(notices).toHaveLength(1);
    });

    it('does not let a reviewer decide their own real-name verification', async () => {
      await putProfile(reviewer, FEMALE_PROFILE).expect(200);
      const own = await pendingFor({ subjectUserId: reviewer.id });
      await decide(reviewer, own.id, { decision: 'approve' }).expect(403);
    });
  });

  it('runs profile, enterprise information and their verification through the generated client', async () => {
    const person = await makeUser(t);
    const brand = await insertOrg(t, { kind: 'brand', name: 'Client Brand' });
    await insertMember(t, brand, person.id, { grants: [{ role: 'owner' }] });
    const asPerson = apiClient(t, { accessToken: person.token });
    const asReviewer = apiClient(t, { accessToken: reviewer.token });

    const before = await asPerson.GET('/api/v1/me', {});
    expect(expectData(before, 200).profile.realNameStatus).toBe('unverified');
    const saved = await asPerson.PUT('/api/v1/me/profile', {
      params: { header: { 'If-Match': String(before.response.headers.get('etag')) } },
      body: {
        realName: '张三',
        gender: 'female',
        birthDate: '1949-12-31',
        idNumber: ID_FEMALE,
        mobile: null,
      },
    });
    expect(expectData(saved, 200)).toMatchObject({
      idNumberMasked: ID_FEMALE_MASKED,
      realNameStatus: 'pending',
    });
    expect(saved.response.headers.get('etag')).toBe('W/"1"');

    const enterprise = expectData(
      await asPerson.PUT('/api/v1/orgs/{orgId}/enterprise', {
        params: { path: { orgId: brand.id } },
        body: ENTERPRISE,
      }),
      200,
    );
    expect(enterprise).toMatchObject({
      orgId: brand.id,
      creditCode: CREDIT_CODE,
      verificationStatus: 'pending',
    });

    const queue = expectData(
      await asReviewer.GET('/api/v1/platform/verifications', {
        params: { query: { status: 'pending', kind: 'real_name', subjectUserId: person.id } },
      }),
      200,
    );
    expect(queue.items).toHaveLength(1);
    const [request] = queue.items;
    expect(request.person?.idNumberMasked).toBe(ID_FEMALE_MASKED);
    const decided = expectData(
      await asReviewer.POST('/api/v1/platform/verifications/{id}/decision', {
        params: { path: { id: request.id } },
        body: { decision: 'approve' },
      }),
      200,
    );
    expect(decided).toMatchObject({ status: 'verified', decidedBy: reviewer.id });

    const after = expectData(await asPerson.GET('/api/v1/me', {}), 200);
    expect(after.profile).toMatchObject({ realNameStatus: 'verified', idNumberMasked: ID_FEMALE_MASKED });
    const read = expectData(
      await asPerson.GET('/api/v1/orgs/{orgId}/enterprise', { params: { path: { orgId: brand.id } } }),
      200,
    );
    expect(read.verificationStatus).toBe('pending');
    const [row] = await t.db.query('SELECT status FROM verification_requests WHERE id = $1', [request.id]);
    expect(row.status).toBe('verified');
  });
});
