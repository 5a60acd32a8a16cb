import { ContentPublishJob } from '../src/modules/content/publishing/content-publish.job';
import { OutboxService } from '../src/platform/notifications/outbox/outbox.service';
import { apiClient, expectData, expectProblem } from './support/api-client';
import { makeUser, TestUser } from './support/factories';
import { FixtureOrg, insertMember, insertOrg, PLATFORM_ORG } from './support/org-fixtures';
import { insertAccount, insertAssignment, insertAuthorization } from './support/social-fixtures';
import { createTestApp, TestApp } from './support/test-app';

const DAY = 86_400_000;
const CLEAN = '今天给大家分享一款平价好用的护手霜，质地清爽，不油腻。';
/** A valid resident ID number (check digit correct): private data blocks the content. */
const ID_NUMBER = '11010519491231002X';

type Res = {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown> & { code?: string };
};

/**
 * The publishing workflow end to end: drafts, automatic review on submit, the organization's and the
 * platform's manual review with claims and races, editing after approval, removal and restore, editor
 * powers and the public listing.
 */
describe('content', () => {
  let t: TestApp;
  let brand: FixtureOrg;
  let otherBrand: FixtureOrg;
  let agency: FixtureOrg;
  let author: TestUser;
  let coAuthor: TestUser;
  let orgReviewer: TestUser;
  let brandOwner: TestUser;
  let viewer: TestUser;
  let outsider: TestUser;
  let platformReviewerA: TestUser;
  let platformReviewerB: TestUser;
  let platformAdmin: TestUser;
  let agencyOperator: TestUser;

  const api = (path: string) => `/api/v1${path}`;
  const problem = (res: Res, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe(code);
  };
  const draft = async (body: Record<string, unknown> = {}, user = author, org = brand) => {
    const res = await t
      .http()
      .post(api(`/orgs/${org.id}/contents`))
      .set(user.auth)
      .send({
        kind: 'post',
        title: '护手霜分享',
        body: CLEAN,
        target: { kind: 'platform', channel: 'community' },
        ...body,
      });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const submit = (id: string, user = author) =>
    t
      .http()
      .post(api(`/orgs/${brand.id}/contents/${id}/submit`))
      .set(user.auth);
  const getContent = async (id: string) =>
    (
      await t
        .http()
        .get(api(`/orgs/${brand.id}/contents/${id}`))
        .set(brandOwner.auth)
        .expect(200)
    ).body;
  const platformTaskOf = async (contentId: string) => {
    const [row] = await t.db.query(`SELECT id FROM review_tasks WHERE content_id = $1 AND status = 'open'`, [
      contentId,
    ]);
    return row.id as string;
  };
  const decide = (taskId: string, user: TestUser, body: Record<string, unknown>) =>
    t
      .http()
      .post(api(`/platform/review-tasks/${taskId}/decision`))
      .set(user.auth)
      .send(body);
  /** Drafts, submits and has the platform approve: the content ends `approved`. */
  const approved = async (body: Record<string, unknown> = {}) => {
    const id = await draft(body);
    await submit(id).expect(200);
    await decide(await platformTaskOf(id), platformReviewerA, { decision: 'approve' }).expect(200);
    return id;
  };
  /** What the publishing job does for a platform target, done directly: these tests are about review. */
  const publishNow = async (id: string) => {
    await t.db.query(
      `UPDATE contents SET state = 'published', published_at = $2, state_changed_at = $2 WHERE id = $1`,
      [id, t.clock.now()],
    );
  };
  const notificationsOf = async (userId: string, type: string) => {
    await t.get(OutboxService).drain();
    return t.db.query(`SELECT title, body, data FROM notifications WHERE user_id = $1 AND type = $2`, [
      userId,
      type,
    ]);
  };

  beforeAll(async () => {
    t = await createTestApp();
    brand = await insertOrg(t, { kind: 'brand' });
    otherBrand = await insertOrg(t, { kind: 'brand' });
    agency = await insertOrg(t, { kind: 'agency' });
    [
      author,
      coAuthor,
      orgReviewer,
      brandOwner,
      viewer,
      outsider,
      platformReviewerA,
      platformReviewerB,
      platformAdmin,
      agencyOperator,
    ] = await Promise.all(Array.from({ length: 10 }, () => makeUser(t)));
    // Authors write with a self scope: each sees and edits only their own content.
    await insertMember(t, brand, author.id, { grants: [{ role: 'operator', scope: 'self' }] });
    await insertMember(t, brand, coAuthor.id, { grants: [{ role: 'operator', scope: 'self' }] });
    await insertMember(t, brand, orgReviewer.id, { grants: [{ role: 'reviewer' }] });
    await insertMember(t, brand, brandOwner.id, { grants: [{ role: 'owner' }] });
    await insertMember(t, brand, viewer.id, { grants: [{ role: 'viewer' }] });
    await insertMember(t, otherBrand, outsider.id, { grants: [{ role: 'owner' }] });
    await insertMember(t, PLATFORM_ORG, platformReviewerA.id, { grants: [{ role: 'reviewer' }] });
    await insertMember(t, PLATFORM_ORG, platformReviewerB.id, { grants: [{ role: 'reviewer' }] });
    await insertMember(t, PLATFORM_ORG, platformAdmin.id, { grants: [{ role: 'admin' }] });
    await insertMember(t, agency, agencyOperator.id, { grants: [{ role: 'operator', scope: 'self' }] });
  });
  afterAll(() => t.close());

  describe('drafts', () => {
    it('creates a draft with revision 1 and an ETag', async () => {
      const res = await t
        .http()
        .post(api(`/orgs/${brand.id}/contents`))
        .set(author.auth)
        .send({
          kind: 'image_text',
          title: '新品上市',
          body: CLEAN,
          attachments: [
            { url: 'https://cdn.example.com/a.jpg', type: 'image', size: 2048, mimeType: 'image/jpeg' },
          ],
          category: 'beauty',
          tags: ['护肤'],
          target: { kind: 'platform', channel: 'community' },
        })
        .expect(201);
      expect(res.body).toMatchObject({
        state: 'draft',
        revision: 1,
        ownerId: author.id,
        category: 'beauty',
        target: { kind: 'platform', channel: 'community', accountId: null },
      });
      expect(res.headers.etag).toBe('W/"1"');
      const [{ n }] = await t.db.query(
        `SELECT count(*)::int AS n FROM content_revisions WHERE content_id = $1`,
        [res.body.id],
      );
      expect(n).toBe(1);
    });

    it('refuses bad input: unknown field, URL scheme, NUL, missing target parts', async () => {
      const base = {
        kind: 'post',
        title: 't',
        body: 'b',
        target: { kind: 'platform', channel: 'community' },
      };
      for (const body of [
        { ...base, secret: 1 },
        { ...base, attachments: [{ url: 'javascript:alert(1)', type: 'image', size: 1 }] },
        { ...base, attachments: [{ url: 'ftp://files.example.com/a.mp4', type: 'video', size: 1 }] },
        { ...base, body: 'a\u0000b' },
        { ...base, target: { kind: 'social_account' } },
        { ...base, target: { kind: 'platform', channel: 'nowhere' } },
        { ...base, kind: 'podcast' },
      ]) {
        problem(
          await t
            .http()
            .post(api(`/orgs/${brand.id}/contents`))
            .set(author.auth)
            .send(body),
          400,
          'validation_failed',
        );
      }
    });

    it('keeps authors to their own content, and tenants to theirs', async () => {
      const id = await draft();
      problem(
        await t
          .http()
          .get(api(`/orgs/${brand.id}/contents/${id}`))
          .set(coAuthor.auth),
        404,
        'not_found',
      );
      problem(
        await t
          .http()
          .get(api(`/orgs/${otherBrand.id}/contents/${id}`))
          .set(outsider.auth),
        404,
        'not_found',
      );
      const mine = await t
        .http()
        .get(api(`/orgs/${brand.id}/contents`))
        .set(coAuthor.auth)
        .expect(200);
      expect(mine.body.items.map((c: { id: string }) => c.id)).not.toContain(id);
      problem(
        await t
          .http()
          .post(api(`/orgs/${brand.id}/contents`))
          .set(viewer.auth)
          .send({ kind: 'post', title: 't', body: 'b', target: { kind: 'platform', channel: 'community' } }),
        403,
        'permission_denied',
      );
    });

    it('edits a draft as a new revision, honouring If-Match', async () => {
      const id = await draft();
      const res = await t
        .http()
        .patch(api(`/orgs/${brand.id}/contents/${id}`))
        .set(author.auth)
        .set('If-Match', 'W/"1"')
        .send({ body: `${CLEAN}（更新）` })
        .expect(200);
      expect(res.body).toMatchObject({ revision: 2, state: 'draft' });
      await t
        .http()
        .patch(api(`/orgs/${brand.id}/contents/${id}`))
        .set(author.auth)
        .set('If-Match', 'W/"1"')
        .send({ title: 'stale' })
        .expect(412);
    });

    it('deletes drafts only', async () => {
      const id = await draft();
      await t
        .http()
        .delete(api(`/orgs/${brand.id}/contents/${id}`))
        .set(author.auth)
        .expect(204);
      await t
        .http()
        .get(api(`/orgs/${brand.id}/contents/${id}`))
        .set(author.auth)
        .expect(404);
      const approvedId = await approved();
      const res = await t
        .http()
        .delete(api(`/orgs/${brand.id}/contents/${approvedId}`))
        .set(brandOwner.auth);
      problem(res, 409, 'invalid_state');
      expect(res.body.currentState).toBe('approved');
    });
  });

  describe('automatic review on submit', () => {
    it('passes clean text to the platform review queue', async () => {
      const id = await draft();
      const res = await submit(id).expect(200);
      expect(res.body).toMatchObject({
        outcome: 'platform_review',
        findings: [],
        content: { state: 'in_review' },
      });
      const queue = await t.http().get(api('/platform/review-tasks')).set(platformReviewerA.auth).expect(200);
      expect(queue.body.items.map((task: { contentId: string }) => task.contentId)).toContain(id);
    });

    it('rejects a block-level finding at once, with offsets into the original text', async () => {
      const body = `联系我本人，身份证 ${ID_NUMBER} 可查。`;
      const id = await draft({ body });
      const res = await submit(id).expect(200);
      expect(res.body.outcome).toBe('rejected');
      expect(res.body.content.state).toBe('rejected');
      const finding = (
        res.body.findings as { field: string; start: number; end: number; action: string }[]
      ).find((f) => f.action === 'block')!;
      expect(finding.field).toBe('body');
      expect(body.slice(finding.start, finding.end)).toBe(ID_NUMBER);

      // Fix and resubmit: the same content goes on to review.
      await t
        .http()
        .patch(api(`/orgs/${brand.id}/contents/${id}`))
        .set(author.auth)
        .send({ body: CLEAN })
        .expect(200);
      expect((await submit(id).expect(200)).body.outcome).toBe('platform_review');
    });

    it('sends an absolute advertising term to review with an exception hint, not a block', async () => {
      const title = '全网最佳护手霜';
      const id = await draft({ title });
      const res = await submit(id).expect(200);
      expect(res.body.outcome).toBe('platform_review');
      const finding = res.body.findings.find((f: { field: string }) => f.field === 'title');
      expect(finding).toMatchObject({ action: 'review', category: 'advertising.absolute_term' });
      expect(title.slice(finding.start, finding.end)).toBe('最佳');
      expect(finding.hint).toBeTruthy();
    });

    it('finds terms written in another style or by sound, saying which folds each went through', async () => {
      const title = '销量第１的护手霜';
      const body = `${CLEAN} 想要同款请加weixin，电话一三八零零一三八零零零。`;
      const id = await draft({ title, body });
      const res = await submit(id).expect(200);
      type Finding = {
        field: string;
        start: number;
        end: number;
        action: string;
        category: string;
        via: string[];
      };
      const findings = res.body.findings as Finding[];
      const inTitle = findings.find((f) => f.field === 'title' && f.via.includes('digit_style'))!;
      expect(title.slice(inTitle.start, inTitle.end)).toBe('销量第１');
      const bySound = findings.find((f) => f.field === 'body' && f.via.includes('pinyin'))!;
      expect(body.slice(bySound.start, bySound.end)).toBe('加weixin');
      expect(bySound.action).toBe('review');
      const phone = findings.find((f) => f.field === 'body' && f.category === 'privacy.phone')!;
      expect(body.slice(phone.start, phone.end)).toBe('一三八零零一三八零零零');
      // Nothing here blocks by itself: the content waits for a person.
      expect(res.body.outcome).not.toBe('rejected');
    });

    it('refuses to submit content that is already under review, or to edit it', async () => {
      const id = await draft();
      await submit(id).expect(200);
      const again = await submit(id);
      problem(again, 409, 'invalid_state');
      expect(again.body.currentState).toBe('in_review');
      problem(
        await t
          .http()
          .patch(api(`/orgs/${brand.id}/contents/${id}`))
          .set(author.auth)
          .send({ title: 'x' }),
        409,
        'invalid_state',
      );
    });
  });

  describe('manual review', () => {
    it('rejects with every reason code of the guide, and the author hears why', async () => {
      const codes = [
        'illegal',
        'privacy_or_trade_secret',
        'false_or_misleading',
        'vulgar_violent_terror_pornographic',
        'advertising',
        'attack_insult_defamation',
        'other',
      ];
      for (const reasonCode of codes) {
        const id = await draft();
        await submit(id).expect(200);
        const res = await decide(await platformTaskOf(id), platformReviewerA, {
          decision: 'reject',
          reasonCode,
          note: `rejected for ${reasonCode}`,
        }).expect(200);
        expect(res.body).toMatchObject({ status: 'decided', decision: 'reject', reasonCode });
        expect((await getContent(id)).state).toBe('rejected');
        const [event] = await t.db.query(
          `SELECT reason_code FROM content_events WHERE content_id = $1 AND action = 'review.rejected'`,
          [id],
        );
        expect(event.reason_code).toBe(reasonCode);
      }
      const told = await notificationsOf(author.id, 'content.rejected');
      expect(told.length).toBeGreaterThanOrEqual(codes.length);
    });

    it('needs a reason to reject, and a note with reason `other`', async () => {
      const id = await draft();
      await submit(id).expect(200);
      const task = await platformTaskOf(id);
      problem(await decide(task, platformReviewerA, { decision: 'reject' }), 400, 'validation_failed');
      problem(
        await decide(task, platformReviewerA, { decision: 'reject', reasonCode: 'other' }),
        400,
        'validation_failed',
      );
      problem(
        await decide(task, platformReviewerA, { decision: 'reject', reasonCode: 'rude' }),
        400,
        'validation_failed',
      );
    });

    it('lets exactly one of two reviewers deciding at once win', async () => {
      const id = await draft();
      await submit(id).expect(200);
      const task = await platformTaskOf(id);
      const results = await Promise.all([
        decide(task, platformReviewerA, { decision: 'approve' }),
        decide(task, platformReviewerB, { decision: 'reject', reasonCode: 'advertising' }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const [{ n }] = await t.db.query(
        `SELECT count(*)::int AS n FROM content_events WHERE content_id = $1 AND action LIKE 'review.%'`,
        [id],
      );
      expect(n).toBe(1);
    });

    it('locks a claimed task to its reviewer until the claim expires', async () => {
      const id = await draft();
      await submit(id).expect(200);
      const task = await platformTaskOf(id);
      const claimed = await t
        .http()
        .post(api(`/platform/review-tasks/${task}/claim`))
        .set(platformReviewerA.auth)
        .expect(200);
      expect(claimed.body.claimedBy).toBe(platformReviewerA.id);
      problem(
        await t
          .http()
          .post(api(`/platform/review-tasks/${task}/claim`))
          .set(platformReviewerB.auth),
        409,
        'conflict',
      );
      problem(await decide(task, platformReviewerB, { decision: 'approve' }), 409, 'conflict');
      t.clock.advance(31 * 60_000);
      await t
        .http()
        .post(api(`/platform/review-tasks/${task}/claim`))
        .set(platformReviewerB.auth)
        .expect(200);
      await decide(task, platformReviewerB, { decision: 'approve' }).expect(200);
      problem(await decide(task, platformReviewerA, { decision: 'approve' }), 409, 'invalid_state');
    });

    it("shows reviewers the findings, the history and the author's previous rejections", async () => {
      const id = await draft({ title: '销量第一的护手霜' });
      await submit(id).expect(200);
      const detail = await t
        .http()
        .get(api(`/platform/review-tasks/${await platformTaskOf(id)}`))
        .set(platformReviewerA.auth)
        .expect(200);
      expect(detail.body.task.findings.length).toBeGreaterThan(0);
      expect(detail.body.content.id).toBe(id);
      expect(detail.body.history.map((e: { action: string }) => e.action)).toEqual(['created', 'submitted']);
      expect(detail.body.authorRejections.length).toBeGreaterThan(0);
    });

    it('keeps the platform queue from tenants and the organization queue from other tenants', async () => {
      problem(await t.http().get(api('/platform/review-tasks')).set(author.auth), 404, 'not_found');
      problem(
        await t
          .http()
          .get(api(`/orgs/${brand.id}/review-tasks`))
          .set(author.auth),
        403,
        'permission_denied',
      );
      problem(
        await t
          .http()
          .get(api(`/orgs/${brand.id}/review-tasks`))
          .set(outsider.auth),
        404,
        'not_found',
      );
    });

    it("runs the organization's own review first when its policy says so", async () => {
      await t
        .http()
        .put(api(`/orgs/${brand.id}/moderation-policy`))
        .set(brandOwner.auth)
        .send({ organizationReview: true, skipManualReviewForLowRisk: false, absoluteTermsAction: 'review' })
        .expect(200);
      try {
        const id = await draft();
        const res = await submit(id).expect(200);
        expect(res.body).toMatchObject({ outcome: 'organization_review', content: { state: 'submitted' } });
        const queue = await t
          .http()
          .get(api(`/orgs/${brand.id}/review-tasks`))
          .set(orgReviewer.auth)
          .expect(200);
        const task = queue.body.items.find((item: { contentId: string }) => item.contentId === id);
        expect(task.level).toBe('organization');
        // Authors never review their own content, whatever their permissions.
        await t
          .http()
          .post(api(`/orgs/${brand.id}/review-tasks/${task.id}/decision`))
          .set(orgReviewer.auth)
          .send({ decision: 'approve' })
          .expect(200);
        expect((await getContent(id)).state).toBe('in_review');
        await decide(await platformTaskOf(id), platformReviewerA, { decision: 'approve' }).expect(200);
        expect((await getContent(id)).state).toBe('approved');
      } finally {
        await t
          .http()
          .put(api(`/orgs/${brand.id}/moderation-policy`))
          .set(brandOwner.auth)
          .send({
            organizationReview: false,
            skipManualReviewForLowRisk: false,
            absoluteTermsAction: 'review',
          })
          .expect(200);
      }
    });
  });

  describe('the remaining edges of the state machine', () => {
    const setPolicy = (policy: Record<string, unknown>) =>
      t
        .http()
        .put(api(`/orgs/${brand.id}/moderation-policy`))
        .set(brandOwner.auth)
        .send({
          organizationReview: false,
          skipManualReviewForLowRisk: false,
          absoluteTermsAction: 'review',
          ...policy,
        })
        .expect(200);
    const orgDecide = async (contentId: string, body: Record<string, unknown>) => {
      const queue = await t
        .http()
        .get(api(`/orgs/${brand.id}/review-tasks`))
        .set(orgReviewer.auth)
        .expect(200);
      const task = queue.body.items.find((item: { contentId: string }) => item.contentId === contentId);
      return t
        .http()
        .post(api(`/orgs/${brand.id}/review-tasks/${task.id}/decision`))
        .set(orgReviewer.auth)
        .send(body);
    };
    afterEach(() => setPolicy({}));

    it('draft → approved when the policy lets clean content skip manual review; risky text still goes to review', async () => {
      await setPolicy({ skipManualReviewForLowRisk: true });
      const clean = await draft();
      expect((await submit(clean).expect(200)).body).toMatchObject({ outcome: 'approved' });
      const risky = await draft({ title: '全网最佳' });
      expect((await submit(risky).expect(200)).body).toMatchObject({ outcome: 'platform_review' });
    });

    it('submitted → rejected when the organization rejects; submitted → approved when it approves low-risk text', async () => {
      await setPolicy({ organizationReview: true, skipManualReviewForLowRisk: true });
      const rejected = await draft();
      await submit(rejected).expect(200);
      await orgDecide(rejected, { decision: 'reject', reasonCode: 'false_or_misleading' }).then((r) =>
        expect(r.status).toBe(200),
      );
      expect((await getContent(rejected)).state).toBe('rejected');
      const passed = await draft();
      await submit(passed).expect(200);
      await orgDecide(passed, { decision: 'approve' }).then((r) => expect(r.status).toBe(200));
      expect((await getContent(passed)).state).toBe('approved');
    });

    it('removed content cannot be edited or submitted; restored content can be removed again', async () => {
      const id = await approved();
      await publishNow(id);
      const removal = { reasonCode: 'breaks_law_or_rules', note: 'rule 4' };
      await t
        .http()
        .post(api(`/platform/contents/${id}/removal`))
        .set(platformAdmin.auth)
        .send(removal)
        .expect(200);
      problem(
        await t
          .http()
          .patch(api(`/orgs/${brand.id}/contents/${id}`))
          .set(author.auth)
          .send({ title: 'x' }),
        409,
        'invalid_state',
      );
      problem(await submit(id), 409, 'invalid_state');
      const request = await t
        .http()
        .post(api(`/orgs/${brand.id}/contents/${id}/restore-requests`))
        .set(author.auth)
        .send({ justification: 'The rule does not apply to this post.' })
        .expect(201);
      await t
        .http()
        .post(api(`/platform/restore-requests/${request.body.id}/decision`))
        .set(platformAdmin.auth)
        .send({ decision: 'approve' })
        .expect(200);
      expect((await getContent(id)).state).toBe('restored');
      const again = await t
        .http()
        .post(api(`/platform/contents/${id}/removal`))
        .set(platformAdmin.auth)
        .send(removal)
        .expect(200);
      expect(again.body.state).toBe('removed');
    });

    it('a rejected restore request leaves the content removed', async () => {
      const id = await approved();
      await publishNow(id);
      await t
        .http()
        .post(api(`/platform/contents/${id}/removal`))
        .set(platformAdmin.auth)
        .send({ reasonCode: 'vulgar_violent_terror_pornographic', note: 'images' })
        .expect(200);
      const request = await t
        .http()
        .post(api(`/orgs/${brand.id}/contents/${id}/restore-requests`))
        .set(author.auth)
        .send({ justification: 'These are product photos only.' })
        .expect(201);
      const decided = await t
        .http()
        .post(api(`/platform/restore-requests/${request.body.id}/decision`))
        .set(platformAdmin.auth)
        .send({ decision: 'reject', note: 'The images break rule 7.' })
        .expect(200);
      expect(decided.body).toMatchObject({ status: 'rejected', decisionNote: 'The images break rule 7.' });
      expect((await getContent(id)).state).toBe('removed');
      expect(await notificationsOf(author.id, 'content.restore_rejected')).not.toHaveLength(0);
    });
  });

  describe('editing reviewed content', () => {
    it('sends edited published text back to review, keeping every revision', async () => {
      const id = await approved();
      await publishNow(id);
      const res = await t
        .http()
        .patch(api(`/orgs/${brand.id}/contents/${id}`))
        .set(author.auth)
        .send({ body: `${CLEAN}补充说明。` })
        .expect(200);
      expect(res.body).toMatchObject({ state: 'in_review', revision: 2 });
      const revisions = await t.db.query(
        `SELECT revision, editor_role FROM content_revisions WHERE content_id = $1 ORDER BY revision`,
        [id],
      );
      expect(revisions).toEqual([
        { revision: 1, editor_role: 'author' },
        { revision: 2, editor_role: 'author' },
      ]);
      const listed = await t
        .http()
        .get(api(`/orgs/${brand.id}/contents/${id}/revisions`))
        .set(author.auth)
        .expect(200);
      expect(listed.body.map((r: { revision: number; body: string }) => [r.revision, r.body])).toEqual([
        [2, `${CLEAN}补充说明。`],
        [1, CLEAN],
      ]);
      await t
        .http()
        .get(api(`/orgs/${brand.id}/contents/${id}/revisions`))
        .set(coAuthor.auth)
        .expect(404);
    });

    it('lets a platform editor correct text, as a platform revision', async () => {
      const id = await approved();
      await publishNow(id);
      const res = await t
        .http()
        .patch(api(`/platform/contents/${id}`))
        .set(platformAdmin.auth)
        .send({ title: '护手霜分享（已更正）' })
        .expect(200);
      expect(res.body.state).toBe('in_review');
      const [latest] = await t.db.query(
        `SELECT editor_role FROM content_revisions WHERE content_id = $1 ORDER BY revision DESC LIMIT 1`,
        [id],
      );
      expect(latest.editor_role).toBe('platform');
    });
  });

  describe('removal and restore', () => {
    const remove = (id: string, reasonCode: string) =>
      t
        .http()
        .post(api(`/platform/contents/${id}/removal`))
        .set(platformAdmin.auth)
        .send({ reasonCode, note: 'see the guide' });
    const requestRestore = (id: string) =>
      t
        .http()
        .post(api(`/orgs/${brand.id}/contents/${id}/restore-requests`))
        .set(author.auth)
        .send({ justification: 'The claim is backed by a published test report.' });

    it('removes with each reason code of the guide, keeps the content and tells the author', async () => {
      const toldBefore = (await notificationsOf(author.id, 'content.removed')).length;
      for (const reasonCode of [
        'breaks_law_or_rules',
        'private_data_or_trade_secret',
        'false_misleading_or_unverified',
        'vulgar_violent_terror_pornographic',
      ]) {
        const id = await approved();
        await publishNow(id);
        const res = await remove(id, reasonCode).expect(200);
        expect(res.body).toMatchObject({ state: 'removed', removalReasonCode: reasonCode, body: CLEAN });
      }
      expect((await notificationsOf(author.id, 'content.removed')).length).toBe(toldBefore + 4);
      problem(await remove(await draft(), 'breaks_law_or_rules'), 409, 'invalid_state');
      problem(
        await t
          .http()
          .post(api(`/platform/contents/${await draft()}/removal`))
          .set(platformAdmin.auth)
          .send({ reasonCode: 'ugly', note: 'x' }),
        400,
        'validation_failed',
      );
      problem(
        await t
          .http()
          .post(api(`/platform/contents/${await draft()}/removal`))
          .set(platformReviewerA.auth)
          .send({ reasonCode: 'breaks_law_or_rules', note: 'x' }),
        403,
        'permission_denied',
      );
    });

    it('accepts a restore request on the last day of the window and refuses it a moment later', async () => {
      const onTime = await approved();
      const late = await approved();
      await publishNow(onTime);
      await publishNow(late);
      await remove(onTime, 'false_misleading_or_unverified').expect(200);
      await remove(late, 'false_misleading_or_unverified').expect(200);

      // Removed exactly 30 days ago: the last moment of the window.
      const backdate = (id: string, ms: number) =>
        t.db.query(`UPDATE contents SET removed_at = $2 WHERE id = $1`, [
          id,
          new Date(t.clock.now().getTime() - ms),
        ]);
      await backdate(onTime, 30 * DAY);
      await backdate(late, 30 * DAY + 1);
      const res = await requestRestore(onTime).expect(201);
      expect(res.body).toMatchObject({ status: 'pending', contentId: onTime });
      problem(await requestRestore(onTime), 409, 'duplicate');

      const refused = await requestRestore(late);
      problem(refused, 422, 'unprocessable');
      expect(refused.body.deadline).toBeTruthy();

      const queue = await t.http().get(api('/platform/restore-requests')).set(platformAdmin.auth).expect(200);
      expect(queue.body.items.map((r: { contentId: string }) => r.contentId)).toContain(onTime);
      const decided = await t
        .http()
        .post(api(`/platform/restore-requests/${res.body.id}/decision`))
        .set(platformAdmin.auth)
        .send({ decision: 'approve' })
        .expect(200);
      expect(decided.body.status).toBe('approved');
      expect((await getContent(onTime)).state).toBe('restored');
      problem(
        await t
          .http()
          .post(api(`/platform/restore-requests/${res.body.id}/decision`))
          .set(platformAdmin.auth)
          .send({ decision: 'approve' }),
        409,
        'invalid_state',
      );
    });

    it('re-runs automatic review before restoring: text that would be blocked stays removed', async () => {
      const id = await approved();
      await publishNow(id);
      await remove(id, 'private_data_or_trade_secret').expect(200);
      // The lexicon grew since it was published: the text is now blocked.
      const word = await t
        .http()
        .post(api(`/orgs/${brand.id}/sensitive-words`))
        .set(brandOwner.auth)
        .send({ term: '护手霜', category: 'custom', severity: 'high', action: 'block' })
        .expect(201);
      try {
        const request = await requestRestore(id).expect(201);
        const decided = await t
          .http()
          .post(api(`/platform/restore-requests/${request.body.id}/decision`))
          .set(platformAdmin.auth)
          .send({ decision: 'approve' })
          .expect(200);
        expect(decided.body.status).toBe('rejected');
        expect(decided.body.findings.length).toBeGreaterThan(0);
        expect((await getContent(id)).state).toBe('removed');
      } finally {
        await t
          .http()
          .delete(api(`/orgs/${brand.id}/sensitive-words/${word.body.id}`))
          .set(brandOwner.auth)
          .expect(204);
      }
    });

    it('refuses a restore request for content that is not removed', async () => {
      const id = await draft();
      problem(await requestRestore(id), 409, 'invalid_state');
    });
  });

  describe('editor powers and the public listing', () => {
    it('lists pinned first, then by sort weight, then newest; a pin past its end drops', async () => {
      const category = `cat-${Date.now()}`;
      const ids: Record<string, string> = {};
      for (const name of ['old', 'heavy', 'pinned', 'pinnedBriefly', 'newest']) {
        ids[name] = await approved({ category });
        await publishNow(ids[name]);
        t.clock.advance(1000);
      }
      const editorial = (id: string, body: Record<string, unknown>) =>
        t
          .http()
          .post(api(`/platform/contents/${id}/editorial`))
          .set(platformAdmin.auth)
          .send(body)
          .expect(200);
      await editorial(ids.heavy, { sortWeight: 10, featured: true });
      await editorial(ids.pinned, { pinned: true, recommended: true });
      await editorial(ids.pinnedBriefly, {
        pinnedUntil: new Date(t.clock.now().getTime() + 60_000).toISOString(),
      });

      const list = async (query = '') =>
        (
          await t
            .http()
            .get(api(`/public/contents?category=${category}${query}`))
            .expect(200)
        ).body;
      expect((await list()).items.map((c: { id: string }) => c.id)).toEqual([
        ids.pinnedBriefly,
        ids.pinned,
        ids.heavy,
        ids.newest,
        ids.old,
      ]);
      t.clock.advance(120_000);
      expect((await list()).items.map((c: { id: string }) => c.id)).toEqual([
        ids.pinned,
        ids.heavy,
        ids.newest,
        ids.pinnedBriefly,
        ids.old,
      ]);
      expect((await list('&recommended=true')).items.map((c: { id: string }) => c.id)).toEqual([ids.pinned]);
      expect((await list('&featured=true')).items.map((c: { id: string }) => c.id)).toEqual([ids.heavy]);

      const first = await list('&limit=2');
      const second = await list(`&limit=2&cursor=${first.nextCursor}`);
      const third = await list(`&limit=2&cursor=${second.nextCursor}`);
      expect([...first.items, ...second.items, ...third.items].map((c: { id: string }) => c.id)).toEqual([
        ids.pinned,
        ids.heavy,
        ids.newest,
        ids.pinnedBriefly,
        ids.old,
      ]);
      expect(third.nextCursor).toBeNull();
    });

    it('never lists drafts or removed content, and refuses bad filters', async () => {
      const id = await draft({ category: 'hidden' });
      await t
        .http()
        .get(api(`/public/contents/${id}`))
        .expect(404);
      problem(await t.http().get(api('/public/contents?recommended=maybe')), 400, 'validation_failed');
      problem(await t.http().get(api('/public/contents?cursor=bm9wZQ')), 400, 'validation_failed');
      problem(
        await t
          .http()
          .post(api(`/platform/contents/${id}/editorial`))
          .set(author.auth)
          .send({ featured: true }),
        404,
        'not_found',
      );
    });
  });

  describe('publishing', () => {
    it('publishes approved platform content through the job; it then shows publicly', async () => {
      const id = await approved({ category: 'published-by-job' });
      // Other approved content of earlier tests goes out in the same pass.
      expect((await t.get(ContentPublishJob).runDue()).published).toBeGreaterThanOrEqual(1);
      const content = await getContent(id);
      expect(content).toMatchObject({ state: 'published' });
      expect(content.publishedAt).toBeTruthy();
      const listed = await t.http().get(api('/public/contents?category=published-by-job')).expect(200);
      expect(listed.body.items.map((c: { id: string }) => c.id)).toEqual([id]);
    });

    it('retries failed publishing on request, only from publish_failed, only with content:publish', async () => {
      const id = await approved();
      await t.db.query(
        `UPDATE contents SET state = 'publish_failed', last_publish_error = 'upstream down', publish_attempts = 5 WHERE id = $1`,
        [id],
      );
      problem(
        await t
          .http()
          .post(api(`/orgs/${brand.id}/contents/${id}/publish-retry`))
          .set(viewer.auth),
        403,
        'permission_denied',
      );
      const res = await t
        .http()
        .post(api(`/orgs/${brand.id}/contents/${id}/publish-retry`))
        .set(author.auth)
        .expect(200);
      expect(res.body).toMatchObject({ state: 'approved', lastPublishError: null });
      const again = await t
        .http()
        .post(api(`/orgs/${brand.id}/contents/${id}/publish-retry`))
        .set(author.auth);
      problem(again, 409, 'invalid_state');
      expect(again.body.currentState).toBe('approved');
    });
  });

  describe('platform search', () => {
    it("lets platform staff find any organization's content by organization, state and title", async () => {
      const id = await draft({ title: '限时 50% 折扣' });
      await draft({ title: '普通标题' });
      const list = async (query: string) =>
        (
          await t
            .http()
            .get(api(`/platform/contents?${query}`))
            .set(platformReviewerA.auth)
            .expect(200)
        ).body.items.map((c: { id: string }) => c.id);
      expect(await list(`orgId=${brand.id}&state=draft&q=${encodeURIComponent('50%')}`)).toEqual([id]);
      expect(await list(`orgId=${otherBrand.id}`)).not.toContain(id);
      const one = await t
        .http()
        .get(api(`/platform/contents/${id}`))
        .set(platformReviewerA.auth)
        .expect(200);
      expect(one.body).toMatchObject({ id, orgId: brand.id });
      problem(await t.http().get(api('/platform/contents')).set(brandOwner.auth), 404, 'not_found');
      problem(
        await t.http().get(api('/platform/contents?state=lost')).set(platformReviewerA.auth),
        400,
        'validation_failed',
      );
    });
  });

  describe('targets', () => {
    it('lets an agency target an authorized, assigned account only with a publish authorization', async () => {
      const account = await insertAccount(t, brand);
      const target = { kind: 'social_account', accountId: account };
      const create = () =>
        t
          .http()
          .post(api(`/orgs/${agency.id}/contents`))
          .set(agencyOperator.auth)
          .send({ kind: 'video', title: '开箱', body: CLEAN, target });
      problem(await create(), 422, 'reference_not_found');
      const authorization = await insertAuthorization(t, brand, agency, [account], { scopes: ['analytics'] });
      // Authorized but not assigned to the operator: the account is out of their scope, as if absent.
      problem(await create(), 422, 'reference_not_found');
      await insertAssignment(t, agency, account, { memberId: agencyOperator.id });
      problem(await create(), 403, 'authorization_scope_missing');
      await t.db.query(`UPDATE account_authorizations SET scopes = '{publish}' WHERE id = $1`, [
        authorization,
      ]);
      await create().expect(201);
      await t.db.query(
        `UPDATE social_accounts SET status = 'frozen', status_reason = 'audit' WHERE id = $1`,
        [account],
      );
      problem(await create(), 409, 'social_account_unavailable');
    });
  });

  describe('through the generated client', () => {
    it('drafts, edits with If-Match, submits and is approved by the platform', async () => {
      const asAuthor = apiClient(t, { accessToken: author.token });
      const created = await asAuthor.POST('/api/v1/orgs/{orgId}/contents', {
        params: { path: { orgId: brand.id } },
        body: {
          kind: 'post',
          title: '客户端草稿',
          body: CLEAN,
          tags: ['护手霜'],
          target: { kind: 'platform', channel: 'community' },
        },
      });
      const content = expectData(created, 201);
      expect(content).toMatchObject({ state: 'draft', revision: 1, ownerId: author.id, tags: ['护手霜'] });
      const etag = String(created.response.headers.get('etag'));
      const path = { orgId: brand.id, contentId: content.id };

      const edited = await asAuthor.PATCH('/api/v1/orgs/{orgId}/contents/{contentId}', {
        params: { path, header: { 'If-Match': etag } },
        body: { title: '客户端草稿（改）' },
      });
      expect(expectData(edited, 200)).toMatchObject({ revision: 2, title: '客户端草稿（改）', body: CLEAN });
      expect(edited.response.headers.get('etag')).not.toBe(etag);
      const stale = await asAuthor.PATCH('/api/v1/orgs/{orgId}/contents/{contentId}', {
        params: { path, header: { 'If-Match': etag } },
        body: { title: 'stale' },
      });
      expect(expectProblem(stale, 412).code).toBe('precondition_failed');

      const submitted = expectData(
        await asAuthor.POST('/api/v1/orgs/{orgId}/contents/{contentId}/submit', { params: { path } }),
        200,
      );
      expect(submitted).toMatchObject({
        outcome: 'platform_review',
        findings: [],
        content: { state: 'in_review' },
      });

      const decided = await apiClient(t, { accessToken: platformReviewerA.token }).POST(
        '/api/v1/platform/review-tasks/{taskId}/decision',
        { params: { path: { taskId: await platformTaskOf(content.id) } }, body: { decision: 'approve' } },
      );
      expect(decided.response.status).toBe(200);
      const read = expectData(
        await asAuthor.GET('/api/v1/orgs/{orgId}/contents/{contentId}', { params: { path } }),
        200,
      );
      expect(read).toMatchObject({ state: 'approved', revision: 2, title: '客户端草稿（改）' });
      const history = expectData(
        await asAuthor.GET('/api/v1/orgs/{orgId}/contents/{contentId}/history', { params: { path } }),
        200,
      );
      expect(history.map((h) => h.toState)).toEqual(expect.arrayContaining(['in_review', 'approved']));
      const [row] = await t.db.query(`SELECT state, revision FROM contents WHERE id = $1`, [content.id]);
      expect(row).toEqual({ state: 'approved', revision: 2 });
    });
  });
});
