// The one place that reads the environment. Every setting is declared once here, parsed with zod
// at start, and passed down; the README's configuration table is generated from this list.
import { resolve } from 'node:path';
import { z } from 'zod';
import { httpRateLimitSchema, rateLimitRulesSchema } from './domain/ratelimit/spec.js';

const port = z.coerce.number({ error: 'must be a port number from 0 to 65535' }).int().min(0).max(65535);
const positiveInt = z.coerce.number({ error: 'must be a whole number' }).int().positive();
const nonNegativeInt = z.coerce.number({ error: 'must be a whole number' }).int().min(0);
const flag = z.enum(['true', 'false'], { error: 'must be true or false' }).transform((v) => v === 'true');
const list = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

export const settings = {
  databaseUrl: {
    env: 'DATABASE_URL',
    default: undefined,
    doc: 'SQLite file (`file:path`) or PostgreSQL URL (`postgresql://…`). Unset: `file:<dataDir>/switchboard.db`. PostgreSQL lets several Switchboard processes share one database.',
    schema: z.string().min(1).optional(),
  },
  dataDir: {
    env: 'SWITCHBOARD_DATA_DIR',
    default: './data',
    doc: 'Directory for the SQLite file and the generated secret key.',
    schema: z.string().min(1),
  },
  secretKey: {
    env: 'SWITCHBOARD_SECRET_KEY',
    default: undefined,
    doc: 'Base64 of 32 bytes: the AES-256-GCM key for secrets at rest. Unset: generated once into `<dataDir>/secret.key`.',
    schema: z.string().optional(),
  },
  host: {
    env: 'SWITCHBOARD_HOST',
    default: '127.0.0.1',
    doc: 'HTTP listen address (`serve --host`).',
    schema: z.string().min(1),
  },
  port: {
    env: 'SWITCHBOARD_PORT',
    default: '8808',
    doc: 'HTTP listen port (`serve --port`); 0 picks a free one.',
    schema: port,
  },
  allowedOrigins: {
    env: 'SWITCHBOARD_ALLOWED_ORIGINS',
    default: '',
    doc: 'Comma-separated browser origins allowed to call /mcp (e.g. `http://localhost:6274`). Requests without an Origin header (non-browser clients) are allowed; any other Origin gets 403.',
    schema: list,
  },
  allowedHosts: {
    env: 'SWITCHBOARD_ALLOWED_HOSTS',
    default: '',
    doc: 'Comma-separated Host header values accepted (DNS-rebinding protection). Empty: localhost, 127.0.0.1 and [::1] when bound to loopback; any host otherwise.',
    schema: list,
  },
  bodyLimit: {
    env: 'SWITCHBOARD_BODY_LIMIT',
    default: '1mb',
    doc: 'Largest JSON-RPC request body accepted; larger ones get 413.',
    schema: z.string().regex(/^\d{1,9}(b|kb|mb)?$/i, 'a size such as 1mb, 512kb or 100000'),
  },
  eventStoreSize: {
    env: 'SWITCHBOARD_EVENT_STORE_SIZE',
    default: '1000',
    doc: 'Events kept per HTTP session for resuming streams (Last-Event-ID); older ones are dropped.',
    schema: positiveInt,
  },
  eventStoreBytes: {
    env: 'SWITCHBOARD_EVENT_STORE_BYTES',
    default: '65536',
    doc: 'At most this many bytes (of JSON) of those events per HTTP session, oldest dropped first: with many sessions, memory stays at sessions × this.',
    schema: positiveInt,
  },
  sessionIdleMs: {
    env: 'SWITCHBOARD_SESSION_IDLE_MS',
    default: '1800000',
    doc: 'An HTTP session idle this long is closed; its id then answers 404.',
    schema: positiveInt,
  },
  httpStateless: {
    env: 'SWITCHBOARD_HTTP_STATELESS',
    default: 'false',
    doc: '`true`: stateless Streamable HTTP for replicas behind a load balancer without sticky sessions — every POST /mcp is served on its own, with no session id, no GET stream and no resource subscriptions. Tasks, jobs, keys and rate limits live in the database, so any replica answers for them.',
    schema: flag,
  },
  shutdownTimeoutMs: {
    env: 'SWITCHBOARD_SHUTDOWN_TIMEOUT_MS',
    default: '10000',
    doc: 'On SIGINT/SIGTERM, how long in-flight calls may take to finish before the process exits.',
    schema: positiveInt,
  },
  principal: {
    env: 'SWITCHBOARD_PRINCIPAL',
    default: 'local',
    doc: 'The principal id of a stdio session (the OS user who launched the process is trusted).',
    schema: z.string().min(1).max(200),
  },
  principalRoles: {
    env: 'SWITCHBOARD_PRINCIPAL_ROLES',
    default: 'admin',
    doc: 'Comma-separated roles of the stdio principal.',
    schema: list,
  },
  oauthIssuer: {
    env: 'SWITCHBOARD_OAUTH_ISSUER',
    default: undefined,
    doc: 'OAuth 2.1 issuer whose bearer JWTs are accepted besides API keys (set with the JWKS URL and audience).',
    schema: z.url().optional(),
  },
  oauthJwksUrl: {
    env: 'SWITCHBOARD_OAUTH_JWKS_URL',
    default: undefined,
    doc: 'JWKS URL of the issuer’s signing keys.',
    schema: z.url().optional(),
  },
  oauthAudience: {
    env: 'SWITCHBOARD_OAUTH_AUDIENCE',
    default: undefined,
    doc: 'Audience a JWT must carry (this server’s resource identifier).',
    schema: z.string().min(1).optional(),
  },
  oauthRolesClaim: {
    env: 'SWITCHBOARD_OAUTH_ROLES_CLAIM',
    default: 'roles',
    doc: 'JWT claim holding the principal’s roles (an array, or a space-separated string).',
    schema: z.string().min(1),
  },
  publicUrl: {
    env: 'SWITCHBOARD_PUBLIC_URL',
    default: undefined,
    doc: 'The URL clients reach this server at (e.g. https://switchboard.example.com); used in OAuth protected-resource metadata. Default: http://<host>:<port>.',
    schema: z.url().optional(),
  },
  httpRateLimit: {
    env: 'SWITCHBOARD_HTTP_RATE_LIMIT',
    default: '6000/m',
    doc: 'HTTP requests to /mcp each principal may make per window (`<count>/<window>`, window `s`, `m` or `h` with an optional multiple: `100/s`, `500/15m`), or `off`. Counted in the database, so shared by every process on one PostgreSQL; past it: 429 with Retry-After.',
    schema: httpRateLimitSchema,
  },
  rateLimits: {
    env: 'SWITCHBOARD_RATE_LIMITS',
    default: '',
    doc: 'Tool-call limits per principal, comma-separated `<scope>=<limit>`: scope `principal` (all tool calls), `tool:<name>` or `intent:<pattern>` (invoke and job_submit by intent; `*` one segment, `**` any). E.g. `principal=1000/m,tool:invoke=100/m,intent:billing.**=10/s`. A call must fit every rule it matches; past one it fails with a rate_limited error naming it and when to retry.',
    schema: rateLimitRulesSchema,
  },
  metricsPublic: {
    env: 'SWITCHBOARD_METRICS_PUBLIC',
    default: 'false',
    doc: '`true`: serve Prometheus `/metrics` without authentication (for a scraper on a private network). `false`: a scrape needs `Authorization: Bearer <API key>`, like /mcp.',
    schema: flag,
  },
  staleAfterMs: {
    env: 'SWITCHBOARD_STALE_AFTER_MS',
    default: '86400000',
    doc: '`registry_stats` reports a server as stale when it has not been seen for this long.',
    schema: positiveInt,
  },
  upstreamTimeoutMs: {
    env: 'SWITCHBOARD_UPSTREAM_TIMEOUT_MS',
    default: '30000',
    doc: 'How long an upstream tool call made by `invoke` may take unless the call asks for less or more; the upstream is then sent a cancellation.',
    schema: positiveInt,
  },
  upstreamMaxConcurrency: {
    env: 'SWITCHBOARD_UPSTREAM_MAX_CONCURRENCY',
    default: '16',
    doc: 'Calls in flight to one upstream server at a time, per process; further calls wait their turn (within their timeout).',
    schema: positiveInt,
  },
  upstreamIdleMs: {
    env: 'SWITCHBOARD_UPSTREAM_IDLE_MS',
    default: '300000',
    doc: 'An upstream connection unused this long is closed; a stdio server process is stopped with it.',
    schema: positiveInt,
  },
  healthIntervalMs: {
    env: 'SWITCHBOARD_HEALTH_INTERVAL_MS',
    default: '60000',
    doc: 'How often every active server is health-checked (connect, ping, list tools); 0 turns periodic checks off. With several processes on one PostgreSQL, one of them runs each check.',
    schema: nonNegativeInt,
  },
  healthTimeoutMs: {
    env: 'SWITCHBOARD_HEALTH_TIMEOUT_MS',
    default: '10000',
    doc: 'A health check that takes longer than this fails.',
    schema: positiveInt,
  },
  healthDegradedAfter: {
    env: 'SWITCHBOARD_HEALTH_DEGRADED_AFTER',
    default: '1',
    doc: 'Consecutive failed health checks after which a server is degraded.',
    schema: positiveInt,
  },
  healthUnhealthyAfter: {
    env: 'SWITCHBOARD_HEALTH_UNHEALTHY_AFTER',
    default: '3',
    doc: 'Consecutive failed health checks after which a server is unhealthy (one success makes it healthy again).',
    schema: positiveInt,
  },
  dbPoolSize: {
    env: 'SWITCHBOARD_DB_POOL_SIZE',
    default: '10',
    doc: 'PostgreSQL connection pool size per process.',
    schema: positiveInt,
  },
  traceFlushMs: {
    env: 'SWITCHBOARD_TRACE_FLUSH_MS',
    default: '200',
    doc: 'How often buffered traces are written. A crash loses at most the traces of this window.',
    schema: positiveInt,
  },
  traceBufferSize: {
    env: 'SWITCHBOARD_TRACE_BUFFER',
    default: '10000',
    doc: 'Traces held in memory before callers wait for the writer (nothing is dropped).',
    schema: positiveInt,
  },
  traceMaxPayloadBytes: {
    env: 'SWITCHBOARD_TRACE_MAX_PAYLOAD_BYTES',
    default: '16384',
    doc: 'A request or response larger than this (after redaction) is stored truncated, with a marker.',
    schema: positiveInt,
  },
  traceRetentionDays: {
    env: 'SWITCHBOARD_TRACE_RETENTION_DAYS',
    default: '30',
    doc: 'Traces older than this are purged automatically (hourly).',
    schema: positiveInt,
  },
  jobWorkers: {
    env: 'SWITCHBOARD_JOB_WORKERS',
    default: '4',
    doc: 'Jobs this process runs at once; 0: this process runs no jobs and sends no job webhooks (it still accepts and serves them). Several processes on one PostgreSQL share the queue and the webhook deliveries.',
    schema: nonNegativeInt,
  },
  jobLeaseMs: {
    env: 'SWITCHBOARD_JOB_LEASE_MS',
    default: '30000',
    doc: 'A running job’s lease, renewed every third of it; a job whose process stops renewing is put back in the queue (or failed, with no attempts left) once it lapses.',
    schema: z.coerce.number({ error: 'must be a whole number' }).int().min(1000, 'must be at least 1000'),
  },
  webhookRetryBaseMs: {
    env: 'SWITCHBOARD_WEBHOOK_RETRY_BASE_MS',
    default: '2000',
    doc: 'First wait before a failed job webhook is retried; each retry waits about twice as long (5 attempts in all: about a minute with the default).',
    schema: positiveInt,
  },
  webhookAllowPrivate: {
    env: 'SWITCHBOARD_WEBHOOK_ALLOW_PRIVATE',
    default: 'false',
    doc: '`true`: job webhooks may go to hosts that are or resolve to loopback, private, link-local, unique-local, CGNAT or other non-public addresses (a receiver inside your network). `false`: such a `webhookUrl` is refused at `job_submit`, and again after DNS resolution at each delivery.',
    schema: flag,
  },
  jobRetentionDays: {
    env: 'SWITCHBOARD_JOB_RETENTION_DAYS',
    default: '7',
    doc: 'Finished jobs (succeeded, failed, cancelled) older than this are purged automatically (hourly).',
    schema: positiveInt,
  },
  otlpEndpoint: {
    env: 'SWITCHBOARD_OTLP_ENDPOINT',
    default: undefined,
    doc: 'OTLP/HTTP traces endpoint (e.g. http://collector:4318/v1/traces). Set: every trace is also exported as an OpenTelemetry span.',
    schema: z.url().optional(),
  },
  redactKeys: {
    env: 'SWITCHBOARD_REDACT_KEYS',
    default: '',
    doc: 'Comma-separated extra key names whose values are always redacted (case and separators ignored).',
    schema: list,
  },
  redactPatterns: {
    env: 'SWITCHBOARD_REDACT_PATTERNS',
    default: '[]',
    doc: 'JSON array of extra value patterns, e.g. [{"kind":"employee_id","pattern":"EMP-[0-9]{6}"}]; bounded regexes only.',
    schema: z
      .string()
      .transform((s, ctx) => {
        try {
          return JSON.parse(s) as unknown;
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be a JSON array' });
          return z.NEVER;
        }
      })
      .pipe(z.array(z.object({ kind: z.string().min(1).max(50), pattern: z.string().min(1).max(200) })).max(100)),
  },
  logLevel: {
    env: 'SWITCHBOARD_LOG_LEVEL',
    default: 'info',
    doc: 'pino log level (`fatal`, `error`, `warn`, `info`, `debug`, `trace`, `silent`). Logs go to stderr as JSON.',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  },
} as const;

