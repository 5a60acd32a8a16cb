import { printProfile } from './cpu-profile';
import {
  benchSettings,
  createBenchDatabase,
  loadInRounds,
  perRound,
  printResults,
  profileDirectory,
  profiling,
  resolveBenchServer,
  runBench,
  startChild,
} from './support';

/**
 * npm run bench:hello: framework overhead. The app's GET /health/live (full Nest + Fastify pipeline:
 * request id, security headers, CORS, throttler (off), access guard on a public route, terminus) against a bare
 * Fastify handler answering a constant, both in their own process, loaded one after the other.
 * Goal (issue 11): the app serves at least 0.4 × bare Fastify. BENCH_PROFILE=1 profiles the app's load.
 */
runBench(async (cleanup) => {
  const settings = benchSettings();
  const server = await resolveBenchServer();
  cleanup(() => server.stop());
  // /health/live never queries, but the app connects at boot, so give it a real (fresh) database.
  const database = await createBenchDatabase(server);
  cleanup(() => database.drop());
  console.log(`database: ${server.label} (${database.name})`);

  const env = {
    DATABASE_URL: database.url,
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'warn',
    JOBS_ENABLED: 'false',
  };
  const app = await startChild('app-server', env);
  cleanup(() => app.stop());
  const bare = await startChild('bare-server', env);
  cleanup(() => bare.stop());

  const profileDir = profileDirectory();
  const profile = profileDir ? profiling(app, profileDir, 'health-live') : undefined;
  const results = await loadInRounds(
    [
      {
        name: 'app GET /health/live',
        url: `${app.url}/health/live`,
        options: { measurement: profile, server: app },
      },
      { name: 'bare Fastify GET /hello', url: `${bare.url}/hello`, options: { server: bare } },
    ],
    settings,
  );
  printResults('bench:hello', settings, results);
  const ratio = results[0].requestsPerSecond / results[1].requestsPerSecond;
  console.log(
    `ratio app/bare: ${ratio.toFixed(2)}  (goal ≥ 0.40: ${ratio >= 0.4 ? 'met' : 'NOT met'})` +
      perRound(results[0], results[1]),
  );
  if (profile) printProfile('the app during GET /health/live', profile.path);
});
