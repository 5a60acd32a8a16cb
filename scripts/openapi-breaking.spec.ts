import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The breaking-change gate on a two-operation spec: a deliberate breaking change fails it, and the same
 * change passes once approved with a reason. Optic runs for real (offline), so this also proves the
 * gate can read the report of the installed Optic version.
 */
const SCRIPT = join(__dirname, 'openapi-breaking.mjs');
const OPTIC_TIMEOUT = 180_000;

const spec = (withDelete: boolean) => ({
  openapi: '3.0.3',
  info: { title: 'fixture', version: '1.0.0' },
  paths: {
    '/things': {
      get: {
        operationId: 'listThings',
        responses: {
          200: {
            description: 'ok',
            content: {
              'application/json': {
                schema: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
              },
            },
          },
        },
      },
    },
    ...(withDelete
      ? {
          '/things/{id}': {
            delete: {
              operationId: 'deleteThing',
              parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
              responses: { 204: { description: 'gone' } },
            },
          },
        }
      : {}),
  },
});

describe('openapi-breaking gate', () => {
  let dir: string;
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(content));
    return path;
  };
  const gate = (head: string, approvals: string) =>
    spawnSync(
      process.execPath,
      [SCRIPT, '--base', join(dir, 'base.json'), '--head', head, '--approvals', approvals],
      { encoding: 'utf8' },
    );

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gate-test-'));
    file('base.json', spec(true));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    'passes a compatible change (an added operation)',
    () => {
      const run = spawnSync(
        process.execPath,
        [
          SCRIPT,
          '--base',
          file('narrow.json', spec(false)),
          '--head',
          join(dir, 'base.json'),
          '--approvals',
          join(dir, 'none.json'),
        ],
        { encoding: 'utf8' },
      );
      expect(run.stdout).toContain('No unapproved breaking changes');
      expect(run.status).toBe(0);
    },
    OPTIC_TIMEOUT,
  );

  it(
    'fails when an operation is removed, and passes once the removal is approved',
    () => {
      const head = file('head.json', spec(false));
      const refused = gate(head, join(dir, 'none.json'));
      expect(refused.status).toBe(1);
      expect(refused.stdout).toContain('BREAKING  DELETE /things/{id}  [prevent operation removal]');

      const approvals = file('approvals.json', {
        approvals: [
          {
            operation: 'DELETE /things/{id}',
            rule: 'prevent operation removal',
            reason: 'Announced in March',
          },
          {
            operation: 'DELETE /things/{id}',
            rule: 'prevent response status code removal',
            reason: 'Goes with the operation',
          },
        ],
      });
      const approved = gate(head, approvals);
      expect(approved.stdout).toContain('No unapproved breaking changes (2 approved)');
      expect(approved.status).toBe(0);
    },
    2 * OPTIC_TIMEOUT,
  );

  it(
    'refuses an approval without a reason',
    () => {
      const approvals = file('no-reason.json', {
        approvals: [{ operation: 'DELETE /things/{id}', rule: 'prevent operation removal' }],
      });
      const run = gate(join(dir, 'head.json'), approvals);
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain('every approval needs "reason"');
    },
    OPTIC_TIMEOUT,
  );
});
