import { AppConfig } from '../../../platform/config/app-config';
import { Environment } from '../../../platform/config/config.schema';
import { PublishPolicy, retryDelayMs } from './publish-policy';

const policy = (env: Partial<Environment>) =>
  new PublishPolicy(
    new AppConfig({
      PUBLISH_MAX_ATTEMPTS: 5,
      PUBLISH_RETRY_BASE_SECONDS: 60,
      PUBLISH_LEASE_SECONDS: 900,
      ...env,
    } as Environment),
  );
const NOW = new Date('2030-03-04T10:00:00Z');

describe('publish policy', () => {
  it('doubles the wait after each failure', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(60_000, attempt))).toEqual([
      60_000, 120_000, 240_000, 480_000,
    ]);
  });

  it('retries a retryable failure until the last attempt, and never a permanent one', () => {
    const p = policy({});
    expect(p.afterFailure(1, true, NOW)).toEqual({ retry: true, retryAt: new Date(NOW.getTime() + 60_000) });
    expect(p.afterFailure(4, true, NOW)).toEqual({ retry: true, retryAt: new Date(NOW.getTime() + 480_000) });
    expect(p.afterFailure(5, true, NOW)).toEqual({ retry: false });
    expect(p.afterFailure(1, false, NOW)).toEqual({ retry: false });
    expect(policy({ PUBLISH_MAX_ATTEMPTS: 1 }).afterFailure(1, true, NOW)).toEqual({ retry: false });
  });

  it('stops the connector before the lease ends', () => {
    const p = policy({ PUBLISH_LEASE_SECONDS: 900 });
    expect(p.leaseEnd(NOW)).toEqual(new Date(NOW.getTime() + 900_000));
    expect(p.connectorBudgetMs).toBe(840_000);
    expect(policy({ PUBLISH_LEASE_SECONDS: 60 }).connectorBudgetMs).toBe(30_000);
  });
});
