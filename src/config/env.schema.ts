import { z } from 'zod';

/**
 * Every setting Nudge reads from the environment. Defaults match the local stack that
 * `npm run dev` starts, so a fresh clone runs with no .env at all.
 */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** JSON lines for machines; `pretty` (one coloured line each) is for `npm run dev` only. */
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),

  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),

  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
    .default('mongodb://127.0.0.1:27017/nudge'),

  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^:/\s]+:\d+$/, 'must be host:port')
    .default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('nudge'),

  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .default('smtp://127.0.0.1:1025'),
  MAIL_FROM: z.string().min(3).default('Nudge <nudge@localhost>'),

  TWILIO_ACCOUNT_SID: z
    .string()
    .regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex digits')
    .default('AC00000000000000000000000000000000'),
  TWILIO_AUTH_TOKEN: z.string().min(1).default('dev-auth-token'),
  TWILIO_FROM: z.string().min(1).default('+15005550006'),
  /** Origin of a Twilio-compatible API (the local SMS sink); unset means the real Twilio. */
  TWILIO_API_URL: z.url().optional(),

  /**
   * The development workspace seeded at start-up, so a fresh clone can send events at once.
   * Off by default in production, where these well-known keys would be an open door.
   */
  DEV_WORKSPACE_SEED: z.stringbool().optional(),
  DEV_WORKSPACE_ID: z
    .string()
    .regex(/^[\w-]{1,64}$/, 'letters, digits, "_" or "-", at most 64')
    .default('dev'),
  DEV_WRITE_KEY: z.string().min(16).default('wk_dev_0123456789abcdef'),
  DEV_SECRET_KEY: z.string().min(16).default('sk_dev_0123456789abcdef'),

  /**
   * Multiplies every journey wait: 1 in production; `npm run dev` sets a small value so a
   * 60-minute wait takes seconds in a demo. Applies to runs started after the change.
   */
  JOURNEY_WAIT_SCALE: z.coerce.number().min(0).max(1).default(1),
  /** How often a criteria segment is recalculated when it does not say (its Temporal Schedule's interval). */
  SEGMENT_RECALCULATE_EVERY_MINUTES: z.coerce.number().int().min(1).max(10_080).default(60),
  /** The product spec's experiment defaults, for experiments whose settings do not say. */
  EXPERIMENT_SIGNIFICANCE_LEVEL: z.coerce.number().gt(0).lt(0.5).default(0.05),
  EXPERIMENT_MIN_SAMPLE_SIZE: z.coerce.number().int().min(2).default(100),
  /** Days. */
  EXPERIMENT_DEFAULT_DURATION: z.coerce.number().int().min(1).max(365).default(14),
  /** Global frequency caps: at most this many messages per lead per channel in 24 h, across journeys. */
  EMAIL_DAILY_CAP_PER_LEAD: z.coerce.number().int().min(1).default(3),
  SMS_DAILY_CAP_PER_LEAD: z.coerce.number().int().min(1).default(2),
  /** Where recipients reach the API: unsubscribe links in emails are built on it. */
  PUBLIC_URL: z.url().default('http://127.0.0.1:3000'),
  /** Signs unsubscribe links; set a long random value in production. */
  UNSUBSCRIBE_SECRET: z.string().min(16).default('dev-unsubscribe-secret-change-me'),
  /** Email and SMS templates (see templates/README.md). */
  TEMPLATES_DIR: z.string().min(1).optional(),

  /** Ingestion requests each write key may make per second before getting 429s. */
  INGEST_RATE_LIMIT_PER_SECOND: z.coerce.number().int().min(1).default(1000),
});

/** The parsed environment; `DEV_WORKSPACE_SEED` is resolved from NODE_ENV when unset. */
export type Env = Omit<z.infer<typeof envSchema>, 'DEV_WORKSPACE_SEED'> & { DEV_WORKSPACE_SEED: boolean };

/** Parses the environment, or throws one error naming every missing or wrong variable. */
export function validateEnv(raw: Record<string, unknown>): Env {
  const result = envSchema.safeParse(raw);
  const problems = result.success
    ? productionProblems(result.data)
    : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  if (result.success && !problems.length) {
    const env = result.data;
    return { ...env, DEV_WORKSPACE_SEED: env.DEV_WORKSPACE_SEED ?? env.NODE_ENV !== 'production' };
  }
  throw new Error(`Invalid configuration:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
}

const DEFAULT_UNSUBSCRIBE_SECRET = envSchema.shape.UNSUBSCRIBE_SECRET.parse(undefined);

/** Defaults that are fine on a laptop and a hole in production. */
function productionProblems(env: z.infer<typeof envSchema>): string[] {
  if (env.NODE_ENV !== 'production') return [];
  const problems = [];
  // Anyone holding the published default could sign unsubscribe links for every lead.
  if (env.UNSUBSCRIBE_SECRET === DEFAULT_UNSUBSCRIBE_SECRET)
    problems.push('UNSUBSCRIBE_SECRET: must be set in production (the default is public); use a long random value');
  // pino-pretty is a dev dependency: the production image does not have it.
  if (env.LOG_FORMAT === 'pretty') problems.push('LOG_FORMAT: pretty is for development only; use json in production');
  return problems;
}
