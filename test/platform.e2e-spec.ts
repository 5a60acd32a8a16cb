import { createTestApp, TestApp } from './support/test-app';

describe('platform', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answers liveness and readiness', async () => {
    await t.http().get('/health/live').expect(200);
    const ready = await t.http().get('/health/ready').expect(200);
    expect(ready.body.info.database.status).toBe('up');
    expect(ready.body.info.migrations.status).toBe('up');
  });

  it('answers an unknown route with problem+json 404', async () => {
    const res = await t.http().get('/api/v1/nope').expect(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 404, code: 'route_not_found', title: 'Not Found' });
  });

  it('sends security headers on every response', async () => {
    const res = await t.http().get('/health/live').expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    const problem = await t.http().get('/api/v1/nope').expect(404);
    expect(problem.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('echoes a sane X-Request-Id and mints one otherwise', async () => {
    const echoed = await t.http().get('/health/live').set('X-Request-Id', 'abc-123');
    expect(echoed.headers['x-request-id']).toBe('abc-123');
    const minted = await t.http().get('/health/live').set('X-Request-Id', 'bad id with spaces');
    expect(minted.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