type Settings = typeof settings;
export type Config = { [K in keyof Settings]: z.output<Settings[K]['schema']> } & { databaseUrl: string };
export type ConfigOverrides = Partial<Record<keyof Settings, string | undefined>>;

export class ConfigError extends Error {}

/**
 * Parses the environment (and CLI overrides, which win) into a Config. Fails with a message that
 * names each bad variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigOverrides = {}): Config {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, spec] of Object.entries(settings) as [keyof Settings, Settings[keyof Settings]][]) {
    const raw = overrides[key] ?? env[spec.env] ?? spec.default;
    const parsed = spec.schema.safeParse(raw);
    if (parsed.success) out[key] = parsed.data;
    else problems.push(`${spec.env}=${JSON.stringify(raw)}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  const dataDir = resolve(out.dataDir as string);
  const oauth = [out.oauthIssuer, out.oauthJwksUrl, out.oauthAudience].filter(Boolean).length;
  if (oauth !== 0 && oauth !== 3) {
    throw new ConfigError('Invalid configuration: SWITCHBOARD_OAUTH_ISSUER, SWITCHBOARD_OAUTH_JWKS_URL and SWITCHBOARD_OAUTH_AUDIENCE go together: set all three, or none.');
  }
  if ((out.healthUnhealthyAfter as number) < (out.healthDegradedAfter as number)) {
    throw new ConfigError('Invalid configuration: SWITCHBOARD_HEALTH_UNHEALTHY_AFTER must be at least SWITCHBOARD_HEALTH_DEGRADED_AFTER.');
  }
  return { ...out, dataDir, databaseUrl: out.databaseUrl ?? `file:${resolve(dataDir, 'switchboard.db')}` } as Config;
}
