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
  DATABASE_PREPARED_STATEMENTS: Joi.boolean()
    .default(true)
    .description(
      'Send the hottest reads as named prepared statements (false behind a pooler without prepared-statement support)',
    ),
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
  ACCESS_CACHE_SIZE: Joi.number()
    .integer()
    .min(0)
    .default(10_000)
    .description(
      "Members' grants kept per process, checked against the organization's access version on every request; 0 = read them every time",
    ),
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
    .pattern(/^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/=]+(,[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/=]+)*$/)
    .description('Data keys "id:base64(32 bytes)", comma-separated; old keys stay to decrypt')
    .when(isProduction, {
      is: 'production',
      then: Joi.required(),
      otherwise: Joi.optional().default('dev1:ZGV2LW9ubHktMzItYnl0ZS1lbmNyeXB0aW9uLWtleSE='),
    }),
  ENCRYPTION_ACTIVE_KEY_ID: Joi.string()
    .max(32)
    .default('dev1')
    .description('Key id used to encrypt new data'),

  SMTP_URL: Joi.string().uri().optional().description('SMTP server for mail; unset = codes are logged'),
  MAIL_FROM: Joi.string().default('Daiyun <no-reply@daiyun.local>').description('Sender address of mail'),

  IDEMPOTENCY_KEY_TTL_HOURS: Joi.number()
    .integer()
    .min(1)
    .max(720)
    .default(24)
    .description(
      'How long a completed request is replayed for the same Idempotency-Key (from its first use); ' +
        'after that the key counts as unused',
    ),

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

  USAGE_CHECKPOINT_KEYS: productionSecret(
    'dev1:ZGV2LW9ubHktdXNhZ2UtY2hlY2twb2ludC1rZXktMDE=',
    'HMAC-SHA256 keys "id:base64(at least 32 bytes)" signing usage-record checkpoints, comma-separated; ' +
      'old keys stay listed to verify the checkpoints they signed',
  ).pattern(/^[A-Za-z0-9_-]{1,64}:[A-Za-z0-9+/=]+(,[A-Za-z0-9_-]{1,64}:[A-Za-z0-9+/=]+)*$/),
  USAGE_CHECKPOINT_ACTIVE_KEY_ID: Joi.string()
    .pattern(/^[A-Za-z0-9_-]{1,64}$/)
    .default('dev1')
    .description('Key id (from USAGE_CHECKPOINT_KEYS) that signs new usage-record checkpoints'),
  USAGE_CHECKPOINT_INTERVAL_SECONDS: Joi.number()
    .integer()
    .min(60)
    .default(300)
    .description(
      'A chain with new usage records gets a signed checkpoint once its last one is this old ' +
        '(checked every minute, so the effective interval rounds up to the next minute)',
    ),
  USAGE_CHECKPOINT_EVERY_RECORDS: Joi.number()
    .integer()
    .min(1)
    .default(100)
    .description('Also checkpoint a chain, within the appending transaction, every this many records'),
  DATABASE_APP_ROLE: Joi.string()
    .pattern(/^[a-z_][a-z0-9_]*$/)
    .max(63)
    .optional()
    .description(
      'Role the API connects as; when set, every migration run revokes UPDATE, DELETE and TRUNCATE on ' +
        'the append-only tables from it (it must not own them nor run the migrations)',
    ),

  CREDENTIAL_REVEALS_PER_HOUR: Joi.number()
    .integer()
    .min(1)
    .default(5)
    .description('Credential reveals a member may make per hour'),
  CREDENTIAL_REVEALS_ALERT_PER_DAY: Joi.number()
    .integer()
    .min(1)
    .default(3)
    .description("More reveals of one brand's accounts in a day than this alert the brand"),
  CREDENTIAL_REVEAL_LEARN_MIN_ACTIONS: Joi.number()
    .integer()
    .min(1)
    .default(50)
    .description(
      "Recorded actions in 30 days after which an organization's own hours replace the usual hours",
    ),
  CREDENTIAL_REVEAL_USUAL_HOURS: Joi.string()
    .pattern(/^([01]\d|2[0-3])-([01]\d|2[0-4])$/)
    .custom((value: string, helpers) => {
      const [start, end] = value.split('-');
      return start === end
        ? helpers.message({ custom: '{{#label}} must not start and end at the same hour' })
        : value;
    })
    .default('09-21')
    .description(
      'Usual hours for credential reveals (China time, "HH-HH", end excluded; "22-06" spans midnight, ' +
        '"00-24" is all day); a reveal outside them alerts the brand',
    ),
  CONTENT_RESTORE_WINDOW_DAYS: Joi.number()
    .integer()
    .min(1)
    .default(30)
    .description('Days after a removal during which the author may ask to restore the content'),
  REVIEW_CLAIM_MINUTES: Joi.number()
    .integer()
    .min(1)
    .default(30)
    .description('How long a claimed review task stays locked to its reviewer'),
  AUTHORIZATION_EXPIRY_WARNING_DAYS: Joi.number()
    .integer()
    .min(1)
    .default(7)
    .description('Days before an authorization expires that both sides are warned'),
  ANALYTICS_IMPORT_LIMIT_BYTES: Joi.number()
    .integer()
    .min(1024)
    .default(2_147_483_648)
    .description('Largest NDJSON body of an analytics event import (streamed, never held in memory)'),

  MODERATION_VERSION_CHECK_MS: Joi.number()
    .integer()
    .min(0)
    .default(2000)
    .description(
      'How often (at most) each API process asks the database whether a lexicon or moderation policy ' +
        'changed; a change made on another replica shows in checks within this time',
    ),
  MODERATION_ENGINE_CACHE_SIZE: Joi.number()
    .integer()
    .min(1)
    .default(256)
    .description(
      "Organizations' built sensitive-word engines kept in memory per process (least recent evicted)",
    ),
  MODERATION_IMPORT_MAX_LINES: Joi.number()
    .integer()
    .min(1)
    .default(10_000)
    .description('Most entries one sensitive-word import file may hold'),

  PUBLISH_CONNECTOR: Joi.string()
    .valid('sandbox', 'douyin')
    .default('sandbox')
    // Without a client key only the sandbox can work: fail at start-up, not at the first publish.
    .when('DOUYIN_CLIENT_KEY', {
      not: Joi.exist(),
      then: Joi.valid(Joi.override, 'sandbox').messages({
        'any.only': '"PUBLISH_CONNECTOR" must be sandbox while DOUYIN_CLIENT_KEY is unset (douyin needs it)',
      }),
    })
    .description(
      'How content reaches social accounts: `sandbox` records what would be published (in ' +
        'sandbox_publications) and publishes nothing; `douyin` publishes to Douyin accounts through the ' +
        'Douyin Open Platform (accounts of other platforms then fail to publish)',
    ),
  PUBLISH_MAX_ATTEMPTS: Joi.number()
    .integer()
    .min(1)
    .max(20)
    .default(5)
    .description('Publish attempts (the first included) before content ends in publish_failed'),
  PUBLISH_RETRY_BASE_SECONDS: Joi.number()
    .integer()
    .min(1)
    .default(60)
    .description('Wait after the first failed publish attempt; doubles after each further failure'),
  PUBLISH_LEASE_SECONDS: Joi.number()
    .integer()
    .min(60)
    .default(900)
    .description(
      'How long one publish attempt may take; the connector is stopped before it ends, and an attempt ' +
        'still pending after it (its process died) ends in publish_failed with an unknown outcome',
    ),
  DOUYIN_OPEN_API_BASE_URL: Joi.string()
    .uri({ scheme: ['https', 'http'] })
    .default('https://open.douyin.com')
    .description('Base URL of the Douyin Open Platform API'),
  DOUYIN_CLIENT_KEY: Joi.string()
    .max(64)
    .optional()
    .description('client_key of the Douyin Open Platform app (needed when PUBLISH_CONNECTOR=douyin)'),
  DOUYIN_HTTP_TIMEOUT_SECONDS: Joi.number()
    .integer()
    .min(1)
    .default(30)
    .description('Timeout of one Douyin Open Platform API call (token refresh, create)'),
  DOUYIN_UPLOAD_TIMEOUT_SECONDS: Joi.number()
    .integer()
    .min(1)
    .default(300)
    .description('Timeout of fetching one attachment and uploading it to Douyin'),
  MEDIA_FETCH_ALLOWED_HOSTS: Joi.string()
    .optional()
    .description('Hosts attachments may be downloaded from, comma-separated; unset = any public host'),
}).options({ allowUnknown: true, abortEarly: false });

