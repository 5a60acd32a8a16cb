import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { configSchema } from '../src/platform/config/config.schema';

/**
 * Writes .env.example from the configuration schema (src/platform/config/config.schema.ts), or with
 * --check fails when the committed file no longer matches it, so a new variable can't go undocumented.
 * Each variable gets its description, allowed values, default, and whether it is a secret; variables
 * without a default, and every secret, are left commented out so that copying the file never puts a
 * development secret into a real environment.
 */

interface FlagSet {
  description?: string;
  default?: unknown;
  presence?: string;
}

interface KeyDescription {
  type: string;
  flags?: FlagSet;
  allow?: unknown[];
  rules?: { name: string; args?: Record<string, unknown> }[];
  whens?: { then?: { flags?: FlagSet }; otherwise?: { flags?: FlagSet } }[];
}

const HEADER = `# Daiyun configuration: every variable the app reads, generated from
# src/platform/config/config.schema.ts by \`npm run env:example\` (CI runs \`npm run env:check\`).
# The app reads the process environment only (no .env loading); to use a file:
#   node --env-file=.env dist/src/main.js      or      set -a && . ./.env && set +a && npm start
# Secrets and variables without a default are commented out. In production (NODE_ENV=production)
# the secrets marked "required in production" must be set; start-up fails naming any that is missing.
`;

function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + __dirname);
    dir = parent;
  }
  return dir;
}

/** Quotes values a shell would split or redirect (`set -a && . ./.env`); node --env-file strips the quotes. */
const quote = (value: string) =>
  /^[\w.,:/@*+-]*$/.test(value) ? value : `"${value.replace(/(["\\$`])/g, '\\$1')}"`;

function render(): string {
  const keys = (configSchema.describe() as { keys: Record<string, KeyDescription> }).keys;
  const blocks = Object.entries(keys).map(([name, key]) => {
    const when = key.whens?.[0];
    const requiredInProduction = when?.then?.flags?.presence === 'required';
    const fallback = key.flags?.default ?? when?.otherwise?.flags?.default;
    // A URL may carry a password; the rest is recognised by name or by being required in production.
    const secret = requiredInProduction || /(SECRET|PASSWORD|TOKEN|_KEYS?)$/.test(name) || /_URL$/.test(name);
    const values = (key.allow ?? []).filter((v) => typeof v !== 'object' && v !== '');

    const facts = [
      values.length ? `one of: ${values.join(', ')}` : null,
      fallback === undefined
        ? 'no default'
        : secret
          ? 'development default built in'
          : `default: ${fallback === '' ? '(empty)' : String(fallback)}`,
      requiredInProduction ? 'required in production' : null,
      secret ? (/_URL$/.test(name) ? 'secret (may carry a password)' : 'secret') : 'not secret',
    ].filter(Boolean);
    const comment = `# ${key.flags?.description ?? name}. ${facts.join('; ')}.`;
    const line = secret || fallback === undefined ? `# ${name}=` : `${name}=${quote(String(fallback))}`;
    return `${comment}\n${line}\n`;
  });
  return `${HEADER}\n${blocks.join('\n')}`;
}

function main(args: string[]): number {
  const file = join(projectRoot(), '.env.example');
  const expected = render();
  const current = existsSync(file) ? readFileSync(file, 'utf8') : null;
  if (args.includes('--check')) {
    if (current === expected) {
      console.log('.env.example matches the configuration schema.');
      return 0;
    }
    const documented = new Set(
      (current ?? '').match(/^#? ?[A-Z][A-Z0-9_]*(?==)/gm)?.map((l) => l.replace(/^# ?/, '')),
    );
    const missing = Object.keys((configSchema.describe() as { keys: object }).keys).filter(
      (k) => !documented.has(k),
    );
    console.error(
      `.env.example is out of date with src/platform/config/config.schema.ts` +
        (missing.length ? ` (missing: ${missing.join(', ')})` : '') +
        '. Run `npm run env:example` and commit it.',
    );
    return 1;
  }
  if (current !== expected) writeFileSync(file, expected);
  console.log(current === expected ? '.env.example is already up to date.' : 'Wrote .env.example.');
  return 0;
}

process.exit(main(process.argv.slice(2)));
