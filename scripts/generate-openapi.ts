import 'reflect-metadata';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { configureApp, createFastifyAdapter } from '../src/app.factory';
import { AppModule } from '../src/app.module';
import { validateEnvironment } from '../src/platform/config/config.schema';
import { contractProblems } from '../src/platform/openapi/contract-checks';
import { buildOpenApiDocument, serializeOpenApi } from '../src/platform/openapi/openapi';

/**
 * Writes openapi/openapi.json from the code, or checks the committed copy against it.
 *
 *   generate-openapi             write openapi/openapi.json
 *   generate-openapi --check     exit 1 (with a short summary) when the committed file is out of date
 *   generate-openapi --compare-live [url]
 *                                compare the committed file with what a running app serves
 *                                (default http://127.0.0.1:$PORT/docs-json)
 *
 * It must run compiled (dist/scripts/generate-openapi.js): the @nestjs/swagger CLI plugin, which turns DTO
 * properties and doc comments into schema, only runs inside `nest build`. The app is created in Nest's
 * preview mode: modules and routes are scanned but no provider is instantiated, so nothing connects to a
 * database (the URL below is never dialled) and no job worker starts.
 */

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const MAX_LISTED = 25;

function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + __dirname);
    dir = parent;
  }
  return dir;
}

async function generate(): Promise<string> {
  // The spec must not depend on who runs the script: fixed settings, nothing read from the caller's env
  // except what the schema validation needs to pass.
  const env = validateEnvironment({
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'silent',
    JOBS_ENABLED: 'false',
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ databaseUrl: 'postgres://unused@127.0.0.1:1/unused', jobs: false }),
    createFastifyAdapter(env),
    { preview: true, logger: false, abortOnError: false },
  );
  try {
    await configureApp(app, env);
    const document = buildOpenApiDocument(app);
    // A document a generated client cannot use is not written: fix the decorators or the generator.
    const problems = contractProblems(document as unknown as Json);
    if (problems.length > 0) {
      throw new Error(`the document is not sound:\n  ${problems.slice(0, MAX_LISTED).join('\n  ')}`);
    }
    return serializeOpenApi(document);
  } finally {
    await app.close();
  }
}

const pointer = (path: string[]) =>
  '/' + path.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/** JSON pointers of every place where the two documents differ, outermost first. */
function differences(expected: Json, actual: Json, path: string[] = [], out: string[] = []): string[] {
  const isObject = (v: Json): v is { [key: string]: Json } =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(expected) && isObject(actual)) {
    for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
      if (!(key in actual)) out.push(`- ${pointer([...path, key])}`);
      else if (!(key in expected)) out.push(`+ ${pointer([...path, key])}`);
      else differences(expected[key], actual[key], [...path, key], out);
    }
  } else if (JSON.stringify(expected) !== JSON.stringify(actual)) {
    out.push(`~ ${pointer(path)}`);
  }
  return out;
}

/** Prints what differs (committed = "-", generated/live = "+") and returns the exit code. */
function compare(committedFile: string, committed: string | null, current: string, source: string): number {
  if (committed === current) {
    console.log(`${committedFile} is up to date with ${source}.`);
    return 0;
  }
  if (committed === null) {
    console.error(`${committedFile} is missing. Run \`npm run openapi\` and commit the file.`);
    return 1;
  }
  const diff = differences(JSON.parse(committed) as Json, JSON.parse(current) as Json);
  console.error(`${committedFile} differs from ${source} (- only committed, + only ${source}, ~ changed):`);
  for (const line of diff.slice(0, MAX_LISTED)) console.error(`  ${line}`);
  if (diff.length > MAX_LISTED) console.error(`  … and ${diff.length - MAX_LISTED} more`);
  if (diff.length === 0) console.error('  (same content, different formatting)');
  console.error('Run `npm run openapi` and commit openapi/openapi.json.');
  return 1;
}

async function main(args: string[]): Promise<number> {
  const root = projectRoot();
  const file = join(root, 'openapi', 'openapi.json');
  const shown = relative(process.cwd(), file) || file;
  const committed = existsSync(file) ? readFileSync(file, 'utf8') : null;

  const liveIndex = args.indexOf('--compare-live');
  if (liveIndex >= 0) {
    const port = process.env.PORT ?? '3000';
    const url = args[liveIndex + 1] ?? `http://127.0.0.1:${port}/docs-json`;
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    const live = serializeOpenApi((await response.json()) as Parameters<typeof serializeOpenApi>[0]);
    return compare(shown, committed, live, url);
  }

  const generated = await generate();
  if (args.includes('--check')) return compare(shown, committed, generated, 'the code');

  mkdirSync(dirname(file), { recursive: true });
  if (committed === generated) {
    console.log(`${shown} is already up to date.`);
  } else {
    writeFileSync(file, generated);
    const paths = Object.keys((JSON.parse(generated) as { paths: Record<string, unknown> }).paths).length;
    console.log(`Wrote ${shown} (${paths} paths).`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('OpenAPI generation failed:', error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
