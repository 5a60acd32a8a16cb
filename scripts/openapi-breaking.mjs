#!/usr/bin/env node
// Breaking-change gate for the partner contract. Compares openapi/openapi.json with the last released
// spec using Optic (`optic diff --check`, its breaking-change rules, run offline), and fails unless every
// breaking change it reports is approved, with a reason, in openapi/breaking-approvals.json.
//
//   node scripts/openapi-breaking.mjs [--base FILE] [--head FILE] [--approvals FILE]
//
// The base is the spec at the newest git tag `api-v*` (a spec release, see docs/operations.md), or,
// before the first release tag, the committed baseline openapi/released.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : fallback;
};
const shown = (path) => relative(process.cwd(), path) || path;

const work = mkdtempSync(join(tmpdir(), 'openapi-breaking-'));
try {
  process.exitCode = main();
} finally {
  rmSync(work, { recursive: true, force: true });
}

function main() {
  const head = resolve(option('--head', join(root, 'openapi', 'openapi.json')));
  const approvalsFile = resolve(option('--approvals', join(root, 'openapi', 'breaking-approvals.json')));
  const baseFile = option('--base', undefined);
  const base = baseFile ? { file: resolve(baseFile), label: shown(resolve(baseFile)) } : releasedSpec();
  console.log(`Comparing ${shown(head)} with ${base.label}`);

  const approvals = readApprovals(approvalsFile);
  const failures = opticFailures(base.file, head);
  const unapproved = failures.filter((failure) => !approvals.some((approval) => covers(approval, failure)));
  const approved = failures.length - unapproved.length;

  for (const failure of failures) {
    const mark = unapproved.includes(failure) ? 'BREAKING' : 'approved';
    console.log(`  ${mark}  ${failure.operation}  [${failure.rule}] ${failure.message}`);
  }
  const unused = approvals.filter((approval) => !failures.some((failure) => covers(approval, failure)));
  for (const approval of unused) {
    console.log(`  note: approval no longer needed: ${approval.operation} [${approval.rule}]`);
  }
  if (unapproved.length > 0) {
    console.error(
      `\n${unapproved.length} breaking change(s) not approved. Restore compatibility, or add each to ` +
        `${shown(approvalsFile)} as { "operation", "rule", "reason" } once partners have been told.`,
    );
    return 1;
  }
  console.log(`No unapproved breaking changes (${approved} approved).`);
  return 0;
}

/** The spec of the newest `api-v*` tag, else the committed baseline. */
function releasedSpec() {
  const tags = spawnSync('git', ['tag', '--list', 'api-v*', '--sort=-v:refname'], {
    cwd: root,
    encoding: 'utf8',
  });
  const tag = tags.status === 0 ? tags.stdout.split('\n').find(Boolean) : undefined;
  if (tag) {
    const show = spawnSync('git', ['show', `${tag}:openapi/openapi.json`], { cwd: root, encoding: 'utf8' });
    if (show.status !== 0) throw new Error(`git show ${tag}:openapi/openapi.json failed: ${show.stderr}`);
    const file = join(work, 'released.json');
    writeFileSync(file, show.stdout);
    return { file, label: `release tag ${tag}` };
  }
  const file = join(root, 'openapi', 'released.json');
  if (!existsSync(file)) throw new Error('No api-v* tag and no openapi/released.json baseline');
  return { file, label: `the baseline ${shown(file)} (no api-v* release tag yet)` };
}

/**
 * Runs `optic diff base head --check` and reads its report: each failed check as the operation it is
 * under (or `*` for the document), the rule's name and its message.
 */
function opticFailures(base, head) {
  const require = createRequire(import.meta.url);
  const optic = join(dirname(require.resolve('@useoptic/optic/package.json')), 'build', 'index.js');
  const run = spawnSync(process.execPath, [optic, 'diff', base, head, '--check'], {
    cwd: work,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: {
      ...process.env,
      // Offline and quiet: no telemetry, no update check against the npm registry, no colours to parse.
      OPTIC_TELEMETRY_LEVEL: 'off',
      NO_UPDATE_NOTIFIER: '1',
      NO_COLOR: '1',
      FORCE_COLOR: '0',
    },
  });
  const output = `${run.stdout}\n${run.stderr}`;
  if (run.status !== 0 && run.status !== 1) {
    throw new Error(`optic diff failed (exit ${run.status}):\n${output}`);
  }
  const failures = [];
  let operation = '*';
  for (const line of output.split('\n')) {
    const header = /^\s*[x✓]?\s*(GET|PUT|POST|DELETE|PATCH|OPTIONS|HEAD|TRACE) (\S+?):/.exec(line);
    if (header) operation = `${header[1]} ${header[2]}`;
    const failure = /^\s*x \[([^\]]+)\] (.*)$/.exec(line);
    if (failure) failures.push({ operation, rule: failure[1], message: failure[2].trim() });
  }
  // Exit 1 with nothing we could read means the report format changed: fail closed.
  if (run.status === 1 && failures.length === 0) {
    throw new Error(`optic diff reported failures this script could not read:\n${output}`);
  }
  return failures;
}

function readApprovals(file) {
  if (!existsSync(file)) return [];
  const parsed = JSON.parse(readFileSync(file, 'utf8'));
  const approvals = Array.isArray(parsed.approvals) ? parsed.approvals : [];
  for (const approval of approvals) {
    for (const field of ['operation', 'rule', 'reason']) {
      if (typeof approval[field] !== 'string' || approval[field].trim() === '') {
        throw new Error(`${shown(file)}: every approval needs "${field}" (${JSON.stringify(approval)})`);
      }
    }
  }
  return approvals;
}

/** An approval names the operation (`METHOD /path`, or `*`) and the Optic rule, optionally a message part. */
function covers(approval, failure) {
  return (
    (approval.operation === '*' || approval.operation === failure.operation) &&
    approval.rule === failure.rule &&
    (approval.match === undefined || failure.message.includes(approval.match))
  );
}
