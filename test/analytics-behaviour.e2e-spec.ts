import { parse as parseCsv } from 'csv-parse/sync';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { randomUUID } from 'node:crypto';
import { makeUser, TestUser } from './support/factories';
import { FixtureOrg, insertMember, insertOrg, insertUnit } from './support/org-fixtures';
import { insertAccount } from './support/social-fixtures';
import { createTestApp, TestApp } from './support/test-app';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const SHANGHAI_OFFSET = 8 * HOUR; // Asia/Shanghai has no daylight saving time.

/** A small seeded generator, so a failure replays with the same events. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

interface GeneratedEvent {
  eventId: string;
  type: string;
  name?: string;
  path?: string;
  properties?: Record<string, string>;
  at: number;
  person: string;
  userId?: string;
  anonymousId: string;
  account: string | null;
  deviceType: 'mobile' | 'desktop';
}

interface Step {
  type?: string;
  name?: string;
  path?: string;
  properties?: Record<string, string>;
}

const localDay = (ms: number) => new Date(ms + SHANGHAI_OFFSET).toISOString().slice(0, 10);
const dayStart = (day: string) => Date.parse(`${day}T00:00:00+08:00`);
const mondayOf = (day: string) => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
};
const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const nearestRank = (values: number[], q: number) => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
};
/** An SVG answer's text (supertest buffers an image type as bytes, not text). */
const svgText = (res: { body: unknown; text: string }) =>
  Buffer.isBuffer(res.body) ? res.body.toString('utf8') : res.text;
const ratio = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 10_000) / 10_000);

/**
 * Funnels, paths and retention over HTTP on a generated dataset: every expected number is computed
 * here from the raw events the test generated (never by the code under test), for the organization
 * and for a unit-scoped analyst, plus saved funnels as resources, path rules, formats, tenancy and bad
 * input.
 */
