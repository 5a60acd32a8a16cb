import { Actor } from '../src/modules/access/actor';
import { ContentPublishJob } from '../src/modules/content/publishing/content-publish.job';
import { ContentPublisher } from '../src/modules/content/publishing/content-publisher';
import {
  PublishConnector,
  PublishError,
  PublishRequest,
  PublishResult,
} from '../src/modules/content/publishing/publish-connector';
import { sandboxPostId, SandboxConnector } from '../src/modules/content/publishing/sandbox/sandbox.connector';
import { CredentialSealer, OAuthSecret } from '../src/modules/social-accounts/credentials/credential-secret';
import { OutboxService } from '../src/platform/notifications/outbox/outbox.service';
import { apiClient, expectData, expectProblem } from './support/api-client';
import { makeUser, TestUser } from './support/factories';
import { FakeDouyin } from './support/fake-douyin';
import { FixtureOrg, insertMember, insertOrg, insertUnit } from './support/org-fixtures';
import { insertAccount, insertAssignment, insertAuthorization } from './support/social-fixtures';
import { createTestApp, TestApp } from './support/test-app';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const api = (path: string) => `/api/v1${path}`;

/** The variables these tests set; put back afterwards so other test files in this worker get defaults. */
const ENV_KEYS = [
  'PUBLISH_CONNECTOR',
  'PUBLISH_MAX_ATTEMPTS',
  'PUBLISH_RETRY_BASE_SECONDS',
  'DOUYIN_OPEN_API_BASE_URL',
  'DOUYIN_CLIENT_KEY',
  'DOUYIN_HTTP_TIMEOUT_SECONDS',
];
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
afterAll(() => {
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

/**
 * The sandbox connector, with failures a test can queue: the real SandboxConnector does the work
 * (its table is what "published once" is checked against), this wrapper counts calls and fails on cue.
 */
class ScriptedSandbox implements PublishConnector {
  readonly name = 'sandbox';
  real?: SandboxConnector;
  calls = 0;
  readonly failures: PublishError[] = [];

  async publish(request: PublishRequest): Promise<PublishResult> {
    this.calls += 1;
    const failure = this.failures.shift();
    if (failure) throw failure;
    return this.real!.publish(request);
  }
}

interface ContentOptions {
  ownerId?: string | null;
  accountId?: string;
  channel?: string;
  publishAt?: Date | null;
  kind?: 'video' | 'image_text' | 'article' | 'post';
  title?: string;
  attachments?: object[];
  tags?: string[];
}

/** Approved content written straight into the table, as the content module leaves it after review. */
async function insertApprovedContent(
  t: TestApp,
  org: FixtureOrg,
  options: ContentOptions = {},
): Promise<string> {
  const [{ id }] = await t.db.query(
    `INSERT INTO contents (org_id, unit_id, owner_id, kind, title, body, attachments, tags, target_kind,
                           target_channel, target_account_id, publish_at, state, state_changed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12, 'approved', $13) RETURNING id`,
    [
      org.id,
      org.rootUnitId,
      options.ownerId ?? null,
      options.kind ?? 'post',
      options.title ?? 'Spring launch',
      'Our spring collection is here.',
      JSON.stringify(options.attachments ?? []),
      options.tags ?? [],
      options.accountId ? 'social_account' : 'platform',
      options.accountId ? null : (options.channel ?? 'community'),
      options.accountId ?? null,
      options.publishAt ?? null,
      t.clock.now(),
    ],
  );
  return id;
}

const contentRow = async (t: TestApp, id: string) => {
  const [row] = await t.db.query(
    `SELECT state, publish_attempts, next_publish_attempt_at, last_publish_error, external_post_id, published_at, version
       FROM contents WHERE id = $1`,
    [id],
  );
  return row as {
    state: string;
    publish_attempts: number;
    next_publish_attempt_at: Date | null;
    last_publish_error: string | null;
    external_post_id: string | null;
    published_at: Date | null;
    version: number;
  };
};

const attemptsOf = async (t: TestApp, contentId: string) =>
  (await t.db.query(
    `SELECT attempt, connector, outcome, error, external_post_id, finished_at
       FROM content_publish_attempts WHERE content_id = $1 ORDER BY created_at, attempt`,
    [contentId],
  )) as {
    attempt: number;
    connector: string;
    outcome: string;
    error: string | null;
    external_post_id: string | null;
  }[];

const usageRecords = async (t: TestApp, accountId: string, action: string) =>
  (await t.db.query(
    `SELECT actor_org_id, agency_org_id, actor_user_id, details FROM account_usage_records
      WHERE account_id = $1 AND action = $2 ORDER BY seq`,
    [accountId, action],
  )) as {
    actor_org_id: string;
    agency_org_id: string | null;
    actor_user_id: string | null;
    details: Record<string, unknown>;
  }[];

const eventsOf = async (t: TestApp, contentId: string) =>
  (await t.db.query(
    `SELECT from_state, to_state, action, reason_code, actor_user_id FROM content_events WHERE content_id = $1 ORDER BY created_at, id`,
    [contentId],
  )) as {
    from_state: string;
    to_state: string;
    action: string;
    reason_code: string | null;
    actor_user_id: string | null;
  }[];

const notificationsOf = async (t: TestApp, userId: string, contentId: string) => {
  await t.get(OutboxService).drain();
  return (await t.db.query(
    `SELECT type, title, body FROM notifications WHERE user_id = $1 AND data->>'contentId' = $2 ORDER BY created_at`,
    [userId, contentId],
  )) as { type: string; title: string; body: string }[];
};

describe('content publishing', () => {
  describe('with the sandbox connector', () => {
    let t: TestApp;
    const sandbox = new ScriptedSandbox();
    let brand: FixtureOrg;
    let agency: FixtureOrg;
    let otherBrand: FixtureOrg;
    let brandAuthor: TestUser;
    let agencyAuthor: TestUser;
    let agencyColleague: TestUser;
    let agencyOutsider: TestUser;
    let otherTenantOwner: TestUser;
    let agencyTeam: string;

    const job = () => t.get(ContentPublishJob);
    const sandboxRows = async (contentId: string) =>
      (await t.db.query(
        `SELECT attempt, account_id, title, external_post_id FROM sandbox_publications WHERE content_id = $1`,
        [contentId],
      )) as { attempt: number; account_id: string; title: string; external_post_id: string }[];

    /** An account of the brand, authorized to the agency for `scopes` and assigned there. */
    const agencyAccount = async (scopes: ('publish' | 'analytics')[] = ['publish', 'analytics']) => {
      const accountId = await insertAccount(t, brand);
      const authorizationId = await insertAuthorization(t, brand, agency, [accountId], { scopes });
      await insertAssignment(t, agency, accountId, { unitId: agencyTeam });
      return { accountId, authorizationId };
    };

    beforeAll(async () => {
      t = await createTestApp({
        env: { PUBLISH_CONNECTOR: 'sandbox', PUBLISH_MAX_ATTEMPTS: '3', PUBLISH_RETRY_BASE_SECONDS: '60' },
        overrides: [{ provide: SandboxConnector, useValue: sandbox }],
      });
      sandbox.real = new SandboxConnector(t.db, t.clock);
      brand = await insertOrg(t, { kind: 'brand', name: 'Brand Co' });
      agency = await insertOrg(t, { kind: 'agency', name: 'Agency Co' });
      otherBrand = await insertOrg(t, { kind: 'brand', name: 'Other Brand' });
      agencyTeam = await insertUnit(t, agency, agency.rootUnitId, 'Team A');
      [brandAuthor, agencyAuthor, agencyColleague, agencyOutsider, otherTenantOwner] = await Promise.all(
        Array.from({ length: 5 }, () => makeUser(t)),
      );
      await insertMember(t, brand, brandAuthor.id, { grants: [{ role: 'owner' }] });
      // Operators see only their own content (self scope): the colleague must not see the author's attempts.
      await insertMember(t, agency, agencyAuthor.id, {
        unitId: agencyTeam,
        grants: [{ role: 'operator', unitId: agencyTeam, scope: 'self' }],
      });
      await insertMember(t, agency, agencyColleague.id, {
        unitId: agencyTeam,
        grants: [{ role: 'operator', unitId: agencyTeam, scope: 'self' }],
      });
      await insertMember(t, agency, agencyOutsider.id, { grants: [{ permission: 'org:read' }] });
      await insertMember(t, otherBrand, otherTenantOwner.id, { grants: [{ role: 'owner' }] });
    });
    afterAll(() => t.close());
    beforeEach(async () => {
      sandbox.calls = 0;
      sandbox.failures.length = 0;
      // Nothing left due from an earlier test may be published by this one's passes.
      await t.db.query(
        `UPDATE contents SET deleted_at = now() WHERE state = 'approved' AND deleted_at IS NULL`,
      );
    });

    it('waits until publish_at, then publishes once: a second pass sends nothing again', async () => {
      const accountId = await insertAccount(t, brand);
      const contentId = await insertApprovedContent(t, brand, {
        ownerId: brandAuthor.id,
        accountId,
        publishAt: new Date(t.clock.now().getTime() + HOUR),
      });

      expect(await job().runDue()).toMatchObject({ published: 0, failed: 0, refused: 0, retrying: 0 });
      expect((await contentRow(t, contentId)).state).toBe('approved');
      expect(await attemptsOf(t, contentId)).toHaveLength(0);

      t.clock.advance(HOUR + 1000);
      expect(await job().runDue()).toMatchObject({ published: 1 });
      const row = await contentRow(t, contentId);
      expect(row).toMatchObject({
        state: 'published',
        external_post_id: sandboxPostId(contentId, 1),
        last_publish_error: null,
        next_publish_attempt_at: null,
      });
      expect(row.published_at).toEqual(t.clock.now());

      expect(await job().runDue()).toMatchObject({ published: 0 });
      expect(sandbox.calls).toBe(1);
      expect(await sandboxRows(contentId)).toEqual([
        {
          attempt: 1,
          account_id: accountId,
          title: 'Spring launch',
          external_post_id: sandboxPostId(contentId, 1),
        },
      ]);
      expect(await attemptsOf(t, contentId)).toMatchObject([
        { attempt: 1, connector: 'sandbox', outcome: 'succeeded' },
      ]);

      // The brand published on its own account: one usage record, by the system, for the brand.
      const records = await usageRecords(t, accountId, 'content.published');
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ actor_org_id: brand.id, agency_org_id: null, actor_user_id: null });
      expect(records[0].details).toMatchObject({
        contentId,
        connector: 'sandbox',
        externalPostId: sandboxPostId(contentId, 1),
      });
      expect(await eventsOf(t, contentId)).toEqual([
        {
          from_state: 'approved',
          to_state: 'published',
          action: 'published',
          reason_code: null,
          actor_user_id: null,
        },
      ]);
      expect(await notificationsOf(t, brandAuthor.id, contentId)).toMatchObject([
        { type: 'content.published' },
      ]);
    });

    it('publishes as soon as approved when there is no publish_at', async () => {
      const { accountId } = await agencyAccount();
      const contentId = await insertApprovedContent(t, agency, { ownerId: agencyAuthor.id, accountId });
      expect(await job().runDue()).toMatchObject({ published: 1 });
      expect((await contentRow(t, contentId)).state).toBe('published');
      const [record] = await usageRecords(t, accountId, 'content.published');
      // An agency's publishing is on the brand's record, named for the agency so it can read it too.
      expect(record).toMatchObject({ actor_org_id: agency.id, agency_org_id: agency.id });
    });

    it('publishes once when two passes run at the same time', async () => {
      const { accountId } = await agencyAccount();
      const contentIds = await Promise.all(
        Array.from({ length: 3 }, () =>
          insertApprovedContent(t, agency, { ownerId: agencyAuthor.id, accountId }),
        ),
      );
      const [first, second] = await Promise.all([job().runDue(), job().runDue()]);
      expect(first.published + second.published).toBe(3);
      expect(sandbox.calls).toBe(3);
      for (const contentId of contentIds) {
        expect(await sandboxRows(contentId)).toHaveLength(1);
        expect(await attemptsOf(t, contentId)).toMatchObject([{ attempt: 1, outcome: 'succeeded' }]);
      }
      expect(await usageRecords(t, accountId, 'content.published')).toHaveLength(3);
    });

    it('refuses, without calling the connector, when the brand revoked the authorization before publish time', async () => {
      const { accountId, authorizationId } = await agencyAccount();
      const contentId = await insertApprovedContent(t, agency, {
        ownerId: agencyAuthor.id,
        accountId,
        publishAt: new Date(t.clock.now().getTime() + DAY),
      });
      await t.db.query(
        `UPDATE account_authorizations SET status = 'revoked', revoked_at = $2 WHERE id = $1`,
        [authorizationId, t.clock.now()],
      );
      t.clock.advance(DAY);

      expect(await job().runDue()).toMatchObject({ refused: 1, published: 0 });
      expect(sandbox.calls).toBe(0);
      expect(await sandboxRows(contentId)).toHaveLength(0);
      const row = await contentRow(t, contentId);
      expect(row.state).toBe('publish_failed');
      expect(row.last_publish_error).toMatch(/revoked the authorization to publish/);
      expect(await attemptsOf(t, contentId)).toMatchObject([
        { attempt: 1, connector: 'none', outcome: 'refused' },
      ]);

      const refused = await usageRecords(t, accountId, 'content.publish_refused');
      expect(refused).toHaveLength(1);
      expect(refused[0]).toMatchObject({ agency_org_id: agency.id, actor_user_id: null });
      expect(refused[0].details).toMatchObject({ contentId, reasonCode: 'authorization_revoked' });
      expect(String(refused[0].details.reason)).toMatch(/revoked/);
      expect(await usageRecords(t, accountId, 'content.published')).toHaveLength(0);
      expect(await eventsOf(t, contentId)).toMatchObject([
        {
          from_state: 'approved',
          to_state: 'publish_failed',
          action: 'publish.refused',
          reason_code: 'authorization_revoked',
        },
      ]);
      const [notice] = await notificationsOf(t, agencyAuthor.id, contentId);
      expect(notice).toMatchObject({ type: 'content.publish_refused' });
      expect(notice.body).toMatch(/Nothing was sent/);

      // Nothing more happens on later passes.
      t.clock.advance(HOUR);
      expect(await job().runDue()).toMatchObject({ refused: 0 });
      expect(await usageRecords(t, accountId, 'content.publish_refused')).toHaveLength(1);
    });

    it('refuses an expired authorization, one without the publish scope, and an unassigned account', async () => {
      const expiring = await agencyAccount();
      await t.db.query(`UPDATE account_authorizations SET valid_until = $2 WHERE id = $1`, [
        expiring.authorizationId,
        new Date(t.clock.now().getTime() + MINUTE),
      ]);
      const readOnly = await agencyAccount(['analytics']);
      const unassigned = await agencyAccount();
      await t.db.query(`DELETE FROM account_assignments WHERE account_id = $1`, [unassigned.accountId]);
      const ids = {
        expired: await insertApprovedContent(t, agency, {
          ownerId: agencyAuthor.id,
          accountId: expiring.accountId,
        }),
        scope: await insertApprovedContent(t, agency, {
          ownerId: agencyAuthor.id,
          accountId: readOnly.accountId,
        }),
        assignment: await insertApprovedContent(t, agency, {
          ownerId: agencyAuthor.id,
          accountId: unassigned.accountId,
        }),
      };
      t.clock.advance(2 * MINUTE);

      expect(await job().runDue()).toMatchObject({ refused: 3 });
      expect(sandbox.calls).toBe(0);
      const codes = async (id: string) => (await eventsOf(t, id)).map((e) => e.reason_code);
      expect(await codes(ids.expired)).toEqual(['authorization_expired']);
      expect(await codes(ids.scope)).toEqual(['authorization_scope_missing']);
      expect(await codes(ids.assignment)).toEqual(['account_not_assigned']);
      expect(await usageRecords(t, readOnly.accountId, 'content.publish_refused')).toHaveLength(1);
    });

    it('refuses a frozen account, for the owning brand as for an agency', async () => {
      const frozenOwn = await insertAccount(t, brand, { status: 'frozen' });
      const agencys = await agencyAccount();
      await t.db.query(`UPDATE social_accounts SET status = 'frozen' WHERE id = $1`, [agencys.accountId]);
      const own = await insertApprovedContent(t, brand, { ownerId: brandAuthor.id, accountId: frozenOwn });
      const operated = await insertApprovedContent(t, agency, {
        ownerId: agencyAuthor.id,
        accountId: agencys.accountId,
      });

      expect(await job().runDue()).toMatchObject({ refused: 2 });
      expect(sandbox.calls).toBe(0);
      for (const [id, accountId] of [
        [own, frozenOwn],
        [operated, agencys.accountId],
      ]) {
        const row = await contentRow(t, id);
        expect(row.state).toBe('publish_failed');
        expect(row.last_publish_error).toMatch(/is frozen/);
        expect(await usageRecords(t, accountId, 'content.publish_refused')).toHaveLength(1);
      }
    });

    it('retries a retryable failure with backoff, then publishes', async () => {
      const { accountId } = await agencyAccount();
      const contentId = await insertApprovedContent(t, agency, { ownerId: agencyAuthor.id, accountId });
      sandbox.failures.push(new PublishError('The platform is busy', true, 'test.busy'));

      const start = t.clock.now();
      expect(await job().runDue()).toMatchObject({ retrying: 1 });
      let row = await contentRow(t, contentId);
      expect(row.state).toBe('approved');
      expect(row.last_publish_error).toBe('The platform is busy [test.busy]');
      expect(row.next_publish_attempt_at).toEqual(new Date(start.getTime() + 60_000));

      t.clock.advance(59_000);
      expect(await job().runDue()).toMatchObject({ published: 0, retrying: 0 });
      t.clock.advance(2_000);
      expect(await job().runDue()).toMatchObject({ published: 1 });
      row = await contentRow(t, contentId);
      expect(row).toMatchObject({
        state: 'published',
        last_publish_error: null,
        external_post_id: sandboxPostId(contentId, 2),
      });
      expect(await attemptsOf(t, contentId)).toMatchObject([
        { attempt: 1, outcome: 'failed', error: 'The platform is busy [test.busy]' },
        { attempt: 2, outcome: 'succeeded' },
      ]);
      expect(sandbox.calls).toBe(2);
      // Only the end of publishing is recorded on the account: the retry is not.
      expect(await usageRecords(t, accountId, 'content.publish_failed')).toHaveLength(0);
      expect(await usageRecords(t, accountId, 'content.published')).toHaveLength(1);
    });

    it('ends in publish_failed after the last attempt, with every error visible in the attempts endpoint', async () => {
      const { accountId } = await agencyAccount();
      const contentId = await insertApprovedContent(t, agency, { ownerId: agencyAuthor.id, accountId });
      for (let n = 1; n <= 3; n += 1)
        sandbox.failures.push(new PublishError(`Timeout number ${n}`, true, 'test.timeout'));

      expect(await job().runDue()).toMatchObject({ retrying: 1 });
      t.clock.advance(60_000);
      expect(await job().runDue()).toMatchObject({ retrying: 1 });
      t.clock.advance(119_000);
      expect(await job().runDue()).toMatchObject({ retrying: 0, failed: 0 });
      t.clock.advance(1_000);
      expect(await job().runDue()).toMatchObject({ failed: 1 });

      const row = await contentRow(t, contentId);
      expect(row.state).toBe('publish_failed');
      expect(row.last_publish_error).toBe('Timeout number 3 [test.timeout]');
      expect(sandbox.calls).toBe(3);
      const failed = await usageRecords(t, accountId, 'content.publish_failed');
      expect(failed).toHaveLength(1);
      expect(failed[0].details).toMatchObject({
        contentId,
        attempt: 3,
        error: 'Timeout number 3 [test.timeout]',
      });
      expect(await notificationsOf(t, agencyAuthor.id, contentId)).toMatchObject([
        { type: 'content.publish_failed' },
      ]);

      const res = await t
        .http()
        .get(api(`/orgs/${agency.id}/contents/${contentId}/publish-attempts`))
        .set(agencyAuthor.auth)
        .expect(200);
      expect(res.body.nextCursor).toBeNull();
      expect(res.body.items).toMatchObject([
        {
          contentId,
          attempt: 3,
          connector: 'sandbox',
          outcome: 'failed',
          error: 'Timeout number 3 [test.timeout]',
          externalPostId: null,
        },
        { attempt: 2, outcome: 'failed', error: 'Timeout number 2 [test.timeout]' },
        { attempt: 1, outcome: 'failed', error: 'Timeout number 1 [test.timeout]' },
      ]);
      expect(res.body.items[0].finishedAt).toEqual(expect.any(String));

      const page = await t
        .http()
        .get(api(`/orgs/${agency.id}/contents/${contentId}/publish-attempts?limit=2`))
        .set(agencyAuthor.auth)
        .expect(200);
      expect(page.body.items.map((a: { attempt: number }) => a.attempt)).toEqual([3, 2]);
      const rest = await t
        .http()
        .get(
          api(
            `/orgs/${agency.id}/contents/${contentId}/publish-attempts?limit=2&cursor=${page.body.nextCursor}`,
          ),
        )
        .set(agencyAuthor.auth)
        .expect(200);
      expect(rest.body).toMatchObject({ items: [{ attempt: 1 }], nextCursor: null });
    });

    it('gives up at once on a permanent failure', async () => {
      const { accountId } = await agencyAccount();
      const contentId = await insertApprovedContent(t, agency, { ownerId: agencyAuthor.id, accountId });
      sandbox.failures.push(new PublishError('The platform rejects this text', false, 'test.rejected'));
      expect(await job().runDue()).toMatchObject({ failed: 1 });
      expect(await contentRow(t, contentId)).toMatchObject({
        state: 'publish_failed',
        last_publish_error: 'The platform rejects this text [test.rejected]',
      });
      expect(await attemptsOf(t, contentId)).toHaveLength(1);
    });

    it('ends a pending attempt whose lease ran out as "outcome unknown", without sending again', async () => {
      const { accountId } = await agencyAccount();
      const contentId = await insertApprovedContent(t, agency, { ownerId: agencyAuthor.id, accountId });
      // What a process that died mid-call leaves: a pending attempt and a lease that has ended.
      await t.db.query(
        `UPDATE contents SET publish_attempts = 1, next_publish_attempt_at = $2 WHERE id = $1`,
        [contentId, new Date(t.clock.now().getTime() - MINUTE)],
      );
      await t.db.query(
        `INSERT INTO content_publish_attempts (content_id, attempt, connector, outcome, created_at)
         VALUES ($1, 1, 'sandbox', 'pending', $2)`,
        [contentId, new Date(t.clock.now().getTime() - 20 * MINUTE)],
      );

      expect(await job().runDue()).toMatchObject({ failed: 1, published: 0 });
      expect(sandbox.calls).toBe(0);
      expect(await sandboxRows(contentId)).toHaveLength(0);
      const row = await contentRow(t, contentId);
      expect(row.state).toBe('publish_failed');
      expect(row.last_publish_error).toMatch(/^Outcome unknown/);
      expect(await attemptsOf(t, contentId)).toMatchObject([
        { attempt: 1, outcome: 'failed', error: expect.stringMatching(/^Outcome unknown/) },
      ]);
      const [record] = await usageRecords(t, accountId, 'content.publish_failed');
      expect(record.details).toMatchObject({ contentId, attempt: 1 });
      expect(await eventsOf(t, contentId)).toMatchObject([
        { to_state: 'publish_failed', reason_code: 'outcome_unknown' },
      ]);

      t.clock.advance(HOUR);
      expect(await job().runDue()).toMatchObject({ failed: 0, published: 0 });
      expect(sandbox.calls).toBe(0);
    });

    it('leaves an attempt alone while its lease lasts', async () => {
      const { accountId } = await agencyAccount();
      const contentId = await insertApprovedContent(t, agency, { ownerId: agencyAuthor.id, accountId });
      await t.db.query(
        `UPDATE contents SET publish_attempts = 1, next_publish_attempt_at = $2 WHERE id = $1`,
        [contentId, new Date(t.clock.now().getTime() + 5 * MINUTE)],
      );
      await t.db.query(
        `INSERT INTO content_publish_attempts (content_id, attempt, connector, outcome, created_at) VALUES ($1, 1, 'sandbox', 'pending', $2)`,
        [contentId, t.clock.now()],
      );
      expect(await job().runDue()).toMatchObject({ failed: 0, published: 0 });
      expect(await t.get(ContentPublisher).isPublishing(t.db.manager, contentId)).toBe(true);
      expect((await contentRow(t, contentId)).state).toBe('approved');
    });

    it('publishes to a platform channel without any connector', async () => {
      const contentId = await insertApprovedContent(t, brand, {
        ownerId: brandAuthor.id,
        channel: 'community',
      });
      expect(await job().runDue()).toMatchObject({ published: 1 });
      expect(sandbox.calls).toBe(0);
      expect(await contentRow(t, contentId)).toMatchObject({ state: 'published', external_post_id: null });
      expect(await attemptsOf(t, contentId)).toMatchObject([{ connector: 'platform', outcome: 'succeeded' }]);
    });

    it('retry puts failed content back to approved with fresh attempts, and only failed content', async () => {
      const { accountId } = await agencyAccount();
      const contentId = await insertApprovedContent(t, agency, { ownerId: agencyAuthor.id, accountId });
      sandbox.failures.push(new PublishError('Rejected once', false, 'test.rejected'));
      await job().runDue();
      const publisher = t.get(ContentPublisher);
      const actor: Actor = {
        kind: 'user',
        userId: agencyAuthor.id,
        apiKeyId: null,
        sessionId: agencyAuthor.sessionId,
        ip: '127.0.0.1',
        userAgent: null,
        requestId: 'test-retry',
        orgId: agency.id,
        orgKind: 'agency',
        grants: [],
      };

      t.clock.advance(MINUTE);
      await t.db.transaction((manager) => publisher.retry(manager, contentId, actor));
      expect(await contentRow(t, contentId)).toMatchObject({
        state: 'approved',
        publish_attempts: 0,
        last_publish_error: null,
        next_publish_attempt_at: null,
      });
      expect((await eventsOf(t, contentId)).at(-1)).toMatchObject({
        from_state: 'publish_failed',
        to_state: 'approved',
        action: 'publish.retry',
        actor_user_id: agencyAuthor.id,
      });
      expect(await job().runDue()).toMatchObject({ published: 1 });
      expect(await attemptsOf(t, contentId)).toMatchObject([
        { attempt: 1, outcome: 'failed' },
        { attempt: 1, outcome: 'succeeded' },
      ]);

      await expect(
        t.db.transaction((manager) => publisher.retry(manager, contentId, actor)),
      ).rejects.toMatchObject({
        code: 'invalid_state',
      });
      await expect(
        t.db.transaction((manager) =>
          publisher.retry(manager, '00000000-0000-4000-8000-000000000000', actor),
        ),
      ).rejects.toMatchObject({ code: 'not_found' });
      // Without a job queue (jobs off in tests) asking for a pass is a harmless no-op.
      await expect(publisher.requestRun()).resolves.toBeUndefined();
    });

    it('reads the attempts and retries a failed publication through the generated client', async () => {
      // Assigned to the author personally: a self-scoped operator retries only to an account of their own.
      const accountId = await insertAccount(t, brand);
      await insertAuthorization(t, brand, agency, [accountId], { scopes: ['publish'] });
      await insertAssignment(t, agency, accountId, { unitId: agencyTeam, memberId: agencyAuthor.id });
      const contentId = await insertApprovedContent(t, agency, { ownerId: agencyAuthor.id, accountId });
      sandbox.failures.push(new PublishError('Rejected by the platform', false, 'test.rejected'));
      expect(await job().runDue()).toMatchObject({ failed: 1 });
      const client = apiClient(t, { accessToken: agencyAuthor.token });
      const path = { orgId: agency.id, contentId };

      const failed = expectData(
        await client.GET('/api/v1/orgs/{orgId}/contents/{contentId}/publish-attempts', { params: { path } }),
        200,
      );
      expect(failed).toMatchObject({
        items: [
          {
            contentId,
            attempt: 1,
            connector: 'sandbox',
            outcome: 'failed',
            error: 'Rejected by the platform [test.rejected]',
          },
        ],
        nextCursor: null,
      });

      t.clock.advance(MINUTE);
      const retried = expectData(
        await client.POST('/api/v1/orgs/{orgId}/contents/{contentId}/publish-retry', { params: { path } }),
        200,
      );
      expect(retried).toMatchObject({ id: contentId, state: 'approved', lastPublishError: null });
      const again = await client.POST('/api/v1/orgs/{orgId}/contents/{contentId}/publish-retry', {
        params: { path },
      });
      expect(expectProblem(again, 409).code).toBe('invalid_state');

      expect(await job().runDue()).toMatchObject({ published: 1 });
      const after = expectData(
        await client.GET('/api/v1/orgs/{orgId}/contents/{contentId}/publish-attempts', { params: { path } }),
        200,
      );
      const [sent] = await sandboxRows(contentId);
      expect(after.items.map((a) => a.outcome)).toEqual(['succeeded', 'failed']);
      expect(after.items[0]).toMatchObject({
        attempt: 1,
        externalPostId: sent.external_post_id,
        error: null,
      });
      const read = expectData(
        await client.GET('/api/v1/orgs/{orgId}/contents/{contentId}', { params: { path } }),
        200,
      );
      expect(read).toMatchObject({ state: 'published', publishedAt: expect.any(String) });
      expect((await contentRow(t, contentId)).external_post_id).toBe(sent.external_post_id);
    });

    it('shows attempts only to those who may read the content: 404 elsewhere, 403 without content:read', async () => {
      const { accountId } = await agencyAccount();
      const contentId = await insertApprovedContent(t, agency, { ownerId: agencyAuthor.id, accountId });
      await job().runDue();
      const path = api(`/orgs/${agency.id}/contents/${contentId}/publish-attempts`);

      await t.http().get(path).set(agencyAuthor.auth).expect(200);
      // Same team, same role, but a self scope: someone else's content does not exist for them.
      await t.http().get(path).set(agencyColleague.auth).expect(404);
      const denied = await t.http().get(path).set(agencyOutsider.auth).expect(403);
      expect(denied.body.code).toBe('permission_denied');
      // Another tenant: its own org path does not reveal the content, the agency's path is not theirs.
      await t
        .http()
        .get(api(`/orgs/${otherBrand.id}/contents/${contentId}/publish-attempts`))
        .set(otherTenantOwner.auth)
        .expect(404);
      await t.http().get(path).set(otherTenantOwner.auth).expect(404);
      await t
        .http()
        .get(api(`/orgs/${agency.id}/contents/not-a-uuid/publish-attempts`))
        .set(agencyAuthor.auth)
        .expect(400);
      await t.http().get(path).expect(401);
    });
  });

  describe('with the Douyin connector against a fake Douyin Open Platform', () => {
    let t: TestApp;
    let fake: FakeDouyin;
    let brand: FixtureOrg;
    let author: TestUser;
    let sequence = 0;

    const job = () => t.get(ContentPublishJob);
    const sealer = () => t.get(CredentialSealer);

    /** A Douyin account of the brand with OAuth credentials sealed in the vault, as a member would store them. */
    const douyinAccount = async (secret: Omit<OAuthSecret, 'kind'>) => {
      const accountId = await insertAccount(t, brand);
      const sealed = sealer().seal(accountId, { kind: 'oauth', ...secret });
      await t.db.query(
        `INSERT INTO account_credentials (account_id, kind, key_id, ciphertext, access_token_expires_at, refresh_token_expires_at)
         VALUES ($1, 'oauth', $2, $3, $4, $5)`,
        [
          accountId,
          sealed.keyId,
          sealed.ciphertext,
          secret.accessTokenExpiresAt,
          secret.refreshTokenExpiresAt,
        ],
      );
      return accountId;
    };
    const inDays = (days: number) => new Date(t.clock.now().getTime() + days * DAY).toISOString();
    /** An account whose stored token Douyin accepts for another `days` days. */
    const validAccount = async (days = 10) => {
      sequence += 1;
      const openId = `open-${sequence}`;
      fake.accessTokens.set(`act.valid-${sequence}`, openId);
      fake.refreshTokens.set(`rft.valid-${sequence}`, openId);
      const accountId = await douyinAccount({
        openId,
        accessToken: `act.valid-${sequence}`,
        accessTokenExpiresAt: inDays(days),
        refreshToken: `rft.valid-${sequence}`,
        refreshTokenExpiresAt: inDays(25),
      });
      return { accountId, openId };
    };
    const videoContent = (accountId: string, title = 'Spring launch') => {
      fake.media.set('clip.mp4', Buffer.alloc(4096, 7));
      return insertApprovedContent(t, brand, {
        ownerId: author.id,
        accountId,
        kind: 'video',
        title,
        tags: ['春季新品'],
        attachments: [
          { url: `${fake.url}/media/clip.mp4`, type: 'video', size: 4096, mimeType: 'video/mp4' },
        ],
      });
    };

    beforeAll(async () => {
      fake = await FakeDouyin.start();
      t = await createTestApp({
        env: {
          PUBLISH_CONNECTOR: 'douyin',
          PUBLISH_MAX_ATTEMPTS: '5',
          DOUYIN_OPEN_API_BASE_URL: fake.url,
          DOUYIN_CLIENT_KEY: fake.clientKey,
          DOUYIN_HTTP_TIMEOUT_SECONDS: '1',
          // The fake serves the media too, on loopback, which is otherwise refused as internal.
          MEDIA_FETCH_ALLOWED_HOSTS: '127.0.0.1',
        },
      });
      brand = await insertOrg(t, { kind: 'brand', name: 'Douyin Brand' });
      author = await makeUser(t);
      await insertMember(t, brand, author.id, { grants: [{ role: 'owner' }] });
    });
    afterAll(async () => {
      await t.close();
      await fake.close();
    });
    beforeEach(async () => {
      fake.reset();
      await t.db.query(
        `UPDATE contents SET deleted_at = now() WHERE state = 'approved' AND deleted_at IS NULL`,
      );
    });

    it('refreshes an expired token, stores it sealed, uploads the video and creates the post', async () => {
      fake.refreshTokens.set('rft.expired-1', 'open-expired');
      const accountId = await douyinAccount({
        openId: 'open-expired',
        accessToken: 'act.expired-1',
        accessTokenExpiresAt: inDays(-1),
        refreshToken: 'rft.expired-1',
        refreshTokenExpiresAt: inDays(20),
      });
      const [before] = await t.db.query(`SELECT version FROM account_credentials WHERE account_id = $1`, [
        accountId,
      ]);
      const contentId = await videoContent(accountId);

      expect(await job().runDue()).toMatchObject({ published: 1 });

      const [refresh] = fake.callsTo('refresh_token');
      expect(refresh.body).toEqual({
        client_key: fake.clientKey,
        grant_type: 'refresh_token',
        refresh_token: 'rft.expired-1',
      });
      const newToken = [...fake.accessTokens.keys()].find(
        (token) => fake.accessTokens.get(token) === 'open-expired',
      )!;
      const [upload] = fake.callsTo('upload_video');
      expect(upload).toMatchObject({
        openId: 'open-expired',
        accessToken: newToken,
        file: { field: 'video', name: 'clip.mp4', size: 4096 },
      });
      const [create] = fake.callsTo('create_video');
      expect(create.accessToken).toBe(newToken);
      expect(create.body).toEqual({
        video_id: expect.stringMatching(/^v\.fake/),
        text: 'Spring launch\nOur spring collection is here.\n#春季新品',
      });
      expect(fake.callsTo('media')).toHaveLength(1);

      const row = await contentRow(t, contentId);
      expect(row.state).toBe('published');
      expect(row.external_post_id).toMatch(/^@item\.video/);
      expect(await attemptsOf(t, contentId)).toMatchObject([
        { connector: 'douyin', outcome: 'succeeded', external_post_id: row.external_post_id },
      ]);

      // The new token is in the vault, sealed: not readable in the row, readable through the vault's sealer.
      const [stored] = await t.db.query(
        `SELECT key_id, ciphertext, access_token_expires_at, refresh_token_expires_at, version FROM account_credentials WHERE account_id = $1`,
        [accountId],
      );
      expect(stored.ciphertext).not.toContain(newToken);
      expect(stored.version).toBe(before.version + 1);
      const secret = sealer().open(accountId, { keyId: stored.key_id, ciphertext: stored.ciphertext });
      expect(secret).toMatchObject({
        kind: 'oauth',
        openId: 'open-expired',
        accessToken: newToken,
        refreshToken: 'rft.expired-1',
      });
      const expectedExpiry = new Date(t.clock.now().getTime() + 1_296_000 * 1000);
      expect(stored.access_token_expires_at).toEqual(expectedExpiry);
      expect(secret.kind === 'oauth' && secret.accessTokenExpiresAt).toBe(expectedExpiry.toISOString());
      const [rotation] = await usageRecords(t, accountId, 'credential.refreshed');
      expect(rotation.details).toMatchObject({ reason: 'access_token_refreshed' });
      expect(await usageRecords(t, accountId, 'content.published')).toHaveLength(1);

      // The next post uses the stored token: no second refresh.
      fake.reset();
      await videoContent(accountId, 'Second post');
      expect(await job().runDue()).toMatchObject({ published: 1 });
      expect(fake.callsTo('refresh_token')).toHaveLength(0);
      expect(fake.callsTo('create_video')[0].accessToken).toBe(newToken);
    });

    it('publishes an image post: each image uploaded, then create_image_text', async () => {
      const { accountId } = await validAccount();
      fake.media.set('a.jpg', Buffer.alloc(100, 1));
      fake.media.set('b.jpg', Buffer.alloc(200, 2));
      const contentId = await insertApprovedContent(t, brand, {
        ownerId: author.id,
        accountId,
        kind: 'image_text',
        attachments: [
          { url: `${fake.url}/media/a.jpg`, type: 'image', size: 100 },
          { url: `${fake.url}/media/b.jpg`, type: 'image', size: 200 },
        ],
      });
      expect(await job().runDue()).toMatchObject({ published: 1 });
      expect(fake.callsTo('upload_image').map((c) => c.file)).toEqual([
        { field: 'image', name: 'a.jpg', size: 100 },
        { field: 'image', name: 'b.jpg', size: 200 },
      ]);
      const [create] = fake.callsTo('create_image_text');
      expect(create.body.image_list).toEqual([
        expect.stringMatching(/^img\.fake/),
        expect.stringMatching(/^img\.fake/),
      ]);
      expect((await contentRow(t, contentId)).external_post_id).toMatch(/^@item\.images/);
    });

    it('retries after a 5xx from Douyin, then publishes once', async () => {
      const { accountId } = await validAccount();
      const contentId = await videoContent(accountId);
      fake.failNext('upload_video', { status: 502 });

      expect(await job().runDue()).toMatchObject({ retrying: 1 });
      expect(fake.callsTo('create_video')).toHaveLength(0);
      expect((await contentRow(t, contentId)).last_publish_error).toBe(
        'Douyin upload_video answered HTTP 502 [douyin.http_502]',
      );

      t.clock.advance(61_000);
      expect(await job().runDue()).toMatchObject({ published: 1 });
      expect(fake.callsTo('upload_video')).toHaveLength(2);
      expect(fake.callsTo('create_video')).toHaveLength(1);
      expect(await attemptsOf(t, contentId)).toMatchObject([
        { attempt: 1, outcome: 'failed' },
        { attempt: 2, outcome: 'succeeded' },
      ]);
    });

    it('retries "system busy" (2100004) and gives up on a rejected request (2100005) at once', async () => {
      const busy = await validAccount();
      const busyContent = await videoContent(busy.accountId);
      fake.failNext('create_video', { errorCode: 2100004, description: '系统繁忙' });
      expect(await job().runDue()).toMatchObject({ retrying: 1 });
      expect((await contentRow(t, busyContent)).state).toBe('approved');

      await t.db.query(`UPDATE contents SET deleted_at = now() WHERE id = $1`, [busyContent]);
      const rejected = await validAccount();
      const rejectedContent = await videoContent(rejected.accountId);
      fake.failNext('create_video', { errorCode: 2100005, description: '参数不合法' });
      expect(await job().runDue()).toMatchObject({ failed: 1 });
      expect(await contentRow(t, rejectedContent)).toMatchObject({
        state: 'publish_failed',
        last_publish_error: 'Douyin create_video failed: 参数不合法 (error 2100005) [douyin.2100005]',
      });
    });

    it('fails for good when Douyin refuses the token even after a refresh', async () => {
      const { accountId, openId } = await validAccount();
      fake.revokedOpenIds.add(openId);
      const contentId = await videoContent(accountId);

      expect(await job().runDue()).toMatchObject({ failed: 1, retrying: 0 });
      expect(fake.callsTo('upload_video')).toHaveLength(2);
      expect(fake.callsTo('refresh_token')).toHaveLength(1);
      expect(fake.callsTo('create_video')).toHaveLength(0);
      const row = await contentRow(t, contentId);
      expect(row.state).toBe('publish_failed');
      expect(row.last_publish_error).toMatch(
        /refused the access token .* even after refreshing it .*authorize the app again \[douyin\.token_rejected\]/,
      );
      const [failed] = await usageRecords(t, accountId, 'content.publish_failed');
      expect(failed.details).toMatchObject({ contentId, retryable: false });
    });

    it('does not repeat a create whose answer was lost: the outcome is unknown', async () => {
      const { accountId } = await validAccount();
      const contentId = await videoContent(accountId);
      fake.failNext('create_video', { hangMs: 1500 });

      expect(await job().runDue()).toMatchObject({ failed: 1 });
      expect(fake.callsTo('create_video')).toHaveLength(1);
      expect((await contentRow(t, contentId)).last_publish_error).toMatch(
        /did not answer create_video .*may or may not exist.*\[douyin\.outcome_unknown\]/,
      );
      t.clock.advance(HOUR);
      expect(await job().runDue()).toMatchObject({ published: 0, failed: 0 });
      expect(fake.callsTo('create_video')).toHaveLength(1);
    });

    it('fails for good when the account has no credentials or the media is missing', async () => {
      const bare = await insertAccount(t, brand);
      const noCredentials = await videoContent(bare);
      expect(await job().runDue()).toMatchObject({ failed: 1 });
      expect((await contentRow(t, noCredentials)).last_publish_error).toMatch(/no Douyin OAuth credentials/);

      const { accountId } = await validAccount();
      const missing = await insertApprovedContent(t, brand, {
        ownerId: author.id,
        accountId,
        kind: 'video',
        attachments: [{ url: `${fake.url}/media/gone.mp4`, type: 'video', size: 10 }],
      });
      expect(await job().runDue()).toMatchObject({ failed: 1 });
      expect((await contentRow(t, missing)).last_publish_error).toMatch(
        /answered HTTP 404 \[media\.not_found\]/,
      );
      expect(fake.callsTo('upload_video')).toHaveLength(0);
    });
  });
});
