#!/usr/bin/env node
// Rebuilds dist/ with `nest build` only when it is missing or older than its sources, so `npm start`,
// the migration CLI, the OpenAPI script and the benches all run the compiled code without paying for a
// build every time. Usage: node scripts/build-if-needed.mjs [--force]
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const stamp = join(dist, '.build-stamp');
const lock = join(dist, '.build-lock');
const entry = join(dist, 'src', 'main.js');

/** Folders compiled by tsconfig.build.json; their .ts files map 1:1 to dist/<folder>/**.js. */
const SOURCE_DIRS = ['src', 'migrations', 'scripts', 'bench'];
const CONFIG_FILES = [
  'tsconfig.json',
  'tsconfig.build.json',
  'nest-cli.json',
  'package.json',
  'package-lock.json',
];

const log = (line) => process.stderr.write(`[build-if-needed] ${line}\n`);
const isSource = (name) => name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.endsWith('.spec.ts');

/** Every file and folder below dir. Folder mtimes matter too: deleting or renaming a file changes them. */
function* walk(dir) {
  if (!existsSync(dir)) return;
  yield dir;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

function staleReason() {
  if (!existsSync(entry)) return 'dist/src/main.js is missing';
  if (!existsSync(stamp)) return 'no record of a previous build';
  const built = statSync(stamp).mtimeMs;
  for (const file of CONFIG_FILES) {
    const path = join(root, file);
    if (existsSync(path) && statSync(path).mtimeMs > built) return `${file} changed`;
  }
  for (const dir of SOURCE_DIRS) {
    for (const path of walk(join(root, dir))) {
      // Unit tests beside the code are not part of the build.
      if (path.endsWith('.spec.ts')) continue;
      if (statSync(path).mtimeMs > built) return `${relative(root, path)} changed`;
    }
  }
  return null;
}

/**
 * tsc's incremental state lives in dist/.tsbuildinfo: if an output was deleted while the state says it
 * is up to date, tsc would not write it again. Drop the state when any expected output is missing.
 */
function outputsMissing() {
  for (const dir of SOURCE_DIRS) {
    for (const path of walk(join(root, dir))) {
      if (!isSource(path)) continue;
      const out = join(dist, relative(root, path)).replace(/\.ts$/, '.js');
      if (!existsSync(out)) return true;
    }
  }
  return false;
}

/**
 * nest-cli.json keeps dist/ between builds (incremental). A source file that was deleted or renamed would
 * leave its old .js behind, and a stale migration would even be run, so remove outputs without a source.
 */
function pruneOrphans() {
  const removed = [];
  for (const dir of SOURCE_DIRS) {
    for (const path of walk(join(dist, dir))) {
      const match = /\.(js|js\.map|d\.ts)$/.exec(path);
      if (!match) continue;
      const source = join(root, relative(dist, path)).slice(0, -match[0].length) + '.ts';
      if (!existsSync(source)) {
        rmSync(path);
        removed.push(relative(root, path));
      }
    }
  }
  if (removed.length) log(`removed ${removed.length} output(s) whose source is gone: ${removed.join(', ')}`);
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function holderAlive() {
  try {
    const pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else. A missing pid file: the holder just started.
    return (
      error.code === 'EPERM' || (error.code === 'ENOENT' && Date.now() - statSync(lock).mtimeMs < 10_000)
    );
  }
}

/** Two commands started together (say `npm start` and `npm run openapi`) must not build into dist at once. */
function withLock(fn) {
  mkdirSync(dist, { recursive: true });
  const deadline = Date.now() + 5 * 60_000;
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      if (!holderAlive()) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`Timed out waiting for another build (${lock})`);
      if (!announced) log('waiting for another build to finish');
      announced = true;
      sleep(250);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function build(reason) {
  const require = createRequire(import.meta.url);
  let nest;
  try {
    nest = require.resolve('@nestjs/cli/bin/nest.js');
  } catch {
    log('dist/ is out of date but the Nest CLI is not installed: run `npm ci` first.');
    return 1;
  }
  log(`building (${reason})`);
  if (outputsMissing()) rmSync(join(dist, '.tsbuildinfo'), { force: true });
  const startedAt = new Date();
  const result = spawnSync(process.execPath, [nest, 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    log('build failed');
    return result.status ?? 1;
  }
  pruneOrphans();
  // Stamp with the start time, so a file saved during the build triggers the next one.
  writeFileSync(stamp, `${startedAt.toISOString()}\n`);
  utimesSync(stamp, startedAt, startedAt);
  log(`built in ${((Date.now() - startedAt.getTime()) / 1000).toFixed(1)}s`);
  return 0;
}

const force = process.argv.includes('--force');
process.exitCode = withLock(() => {
  const reason = force ? 'forced' : staleReason();
  return reason ? build(reason) : 0;
});
