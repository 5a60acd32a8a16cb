import Joi from 'joi';

/**
 * The one validated configuration schema. Every variable carries a description and a default;
 * `.env.example` is kept in step with this file. Secrets have development defaults only so that a
 * fresh clone starts with no setup; in production they are required and start-up fails naming them.
 */
const isProduction = Joi.ref('NODE_ENV');

const productionSecret = (devDefault: string, description: string) =>
  Joi.string()
    .min(32)
    .description(description)
    .when(isProduction, {
      is: 'production',
      then: Joi.required(),
      otherwise: Joi.optional().default(devDefault),
    });

export const configSchema = Joi.object({
  NODE_ENV: Joi.string()
    .valid('development', 'production', 'test')
    .default('development')
    .description('Runtime mode'),
  PORT: Joi.number().port().default(3000).description('HTTP port'),
  HOST: Joi.string().default('0.0.0.0').description('Interface to listen on'),
  TRUST_PROXY: Joi.boolean().default(false).description('Trust X-Forwarded-For (behind a load balancer)'),

  DATABASE_URL: Joi.string()
    .uri({ scheme: ['postgres', 'postgresql'] })
    .optional()
    .description('PostgreSQL connection string; unset = start the embedded PostgreSQL'),
  DATABASE_POOL_SIZE: Joi.number().integer().min(1).max(200).default(10).description('Connection pool size'),
  DATABASE_SSL: Joi.boolean().default(false).description('Use TLS to reach PostgreSQL'),
  MIGRATIONS_RUN_ON_START: Joi.boolean().default(true).description('Run pending migrations at boot'),
  EMBEDDED_PG_PORT: Joi.number().port().default(54329).description('Port of the embedded PostgreSQL'),
  EMBEDDED_PG_DATA_DIR: Joi.string()
    .default('.data/postgres')
    .description('Data folder of the embedded PostgreSQL'),

  LOG_LEVEL: Joi.string()
    .valid('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent')
    .default('info')
    .description('Log level'),
  CORS_ORIGINS: Joi.string()
    .allow('')
    .default('')
    .description('Comma-separated allowed CORS origins ("*" = any)'),
  RATE_LIMIT_PER_MINUTE: Joi.number()
    .integer()
    .min(0)
    .default(600)
    .description('Requests per minute per client; 0 turns the global limit off'),
  BODY_LIMIT_BYTES: Joi.number()
    .integer()
    .min(1024)
    .default(1_048_576)
    .description('Largest accepted request body'),
  SHUTDOWN_TIMEOUT_MS: Joi.number()
    .integer()
    .min(0)
    .default(10_000)
    .description('Grace period for in-flight work'),

  JWT_SECRET: productionSecret(
    'dev-only-jwt-secret-change-me-0123456789abcdef',
    'HMAC secret signing access tokens',
  ),
  JWT_ACCESS_TTL_SECONDS: Joi.number().integer().min(60).default(900).description('Access token lifetime'),
  REFRESH_TTL_DAYS: Joi.number().integer().min(1).default(30).description('Refresh token lifetime'),

  ENCRYPTION_KEYS: Joi.string()
    .pattern(/^[A-Za-z0-9_-]+:[A-Za-z0-9+/=]+(,[A-Za-z0-9_-]+:[A-Za-z0-9+/=]+)*$/)
    .description('Data keys "id:base64(32 bytes)", comma-separated; old keys stay to decrypt')
    .when(isProduction, {
      is: 'production',
      then: Joi.required(),
      otherwise: Joi.optional().default('dev1:ZGV2LW9ubHktMzItYnl0ZS1lbmNyeXB0aW9uLWtleSE='),
    }),
  ENCRYPTION_ACTIVE_KEY_ID: Joi.string().default('dev1').description('Key id used to encrypt new data'),

  SMTP_URL: Joi.string().uri().optional().description('SMTP server for mail; unset = codes are logged'),
  MAIL_FROM: Joi.string().default('Daiyun <no-reply@daiyun.local>').description('Sender address of mail'),

  JOBS_ENABLED: Joi.boolean().default(true).description('Run background job workers in this process'),
  OUTBOX_POLL_SECONDS: Joi.number().min(0.5).default(2).description('How often the outbox drainer runs'),

  LOGIN_MAX_FAILURES: Joi.number()
    .integer()
    .min(1)
    .default(5)
    .description('Failures before an account locks'),
  LOGIN_LOCK_MINUTES: Joi.number()
    .integer()
    .min(1)
    .default(15)
    .description('Lock duration and failure window'),
  LOGIN_PER_IP_PER_MINUTE: Joi.number()
    .integer()
    .min(1)
    .default(30)
    .description('Login attempts per IP a minute'),
}).options({ allowUnknown: true, abortEarly: false });

export type Environment = {
  NODE_ENV: 'development' | 'production' | 'test';
  PORT: number;
  HOST: string;
  TRUST_PROXY: boolean;
  DATABASE_URL?: string;
  DATABASE_POOL_SIZE: number;
  DATABASE_SSL: boolean;
  MIGRATIONS_RUN_ON_START: boolean;
  EMBEDDED_PG_PORT: number;
  EMBEDDED_PG_DATA_DIR: string;
  LOG_LEVEL: string;
  CORS_ORIGINS: string;
  RATE_LIMIT_PER_MINUTE: number;
  BODY_LIMIT_BYTES: number;
  SHUTDOWN_TIMEOUT_MS: number;
  JWT_SECRET: string;
  JWT_ACCESS_TTL_SECONDS: number;
  REFRESH_TTL_DAYS: number;
  ENCRYPTION_KEYS: string;
  ENCRYPTION_ACTIVE_KEY_ID: string;
  SMTP_URL?: string;
  MAIL_FROM: string;
  JOBS_ENABLED: boolean;
  OUTBOX_POLL_SECONDS: number;
  LOGIN_MAX_FAILURES: number;
  LOGIN_LOCK_MINUTES: number;
  LOGIN_PER_IP_PER_MINUTE: number;
};

/** Validates a raw environment; throws an Error whose message names every bad variable. */
export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const { error, value } = configSchema.validate(raw);
  if (error) {
    const problems = error.details.map((d) => `  - ${d.message}`).join('\n');
    throw new Error(`Invalid configuration:\n${problems}`);
  }
  return value as Environment;
}