describe('analytics behaviour: funnels, paths, retention', () => {
  let t: TestApp;
  let brand: FixtureOrg;
  let other: FixtureOrg;
  let owner: TestUser;
  let analyst: TestUser;
  let shopAnalyst: TestUser;
  let viewer: TestUser;
  let otherOwner: TestUser;
  let rootAccount: string;
  let shopAccount: string;
  let events: GeneratedEvent[];
  let from: string;
  let to: string;

  const url = (org: FixtureOrg, rest: string) => `/api/v1/orgs/${org.id}/analytics/${rest}`;

  const funnelSteps: Step[] = [
    { type: 'page_view', path: '/cart' },
    { name: 'signup', properties: { plan: 'pro' } },
    { type: 'purchase' },
  ];
  const WINDOW = 3_600;

  /** The events a reader sees: in the period, and of the accounts it may read (all: null). */
  const visible = (
    accounts: (string | null)[] | null,
    extra: (e: GeneratedEvent) => boolean = () => true,
  ) => {
    const start = dayStart(from);
    const end = dayStart(to) + DAY;
    return events.filter(
      (e) => e.at >= start && e.at < end && (accounts === null || accounts.includes(e.account)) && extra(e),
    );
  };

  const byPerson = (list: GeneratedEvent[]) => {
    const people = new Map<string, GeneratedEvent[]>();
    for (const e of list) people.set(e.person, [...(people.get(e.person) ?? []), e]);
    for (const seq of people.values()) seq.sort((a, b) => a.at - b.at || byCodeUnits(a.eventId, b.eventId));
    return people;
  };

  const matches = (e: GeneratedEvent, step: Step) =>
    (step.name === undefined || (e.type === 'custom' && e.name === step.name)) &&
    (step.type === undefined || e.type === step.type) &&
    (step.path === undefined || e.path === step.path) &&
    Object.entries(step.properties ?? {}).every(([k, v]) => e.properties?.[k] === v);

  /** The documented rule: enter at the first step-1 event, each next step strictly later, within the window. */
  const expectedFunnel = (list: GeneratedEvent[], steps: Step[], windowSeconds: number) => {
    const reached = steps.map(() => 0);
    const gaps: number[][] = steps.map(() => []);
    for (const seq of byPerson(list).values()) {
      const entry = seq.find((e) => matches(e, steps[0]));
      if (!entry) continue;
      reached[0] += 1;
      let previous = entry.at;
      for (let k = 1; k < steps.length; k += 1) {
        const next = seq.find(
          (e) => e.at > previous && e.at <= entry.at + windowSeconds * 1000 && matches(e, steps[k]),
        );
        if (!next) break;
        reached[k] += 1;
        gaps[k].push((next.at - previous) / 1000);
        previous = next.at;
      }
    }
    return steps.map((_, k) => ({
      step: k + 1,
      persons: reached[k],
      conversionRate: ratio(reached[k], reached[0]),
      stepConversionRate: k === 0 ? null : ratio(reached[k], reached[k - 1]),
      dropOff: k === 0 ? 0 : reached[k - 1] - reached[k],
      dropOffRate: k === 0 ? null : ratio(reached[k - 1] - reached[k], reached[k - 1]),
      medianSecondsFromPrevious: k === 0 ? null : nearestRank(gaps[k], 0.5),
    }));
  };

  const label = (e: GeneratedEvent, clean: (path: string) => string) =>
    e.type === 'page_view'
      ? e.path
        ? clean(e.path)
        : 'page_view'
      : e.type === 'custom'
        ? `custom:${e.name}`
        : e.type;

  const expectedPaths = (
    list: GeneratedEvent[],
    anchor: string,
    direction: 'after' | 'before',
    depth: number,
    limit: number,
    clean: (path: string) => string,
  ) => {
    let persons = 0;
    const counts = new Map<string, { level: number; from: string; to: string; persons: number }>();
    for (const seq of byPerson(list).values()) {
      const labels: string[] = [];
      for (const e of seq) {
        const l = label(e, clean);
        if (labels[labels.length - 1] !== l) labels.push(l);
      }
      const at = labels.indexOf(anchor);
      if (at < 0) continue;
      persons += 1;
      for (let level = 1; level <= depth; level += 1) {
        const i = direction === 'after' ? at + level : at - level;
        const j = direction === 'after' ? i - 1 : i + 1;
        if (i < 0 || i >= labels.length) break;
        const key = `${level}\u0000${labels[j]}\u0000${labels[i]}`;
        const entry = counts.get(key) ?? { level, from: labels[j], to: labels[i], persons: 0 };
        entry.persons += 1;
        counts.set(key, entry);
      }
    }
    const sorted = [...counts.values()].sort(
      (a, b) =>
        a.level - b.level || b.persons - a.persons || byCodeUnits(a.from, b.from) || byCodeUnits(a.to, b.to),
    );
    const kept: typeof sorted = [];
    for (let level = 1; level <= depth; level += 1) {
      kept.push(...sorted.filter((s) => s.level === level).slice(0, limit));
    }
    return { persons, transitions: kept };
  };

  const expectedRetention = (list: GeneratedEvent[], bucketOf: (day: string) => string, labels: string[]) => {
    const active = new Map<string, Set<number>>();
    for (const e of list) {
      const b = labels.indexOf(bucketOf(localDay(e.at)));
      active.set(e.person, (active.get(e.person) ?? new Set()).add(b));
    }
    const cohorts = labels.map((_, i) => new Array<number>(labels.length - i).fill(0));
    for (const periods of active.values()) {
      const first = Math.min(...periods);
      for (const p of periods) cohorts[first][p - first] += 1;
    }
    return labels.map((cohort, i) => ({
      cohort,
      persons: cohorts[i][0],
      active: cohorts[i],
      rates: cohorts[i].map((n) => ratio(n, cohorts[i][0])),
    }));
  };

  beforeAll(async () => {
    t = await createTestApp();
    brand = await insertOrg(t, { kind: 'brand' });
    other = await insertOrg(t, { kind: 'brand' });
    const shop = await insertUnit(t, brand, brand.rootUnitId, 'Shop');
    [owner, analyst, shopAnalyst, viewer, otherOwner] = await Promise.all(
      Array.from({ length: 5 }, () => makeUser(t)),
    );
    await insertMember(t, brand, owner.id, { grants: [{ role: 'owner' }] });
    await insertMember(t, brand, analyst.id, { grants: [{ role: 'analyst' }] });
    await insertMember(t, brand, shopAnalyst.id, {
      unitId: shop,
      grants: [{ role: 'analyst', unitId: shop, scope: 'subtree' }],
    });
    await insertMember(t, brand, viewer.id, { grants: [{ role: 'viewer' }] });
    await insertMember(t, other, otherOwner.id, { grants: [{ role: 'owner' }] });
    rootAccount = await insertAccount(t, brand);
    shopAccount = await insertAccount(t, brand, { unitId: shop });

    const now = Math.floor(t.clock.now().getTime() / 1000) * 1000;
    to = localDay(now);
    from = localDay(now - 14 * DAY);
    const random = prng(13);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
    events = [];
    for (let p = 0; p < 90; p += 1) {
      const userId = random() < 0.5 ? `user-${p}` : undefined;
      const anonymousId = `anon-${p}`;
      const account = pick([rootAccount, shopAccount, null]);
      const deviceType = pick(['mobile', 'desktop'] as const);
      // Distinct days, so a person's sessions never overlap and their events are strictly ordered.
      const days = [
        ...new Set(Array.from({ length: 1 + Math.floor(random() * 4) }, () => Math.floor(random() * 18))),
      ];
      for (const d of days) {
        let at = now - d * DAY - 6 * HOUR - Math.floor(random() * 10 * 3_600) * 1000;
        const add = (e: Partial<GeneratedEvent> & { type: string }) => {
          events.push({
            eventId: randomUUID(),
            at,
            person: userId ?? anonymousId,
            userId,
            anonymousId,
            account,
            deviceType,
            ...e,
          });
          at += (30 + Math.floor(random() * 2_400)) * 1000;
        };
        add({ type: 'page_view', path: '/' });
        for (let n = Math.floor(random() * 3); n > 0; n -= 1) {
          add({ type: 'page_view', path: `/products/${1 + Math.floor(random() * 500)}` });
        }
        if (random() < 0.75) {
          add({ type: 'page_view', path: '/cart' });
          if (random() < 0.2) add({ type: 'page_view', path: '/cart' });
          if (random() < 0.6) {
            add({ type: 'custom', name: 'signup', properties: { plan: pick(['pro', 'pro', 'free']) } });
            if (random() < 0.65) add({ type: 'purchase' });
          }
        } else if (random() < 0.3) {
          add({ type: 'click' });
        }
      }
    }
    const body = events.map((e) => ({
      eventId: e.eventId,
      type: e.type,
      ...(e.name ? { name: e.name } : {}),
      ...(e.path ? { path: e.path } : {}),
      ...(e.properties ? { properties: e.properties } : {}),
      ...(e.type === 'purchase' ? { amount: 9_900 } : {}),
      ...(e.userId ? { userId: e.userId } : {}),
      anonymousId: e.anonymousId,
      ...(e.account ? { socialAccountId: e.account } : {}),
      deviceType: e.deviceType,
      occurredAt: new Date(e.at).toISOString(),
    }));
    for (let i = 0; i < body.length; i += 1_000) {
      const answer = await t
        .http()
        .post(`/api/v1/orgs/${brand.id}/events/batch`)
        .set(owner.auth)
        .send({ events: body.slice(i, i + 1_000) })
        .expect(200);
      expect(answer.body.refused).toBe(0);
    }
  });
  afterAll(() => t.close());

  describe('funnels', () => {
    const adHoc = (user: TestUser, body: Record<string, unknown>, format?: string) =>
      t
        .http()
        .post(url(brand, 'reports/funnel') + (format ? `?format=${format}` : ''))
        .set(user.auth)
        .send(body);

    it('counts people per step in order within the window, with drop-off and median times', async () => {
      const expected = expectedFunnel(visible(null), funnelSteps, WINDOW);
      expect(expected[2].persons).toBeGreaterThan(0);
      expect(expected[1].dropOff).toBeGreaterThan(0);
      const answer = await adHoc(analyst, {
        from,
        to,
        steps: funnelSteps,
        conversionWindowSeconds: WINDOW,
      }).expect(200);
      expect(answer.body).toMatchObject({
        from,
        to,
        timeZone: 'Asia/Shanghai',
        conversionWindowSeconds: WINDOW,
      });
      expect(answer.body.steps.map(({ label: _l, ...rest }: { label: string }) => rest)).toEqual(expected);
      expect(answer.body.steps.map((s: { label: string }) => s.label)).toEqual([
        'page_view /cart',
        'custom:signup',
        'purchase',
      ]);
      expect(answer.body.entered).toBe(expected[0].persons);
      expect(answer.body.converted).toBe(expected[2].persons);
      expect(answer.body.conversionRate).toBe(ratio(expected[2].persons, expected[0].persons));
    });

    it('a shorter window converts fewer; a filter narrows the events', async () => {
      const short = expectedFunnel(visible(null), funnelSteps, 600);
      const answer = await adHoc(analyst, {
        from,
        to,
        steps: funnelSteps,
        conversionWindowSeconds: 600,
      }).expect(200);
      expect(answer.body.steps.map((s: { persons: number }) => s.persons)).toEqual(
        short.map((s) => s.persons),
      );
      const mobile = expectedFunnel(
        visible(null, (e) => e.deviceType === 'mobile'),
        funnelSteps,
        WINDOW,
      );
      const filtered = await adHoc(analyst, {
        from,
        to,
        deviceType: 'mobile',
        steps: funnelSteps,
        conversionWindowSeconds: WINDOW,
      }).expect(200);
      expect(filtered.body.steps.map((s: { persons: number }) => s.persons)).toEqual(
        mobile.map((s) => s.persons),
      );
    });

    it("shows a unit-scoped analyst only its accounts' events", async () => {
      const expected = expectedFunnel(visible([shopAccount]), funnelSteps, WINDOW);
      const all = expectedFunnel(visible(null), funnelSteps, WINDOW);
      expect(expected[0].persons).toBeLessThan(all[0].persons);
      const answer = await adHoc(shopAnalyst, {
        from,
        to,
        steps: funnelSteps,
        conversionWindowSeconds: WINDOW,
      }).expect(200);
      expect(answer.body.steps.map(({ label: _l, ...rest }: { label: string }) => rest)).toEqual(expected);
      // Another unit's account is out of reach: 404, as if it did not exist.
      await adHoc(shopAnalyst, {
        from,
        to,
        socialAccountId: rootAccount,
        steps: funnelSteps,
        conversionWindowSeconds: WINDOW,
      }).expect(404);
    });

    it('answers CSV and an SVG funnel naming its series', async () => {
      const body = { from, to, steps: funnelSteps, conversionWindowSeconds: WINDOW };
      const expected = expectedFunnel(visible(null), funnelSteps, WINDOW);
      const csv = await adHoc(analyst, body, 'csv')
        .expect(200)
        .expect('content-type', /text\/csv/);
      const rows = parseCsv(csv.text, { columns: true }) as Record<string, string>[];
      expect(rows.map((r) => [r.step, r.label, Number(r.persons), r.medianSecondsFromPrevious])).toEqual(
        expected.map((s, i) => [
          String(s.step),
          `${i + 1}. ${['page_view /cart', 'custom:signup', 'purchase'][i]}`,
          s.persons,
          s.medianSecondsFromPrevious === null ? '' : String(s.medianSecondsFromPrevious),
        ]),
      );
      const svg = await adHoc(analyst, body, 'svg')
        .expect(200)
        .expect('content-type', /image\/svg\+xml/);
      expect(XMLValidator.validate(svgText(svg))).toBe(true);
      expect(svgText(svg)).toContain('3. purchase');
      expect(svgText(svg)).toContain('1. page_view /cart');
    });

    it('refuses bad input with 400 problem+json naming the field', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ steps: [], conversionWindowSeconds: WINDOW }, 'steps'],
        [{ steps: [{ type: 'page_view' }], conversionWindowSeconds: WINDOW }, 'steps'],
        [{ steps: funnelSteps, conversionWindowSeconds: 0 }, 'conversionWindowSeconds'],
        [{ steps: funnelSteps, conversionWindowSeconds: -5 }, 'conversionWindowSeconds'],
        [{ steps: funnelSteps }, 'conversionWindowSeconds'],
        [{ steps: [{ type: 'page_view' }, {}], conversionWindowSeconds: 60 }, 'steps.1.type'],
        [{ steps: [{ type: 'bogus' }, { type: 'click' }], conversionWindowSeconds: 60 }, 'steps.0.type'],
        [
          { steps: [{ type: 'click', name: 'x' }, { type: 'click' }], conversionWindowSeconds: 60 },
          'steps.0.name',
        ],
        [
          {
            steps: [{ type: 'click', properties: { a: { b: 1 } } }, { type: 'click' }],
            conversionWindowSeconds: 60,
          },
          'steps.0.properties.a',
        ],
        [
          { steps: [{ type: 'click', colour: 'red' }, { type: 'click' }], conversionWindowSeconds: 60 },
          'steps.0.colour',
        ],
        [{ steps: funnelSteps, conversionWindowSeconds: 60, extra: 1 }, 'extra'],
        [{ steps: funnelSteps, conversionWindowSeconds: 60, from: to, to: from }, 'to'],
        [{ steps: funnelSteps, conversionWindowSeconds: 60, channel: 'carrier-pigeon' }, 'channel'],
      ];
      for (const [body, field] of cases) {
        const answer = await adHoc(analyst, body).expect(400);
        expect(answer.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(answer.body.code).toBe('validation_failed');
        expect(answer.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      await adHoc(analyst, { steps: funnelSteps, conversionWindowSeconds: 60 }, 'pdf').expect(400);
    });

    it('refuses a role without analytics:read (403) and another tenant (404)', async () => {
      const body = { steps: funnelSteps, conversionWindowSeconds: WINDOW };
      await adHoc(viewer, body).expect(403);
      await t.http().post(url(brand, 'reports/funnel')).set(otherOwner.auth).send(body).expect(404);
      // The other tenant's own report counts nothing of this organization's events.
      const own = await t
        .http()
        .post(url(other, 'reports/funnel'))
        .set(otherOwner.auth)
        .send(body)
        .expect(200);
      expect(own.body.entered).toBe(0);
      expect(own.body.conversionRate).toBeNull();
    });

    it('saves funnels as resources with ETags, runs their report, and guards them', async () => {
      const created = await t
        .http()
        .post(url(brand, 'funnels'))
        .set(analyst.auth)
        .send({ name: 'Cart to purchase', steps: funnelSteps, conversionWindowSeconds: WINDOW })
        .expect(201);
      const id = created.body.id as string;
      expect(created.headers.etag).toBe('W/"1"');
      expect(created.body).toMatchObject({ name: 'Cart to purchase', description: null, steps: funnelSteps });

      await t
        .http()
        .post(url(brand, 'funnels'))
        .set(analyst.auth)
        .send({ name: 'cart to PURCHASE', steps: funnelSteps, conversionWindowSeconds: WINDOW })
        .expect(409);
      await t
        .http()
        .post(url(brand, 'funnels'))
        .set(analyst.auth)
        .send({ name: 'Empty', steps: [], conversionWindowSeconds: WINDOW })
        .expect(400);

      const listed = await t.http().get(url(brand, 'funnels')).set(shopAnalyst.auth).expect(200);
      expect(listed.body.items.map((f: { id: string }) => f.id)).toEqual([id]);

      // The report is the reader's: the organization's for the analyst, the shop's for the shop analyst.
      const report = await t
        .http()
        .get(url(brand, `funnels/${id}/report`))
        .query({ from, to })
        .set(analyst.auth)
        .expect(200);
      expect(report.body.steps.map((s: { persons: number }) => s.persons)).toEqual(
        expectedFunnel(visible(null), funnelSteps, WINDOW).map((s) => s.persons),
      );
      const shopReport = await t
        .http()
        .get(url(brand, `funnels/${id}/report`))
        .query({ from, to })
        .set(shopAnalyst.auth)
        .expect(200);
      expect(shopReport.body.steps.map((s: { persons: number }) => s.persons)).toEqual(
        expectedFunnel(visible([shopAccount]), funnelSteps, WINDOW).map((s) => s.persons),
      );
      const svg = await t
        .http()
        .get(url(brand, `funnels/${id}/report`))
        .query({ from, to, format: 'svg' })
        .set(analyst.auth)
        .expect(200);
      expect(XMLValidator.validate(svgText(svg))).toBe(true);
      expect(svgText(svg)).toContain('Cart to purchase');

      // Writes need analytics:manage over the whole organization.
      await t
        .http()
        .patch(url(brand, `funnels/${id}`))
        .set(shopAnalyst.auth)
        .send({ name: 'Mine' })
        .expect(403);
      const two = await t
        .http()
        .patch(url(brand, `funnels/${id}`))
        .set(analyst.auth)
        .set('If-Match', 'W/"1"')
        .send({ conversionWindowSeconds: 600, description: 'ten minutes' })
        .expect(200);
      expect(two.headers.etag).toBe('W/"2"');
      expect(two.body).toMatchObject({ conversionWindowSeconds: 600, description: 'ten minutes' });
      await t
        .http()
        .patch(url(brand, `funnels/${id}`))
        .set(analyst.auth)
        .set('If-Match', 'W/"1"')
        .send({ name: 'Stale' })
        .expect(412);
      await t
        .http()
        .patch(url(brand, `funnels/${id}`))
        .set(analyst.auth)
        .send({ conversionWindowSeconds: 0 })
        .expect(400);
      const got = await t
        .http()
        .get(url(brand, `funnels/${id}`))
        .set(viewer.auth)
        .expect(403);
      expect(got.body.code).toBeDefined();
      const read = await t
        .http()
        .get(url(brand, `funnels/${id}`))
        .set(shopAnalyst.auth)
        .expect(200);
      expect(read.headers.etag).toBe('W/"2"');

      // Another tenant: 404 on its own path and on this one.
      await t
        .http()
        .get(url(other, `funnels/${id}`))
        .set(otherOwner.auth)
        .expect(404);
      await t
        .http()
        .get(url(other, `funnels/${id}/report`))
        .set(otherOwner.auth)
        .expect(404);
      await t
        .http()
        .get(url(brand, `funnels/${id}`))
        .set(otherOwner.auth)
        .expect(404);
      await t
        .http()
        .delete(url(other, `funnels/${id}`))
        .set(otherOwner.auth)
        .expect(404);
      await t.http().get(url(brand, 'funnels/not-a-uuid')).set(analyst.auth).expect(400);

      await t
        .http()
        .delete(url(brand, `funnels/${id}`))
        .set(analyst.auth)
        .expect(204);
      await t
        .http()
        .get(url(brand, `funnels/${id}`))
        .set(analyst.auth)
        .expect(404);
    });
  });

  describe('paths', () => {
    const paths = (user: TestUser, query: Record<string, string | number>, org = brand) =>
      t
        .http()
        .get(url(org, 'reports/paths'))
        .query({ from, to, ...query })
        .set(user.auth);

    it('without rules, ids fragment the paths; with rules they are one step', async () => {
      const raw = await paths(analyst, { event: '/', depth: 2, limit: 50 }).expect(200);
      expect(raw.body).toEqual({
        from,
        to,
        timeZone: 'Asia/Shanghai',
        event: '/',
        direction: 'after',
        depth: 2,
        ...expectedPaths(visible(null), '/', 'after', 2, 50, (p) => p),
      });

      await t
        .http()
        .put(url(brand, 'path-rules'))
        .set(shopAnalyst.auth)
        .send({ rules: [{ pattern: '^/products/[0-9]+', alias: '/products/:id' }] })
        .expect(403);
      const saved = await t
        .http()
        .put(url(brand, 'path-rules'))
        .set(analyst.auth)
        .set('If-Match', 'W/"0"')
        .send({
          rules: [
            { pattern: '^/products/[0-9]+', alias: '/products/:id' },
            { pattern: '^/$', alias: '/home' },
          ],
        })
        .expect(200);
      expect(saved.headers.etag).toBe('W/"1"');
      const clean = (p: string) => p.replace(/^\/products\/[0-9]+/, '/products/:id').replace(/^\/$/, '/home');
      const read = await t.http().get(url(brand, 'path-rules')).set(shopAnalyst.auth).expect(200);
      expect(read.body.rules).toHaveLength(2);

      for (const [direction, anchor, depth] of [
        ['after', '/products/:id', 3],
        ['before', 'purchase', 4],
        ['after', '/home', 5],
      ] as const) {
        const answer = await paths(analyst, { event: anchor, direction, depth, limit: 50 }).expect(200);
        const expected = expectedPaths(visible(null), anchor, direction, depth, 50, clean);
        expect(expected.transitions.length).toBeGreaterThan(2);
        expect(answer.body).toMatchObject(expected);
      }
      // limit keeps the most frequent per level.
      const top = await paths(analyst, { event: '/home', depth: 3, limit: 2 }).expect(200);
      expect(top.body.transitions).toEqual(
        expectedPaths(visible(null), '/home', 'after', 3, 2, clean).transitions,
      );

      // A unit-scoped analyst: only its accounts' events.
      const shop = await paths(shopAnalyst, { event: '/home', depth: 3, limit: 50 }).expect(200);
      expect(shop.body).toMatchObject(expectedPaths(visible([shopAccount]), '/home', 'after', 3, 50, clean));

      const csv = await paths(analyst, { event: '/home', depth: 3, limit: 50, format: 'csv' }).expect(200);
      const rows = parseCsv(csv.text, { columns: true }) as Record<string, string>[];
      expect(
        rows.map((r) => ({ level: Number(r.level), from: r.from, to: r.to, persons: Number(r.persons) })),
      ).toEqual(expectedPaths(visible(null), '/home', 'after', 3, 50, clean).transitions);
      const svg = await paths(analyst, { event: '/home', depth: 2, format: 'svg' }).expect(200);
      expect(XMLValidator.validate(svgText(svg))).toBe(true);
      expect(svgText(svg)).toContain('People, next steps');

      await t
        .http()
        .put(url(brand, 'path-rules'))
        .set(analyst.auth)
        .set('If-Match', 'W/"0"')
        .send({ rules: [] })
        .expect(412);
    });

    it('refuses bad input, bad regexes, the wrong role and another tenant', async () => {
      for (const [query, field] of [
        [{ event: '/', depth: 9 }, 'depth'],
        [{ event: '/', depth: 0 }, 'depth'],
        [{ event: '/', direction: 'sideways' }, 'direction'],
        [{ event: '/', limit: 500 }, 'limit'],
        [{ depth: 2 }, 'event'],
        [{ event: '/', colour: 'red' }, 'colour'],
      ] as const) {
        const answer = await paths(analyst, query).expect(400);
        expect(answer.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(answer.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      for (const [rules, field] of [
        [[{ pattern: '([0-9]+', alias: 'x' }], 'rules.0.pattern'],
        [
          [
            { pattern: '^/a', alias: 'a' },
            { pattern: '*oops', alias: 'x' },
          ],
          'rules.1.pattern',
        ],
        [[{ pattern: 'a'.repeat(201), alias: 'x' }], 'rules.0.pattern'],
        [[{ pattern: '^/a' }], 'rules.0.alias'],
        [[{ pattern: '^/a', alias: 'x', flags: 'i' }], 'rules.0.flags'],
      ] as const) {
        const answer = await t
          .http()
          .put(url(brand, 'path-rules'))
          .set(analyst.auth)
          .send({ rules })
          .expect(400);
        expect(answer.body.code).toBe('validation_failed');
        expect(answer.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      await paths(viewer, { event: '/' }).expect(403);
      await paths(otherOwner, { event: '/' }).expect(404);
      await t.http().get(url(brand, 'path-rules')).set(otherOwner.auth).expect(404);
      await t.http().put(url(brand, 'path-rules')).set(otherOwner.auth).send({ rules: [] }).expect(404);
      const own = await paths(otherOwner, { event: '/' }, other).expect(200);
      expect(own.body).toMatchObject({ persons: 0, transitions: [] });
    });
  });

  describe('retention', () => {
    const days = () => {
      const list: string[] = [];
      for (let d = dayStart(from); d <= dayStart(to); d += DAY) list.push(localDay(d));
      return list;
    };
    const retention = (user: TestUser, query: Record<string, string>, org = brand) =>
      t
        .http()
        .get(url(org, 'reports/retention'))
        .query({ from, to, ...query })
        .set(user.auth);

    it('answers the daily triangle from first activity in the period', async () => {
      const expected = expectedRetention(visible(null), (d) => d, days());
      expect(expected.filter((c) => c.active.slice(1).some((n) => n > 0)).length).toBeGreaterThan(2);
      const answer = await retention(analyst, { interval: 'day' }).expect(200);
      expect(answer.body).toEqual({
        from,
        to,
        timeZone: 'Asia/Shanghai',
        interval: 'day',
        cohorts: expected,
      });
    });

    it('answers weekly cohorts labelled by their Monday', async () => {
      const weeks = [...new Set(days().map(mondayOf))];
      const expected = expectedRetention(visible(null), mondayOf, weeks);
      const answer = await retention(analyst, { interval: 'week' }).expect(200);
      expect(answer.body.cohorts).toEqual(expected);
    });

    it("shows a unit-scoped analyst only its accounts' people", async () => {
      const expected = expectedRetention(visible([shopAccount]), (d) => d, days());
      const answer = await retention(shopAnalyst, {}).expect(200);
      expect(answer.body.cohorts).toEqual(expected);
    });

    it('answers CSV one row per cohort and an SVG heatmap', async () => {
      const expected = expectedRetention(visible(null), (d) => d, days());
      const csv = await retention(analyst, { format: 'csv' }).expect(200);
      const rows = parseCsv(csv.text, { columns: true }) as Record<string, string>[];
      expect(rows).toHaveLength(expected.length);
      expect(Object.keys(rows[0])).toEqual(['cohort', 'persons', ...expected.map((_, n) => `day${n}`)]);
      rows.forEach((row, i) => {
        expect(row.cohort).toBe(expected[i].cohort);
        expect(Number(row.persons)).toBe(expected[i].persons);
        expected.forEach((_, n) => {
          const value = expected[i].rates[n];
          expect(row[`day${n}`]).toBe(value === undefined || value === null ? '' : String(value));
        });
      });
      const svg = await retention(analyst, { format: 'svg', interval: 'week' }).expect(200);
      expect(XMLValidator.validate(svgText(svg))).toBe(true);
      const parsed = new XMLParser({ ignoreAttributes: false }).parse(svgText(svg));
      expect(parsed.svg).toBeDefined();
      expect(svgText(svg)).toContain('Retained (%)');
      expect(svgText(svg)).toContain('Week 0');
    });

    it('refuses bad input, the wrong role and another tenant', async () => {
      for (const [query, field] of [
        [{ interval: 'month' }, 'interval'],
        [{ from: to, to: from }, 'to'],
        [{ from: '2026-02-30' }, 'from'],
        [{ from: '2024-01-01', to: '2026-01-01' }, 'to'],
      ] as const) {
        const answer = await retention(analyst, query).expect(400);
        expect(answer.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      await retention(viewer, {}).expect(403);
      await retention(otherOwner, {}).expect(404);
      const own = await retention(otherOwner, {}, other).expect(200);
      expect(own.body.cohorts.every((c: { persons: number }) => c.persons === 0)).toBe(true);
    });
  });
});
