// Jobs: durable async runs of an intent (DESIGN.md "Jobs"). The zod schemas of every job
// boundary, and the view a caller sees of a row.
import { z } from 'zod';
import type { Job } from '../../store/index.js';
import { pageInput } from '../pagination.js';
import { environmentName, intent } from '../routes/schema.js';

export const jobStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
export type JobStatus = z.infer<typeof jobStatus>;
export const finishedStatuses: JobStatus[] = ['succeeded', 'failed', 'cancelled'];

const jobId = z.string().min(1).max(64).describe('The job id job_submit returned.');

export const submitJobInput = z.object({
  intent: intent.describe('What to run, e.g. reports.monthly.build: resolved through the routes (as invoke would) when the job runs.'),
  arguments: z.record(z.string(), z.unknown()).default({}).describe('The upstream tool’s arguments; checked against its input schema when the job runs.'),
  environment: environmentName.optional().describe('dev, staging, prod…: picks the routes of that environment and is what policies see.'),
  idempotencyKey: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Submitting again with the same key returns the job made the first time instead of a new one (per caller).'),
  maxAttempts: z.number().int().min(1).max(10).default(1).describe('Attempts in all, 1–10 (default 1): a failed attempt is retried with exponential backoff while attempts are left.'),
  timeoutMs: z.number().int().min(1).max(3_600_000).optional().describe('Each attempt is cancelled upstream and fails after this long. Default: the upstream timeout setting.'),
  webhookUrl: z
    .url({ protocol: /^https?$/, error: 'must be an absolute http:// or https:// URL, e.g. https://hooks.example.com/switchboard' })
    .max(2000)
    .optional()
    .describe('When the job ends (succeeded, failed or cancelled), this URL gets a signed POST with { id, status, intent (or server and tool), result or error, finishedAt }; retried with backoff on errors. Private and loopback addresses are refused unless the server allows them.'),
});
export type SubmitJobInput = z.infer<typeof submitJobInput>;

export const listJobsInput = z.object({
  status: jobStatus.optional(),
  intent: z.string().max(256).optional().describe('Only jobs of this exact intent.'),
  owner: z.string().max(200).optional().describe('Only this principal’s jobs (needs job_read_all for anyone but you).'),
  ...pageInput,
});
export type ListJobsInput = z.infer<typeof listJobsInput>;

export const jobIdInput = z.object({ id: jobId });

export const updateJobInput = z.object({
  id: jobId,
  progress: z.number().int().min(0).max(100).optional().describe('Percent done, 0–100.'),
  message: z.string().max(1000).optional().describe('What is happening now, e.g. "page 3 of 10".'),
  status: z.enum(['succeeded', 'failed']).optional().describe('Finish the job: succeeded (with result) or failed (with error).'),
  result: z.unknown().optional().describe('The job’s result, with status succeeded.'),
  error: z.string().min(1).max(10_000).optional().describe('What went wrong, with status failed.'),
});
export type UpdateJobInput = z.infer<typeof updateJobInput>;

const webhookStatus = z.enum(['pending', 'delivered', 'failed']);

export const jobView = z.object({
  id: z.string(),
  owner: z.string(),
  intent: z.string().nullable().describe('The intent run; null when the job calls server and tool directly (a task of invoke).'),
  server: z.string().nullable().describe('The server called directly, when intent is null.'),
  tool: z.string().nullable(),
  version: z.string().nullable().describe('The version range preferred for a direct call.'),
  environment: z.string().nullable(),
  arguments: z.unknown(),
  idempotencyKey: z.string().nullable(),
  status: jobStatus,
  task: z.boolean().describe('Started as an MCP task (a task-augmented tools/call of invoke): tasks/get and tasks/result answer for it too.'),
  progress: z.number().describe('Percent done, 0–100.'),
  progressMessage: z.string().nullable(),
  result: z.unknown().describe('The upstream result (content, structuredContent) once succeeded; null before.'),
  error: z.string().nullable().describe('Why the job failed, or why the last attempt failed while it waits to retry.'),
  attempts: z.number(),
  maxAttempts: z.number(),
  timeoutMs: z.number(),
  runAfter: z.string().describe('A queued job is not started before this time (retry backoff).'),
  cancelRequested: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  webhookUrl: z.string().nullable(),
  webhookStatus: webhookStatus.nullable().describe('pending until the job ends and its webhook is answered with 2xx (delivered) or every attempt failed (failed); null without a webhookUrl.'),
  webhookAttempts: z.number().describe('Delivery attempts made so far.'),
});
export type JobView = z.infer<typeof jobView>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toJobView(j: Job): JobView {
  return {
    id: j.id,
    owner: j.owner,
    intent: j.intent,
    server: j.server,
    tool: j.tool,
    version: j.version,
    environment: j.environment,
    arguments: j.arguments,
    idempotencyKey: j.idempotencyKey,
    status: jobStatus.parse(j.status),
    task: j.isTask,
    progress: j.progress,
    progressMessage: j.progressMessage,
    result: j.result ?? null,
    error: j.error,
    attempts: j.attempts,
    maxAttempts: j.maxAttempts,
    timeoutMs: j.timeoutMs,
    runAfter: j.runAfter.toISOString(),
    cancelRequested: j.cancelRequested,
    createdAt: j.createdAt.toISOString(),
    updatedAt: j.updatedAt.toISOString(),
    startedAt: iso(j.startedAt),
    finishedAt: iso(j.finishedAt),
    webhookUrl: j.webhookUrl,
    webhookStatus: j.webhookStatus === null ? null : webhookStatus.parse(j.webhookStatus),
    webhookAttempts: j.webhookAttempts,
  };
}
