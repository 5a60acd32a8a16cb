import { createTestApp, TestApp } from './support/test-app';

const LIMIT = 3;

/**
 * The global rate limit, as the OpenAPI document describes it: standard X-RateLimit-* headers on every
 * limited response, 429 problem+json with Retry-After past the limit, and probes never limited.
 */
describe('global rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { RATE_LIMIT_PER_MINUTE: String(LIMIT) } });
  });
  afterAll(() => t.close());

  it('counts down in X-RateLimit-* and answers 429 with Retry-After past the limit', async () => {
    for (let used = 1; used <= LIMIT; used += 1) {
      const res = await t.http().get('/api/v1/permissions').expect(200);
      expect(res.headers['x-ratelimit-limit']).toBe(String(LIMIT));
      expect(res.headers['x-ratelimit-remaining']).toBe(String(LIMIT - used));
      expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThan(0);
    }
    const limited = await t.http().get('/api/v1/permissions').expect(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.body).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
  });

  it('never limits the probes', async () => {
    for (let i = 0; i < LIMIT + 2; i += 1) {
      const res = await t.http().get('/health/live').expect(200);
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    }
  });
});
