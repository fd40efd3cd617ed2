// The registry's boundary schemas: what a caller may send and what every read returns.
// Field names follow the official MCP registry's server.json where it has one.
import semver from 'semver';
import { z } from 'zod';

export const serverName = z
  .string()
  .min(1)
  .max(200)
  .regex(
    /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,99}(\/[a-zA-Z0-9][a-zA-Z0-9._-]{0,99})?$/,
    'must be a reverse-DNS name such as io.github.acme/weather or a slug such as weather (letters, digits, . _ -, at most one /)',
  )
  .describe('Server name: reverse-DNS (io.github.acme/weather) or a slug (weather).');

export const semverVersion = z
  .string()
  .max(64)
  .refine((v) => semver.valid(v) === v, 'must be a semantic version such as 1.2.0 or 2.0.0-beta.1')
  .describe('Semantic version, e.g. 1.2.0.');

export const semverRange = z
  .string()
  .max(100)
  .refine((r) => semver.validRange(r) !== null, 'must be a semver range such as ^1.2.0, >=2 <3 or *');

export const serverStatus = z.enum(['active', 'deprecated', 'disabled']);
export const healthStatus = z.enum(['healthy', 'degraded', 'unhealthy', 'unknown']);
export const priority = z.enum(['critical', 'high', 'medium', 'low']);
export const transportType = z.enum(['stdio', 'streamable-http', 'sse']);

const envName = z.string().min(1).max(200).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');
const headerName = z.string().min(1).max(200).regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name');
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).max(2000);
const secretValue = z.string().max(8000);

export const stdioTransport = z.object({
  type: z.literal('stdio'),
  command: z.string().min(1).max(1000).describe('Executable to spawn, e.g. npx or /usr/bin/node.'),
  args: z.array(z.string().max(4000)).max(100).default([]),
  env: z.record(envName, secretValue).default({}).describe('Environment for the process; values are secrets: encrypted at rest, masked on read.'),
  cwd: z.string().max(1000).optional(),
});

export const httpTransport = z.object({
  type: z.enum(['streamable-http', 'sse']),
  url: httpUrl,
  headers: z.record(headerName, secretValue).default({}).describe('Request headers; values are secrets: encrypted at rest, masked on read.'),
});

export const transportInput = z.discriminatedUnion('type', [stdioTransport, httpTransport]);
export type TransportInput = z.infer<typeof transportInput>;

const tag = z.string().min(1).max(50).regex(/^[a-z0-9][a-z0-9._:-]*$/, 'tags are lowercase: letters, digits, . _ : -');

export const dependency = z.object({ name: serverName, range: semverRange.optional() });

const metadata = z
  .record(z.string().max(200), z.unknown())
  .refine((m) => JSON.stringify(m).length <= 16_000, 'metadata must be at most 16 kB of JSON')
  .describe('Free-form JSON object, at most 16 kB.');

export const registerInput = z.object({
  name: serverName,
  version: semverVersion,
  title: z.string().max(200).optional(),
  description: z.string().max(4000).optional(),
  status: serverStatus.default('active'),
  transport: transportInput,
  repositoryUrl: httpUrl.optional(),
  websiteUrl: httpUrl.optional(),
  tags: z.array(tag).max(50).default([]),
  priority: priority.default('medium'),
  isRequired: z.boolean().default(false),
  dependencies: z.array(dependency).max(50).default([]),
  metadata: metadata.default({}),
  costPerCall: z.number().min(0).max(1_000_000).optional().describe('Cost recorded on each trace of a call to this server.'),
  costPerUnit: z.number().min(0).max(1_000_000).optional().describe('Added to a call’s cost for each unit (tokens, pages…) the server reports in its result’s _meta.units.'),
});
export type RegisterInput = z.infer<typeof registerInput>;

export const serverRef = z.object({ name: serverName, version: semverVersion });

export const updateInput = z.object({
  name: serverName,
  version: semverVersion,
  status: serverStatus.optional(),
  metadata: metadata.optional(),
});

const maskedMap = z.record(z.string(), z.string()).describe('Names of the secrets, values masked.');

export const serverView = z.object({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  title: z.string().nullable(),
  description: z.string().nullable(),
  status: serverStatus,
  isLatest: z.boolean(),
  deletedAt: z.string().nullable(),
  transport: z.object({
    type: transportType,
    command: z.string().optional(),
    args: z.array(z.string()).optional(),
    cwd: z.string().optional(),
    env: maskedMap.optional(),
    url: z.string().optional(),
    headers: maskedMap.optional(),
  }),
  repositoryUrl: z.string().nullable(),
  websiteUrl: z.string().nullable(),
  tags: z.array(z.string()),
  priority: priority,
  isRequired: z.boolean(),
  dependencies: z.array(z.object({ name: z.string(), range: z.string().optional() })),
  metadata: z.record(z.string(), z.unknown()),
  source: z.string(),
  packId: z.string().nullable(),
  costPerCall: z.number().nullable(),
  costPerUnit: z.number().nullable(),
  createdBy: z.string(),
  updatedBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  health: z.object({
    status: healthStatus,
    score: z.number().describe('0–100, from status, recent success ratio and response time.'),
    lastCheckedAt: z.string().nullable(),
    lastSeenAt: z.string().nullable(),
    lastError: z.string().nullable(),
    responseTimeMs: z.number().nullable(),
    successCount: z.number(),
    failureCount: z.number(),
  }),
  toolCount: z.number(),
});
export type ServerView = z.infer<typeof serverView>;