export type Environment = {
  NODE_ENV: 'development' | 'production' | 'test';
  PORT: number;
  HOST: string;
  TRUST_PROXY: boolean;
  DATABASE_URL?: string;
  DATABASE_POOL_SIZE: number;
  DATABASE_SSL: boolean;
  DATABASE_PREPARED_STATEMENTS: boolean;
  MIGRATIONS_RUN_ON_START: boolean;
  EMBEDDED_PG_PORT: number;
  EMBEDDED_PG_DATA_DIR: string;
  LOG_LEVEL: string;
  CORS_ORIGINS: string;
  ACCESS_CACHE_SIZE: number;
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
  IDEMPOTENCY_KEY_TTL_HOURS: number;
  JOBS_ENABLED: boolean;
  OUTBOX_POLL_SECONDS: number;
  LOGIN_MAX_FAILURES: number;
  LOGIN_LOCK_MINUTES: number;
  LOGIN_PER_IP_PER_MINUTE: number;
  USAGE_CHECKPOINT_KEYS: string;
  USAGE_CHECKPOINT_ACTIVE_KEY_ID: string;
  USAGE_CHECKPOINT_INTERVAL_SECONDS: number;
  USAGE_CHECKPOINT_EVERY_RECORDS: number;
  DATABASE_APP_ROLE?: string;
  CREDENTIAL_REVEALS_PER_HOUR: number;
  CREDENTIAL_REVEALS_ALERT_PER_DAY: number;
  CREDENTIAL_REVEAL_USUAL_HOURS: string;
  CREDENTIAL_REVEAL_LEARN_MIN_ACTIONS: number;
  AUTHORIZATION_EXPIRY_WARNING_DAYS: number;
  ANALYTICS_IMPORT_LIMIT_BYTES: number;
  MODERATION_VERSION_CHECK_MS: number;
  MODERATION_ENGINE_CACHE_SIZE: number;
  MODERATION_IMPORT_MAX_LINES: number;
  PUBLISH_CONNECTOR: 'sandbox' | 'douyin';
  PUBLISH_MAX_ATTEMPTS: number;
  PUBLISH_RETRY_BASE_SECONDS: number;
  PUBLISH_LEASE_SECONDS: number;
  DOUYIN_OPEN_API_BASE_URL: string;
  DOUYIN_CLIENT_KEY?: string;
  DOUYIN_HTTP_TIMEOUT_SECONDS: number;
  DOUYIN_UPLOAD_TIMEOUT_SECONDS: number;
  MEDIA_FETCH_ALLOWED_HOSTS?: string;
  CONTENT_RESTORE_WINDOW_DAYS: number;
  REVIEW_CLAIM_MINUTES: number;
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
