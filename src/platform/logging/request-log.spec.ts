import Fastify from 'fastify';
import pino from 'pino';
import { Writable } from 'node:stream';
import { AppLogger } from './app-logger';
import { REDACTED_PATHS } from './redaction';
import { levelForStatus, registerRequestLog } from './request-log';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, stream);
  return { logger, lines };
}

async function serve(level: string) {
  const { logger, lines } = capture(level);
  const app = Fastify({ genReqId: () => 'req-1' });
  registerRequestLog(app, logger);
  app.get('/ok', async () => ({ ok: true }));
  app.get('/health/live', async (_request, reply) => reply.code(503).send({}));
  app.get('/boom', async (_request, reply) => reply.code(500).send({}));
  await app.ready();
  return { app, lines };
}

describe('request log', () => {
  it('maps statuses to levels', () => {
    expect([200, 302, 400, 404, 429, 500, 503].map(levelForStatus)).toEqual([
      'info',
      'info',
      'warn',
      'warn',
      'warn',
      'error',
      'error',
    ]);
  });

  it('writes 4xx and 5xx with the request id at warn, and nothing for a 2xx', async () => {
    const { app, lines } = await serve('warn');
    await app.inject({ url: '/ok', headers: { authorization: 'Bearer secret' } });
    await app.inject({ url: '/missing' });
    await app.inject({ url: '/boom' });
    expect(lines.map((l) => [l.level, l.msg, (l.res as { statusCode: number }).statusCode])).toEqual([
      [40, 'request completed', 404],
      [50, 'request errored', 500],
    ]);
    expect(lines[0]).toMatchObject({ reqId: 'req-1', req: { id: 'req-1', method: 'GET', url: '/missing' } });
    await app.close();
  });

  it('writes 2xx at info and leaves health probes out', async () => {
    const { app, lines } = await serve('info');
    await app.inject({ url: '/ok' });
    await app.inject({ url: '/health/live' });
    expect(lines.map((l) => (l.req as { url: string }).url)).toEqual(['/ok']);
    expect(typeof lines[0].responseTime).toBe('number');
    await app.close();
  });
});

describe('AppLogger', () => {
  it("writes Nest's lines with the context as module, objects merged, errors as err, secrets redacted", () => {
    const { logger, lines } = capture('info');
    const nest = new AppLogger(logger);
    nest.log('started', 'Bootstrap');
    nest.warn({ requestId: 'r1', token: 'abc' }, 'Could not do it', 'Outbox');
    nest.error(new Error('broken'), 'Errors');
    nest.error('Unhandled', 'Error: x\n    at y (z.js:1:1)', 'ExceptionsHandler');
    nest.debug('not written', 'Bootstrap');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatchObject({ level: 30, module: 'Bootstrap', msg: 'started' });
    expect(lines[1]).toMatchObject({ level: 40, module: 'Outbox', requestId: 'r1', token: '[redacted]' });
    expect(lines[2]).toMatchObject({ level: 50, module: 'Errors', err: { message: 'broken' } });
    expect(lines[3]).toMatchObject({
      module: 'ExceptionsHandler',
      err: { stack: 'Error: x\n    at y (z.js:1:1)' },
    });
  });
});
