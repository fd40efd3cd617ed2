// Jobs: durable async runs of an intent, with progress, cancel and owner isolation. Domain logic
// lives in src/domain/jobs; these declarations only shape results for a model.
import { z } from 'zod';
import { cancelJob } from '../domain/jobs/cancel.js';
import { getJob, listJobs } from '../domain/jobs/read.js';
import { jobIdInput, jobView, listJobsInput, submitJobInput, toJobView, updateJobInput, type JobView } from '../domain/jobs/schema.js';
import { jobScope } from '../domain/jobs/scope.js';
import { submitJob } from '../domain/jobs/submit.js';
import { updateJob } from '../domain/jobs/update.js';
import { defineTool, destructive, idempotentWrite, readOnly } from './tool.js';

const summary = (j: JobView) =>
  `Job ${j.id} (${j.intent}): ${j.status}, ${j.progress}%${j.progressMessage ? ` — ${j.progressMessage}` : ''}, attempt ${j.attempts} of ${j.maxAttempts}${j.error ? `; error: ${j.error}` : ''}`;

export const jobTools = [
  defineTool({
    name: 'job_submit',
    title: 'Submit a job',
    description:
      'Runs an intent in the background as a durable job, for work that takes longer than a call should wait (or should survive a disconnect). The intent is routed like invoke and needs the same permission (action invoke on the intent). Returns the job at once (status queued); follow it with job_get, stop it with job_cancel. maxAttempts retries failures with exponential backoff; idempotencyKey makes a repeated submit return the first job. webhookUrl gets a signed POST when the job ends, so you need not poll.',
    input: submitJobInput,
    output: z.object({ job: jobView, created: z.boolean().describe('false: the idempotency key named a job you had already submitted.') }),
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    target: (a) => a.intent,
    environment: (a) => a.environment,
    async run(args, ctx) {
      const { job, created } = await submitJob(ctx.app.deps, ctx.principal, args, ctx.context);
      const view = toJobView(job);
      ctx.annotate({ intent: view.intent, environment: view.environment, jobId: view.id });
      return { data: { job: view, created }, text: `${created ? 'Submitted' : 'Already submitted with this idempotency key:'} ${summary(view)}. Poll job_get with id ${view.id}.` };
    },
  }),
  defineTool({
    name: 'job_get',
    title: 'Get a job',
    description:
      'Returns one job by id: its status (queued, running, succeeded, failed, cancelled), progress (0–100 and a message), attempts, the upstream result once succeeded or the error once failed. Use it to follow a job you submitted; you see your own jobs unless a policy allows job_read_all.',
    input: jobIdInput,
    output: z.object({ job: jobView }),
    annotations: readOnly,
    target: (a) => a.id,
    async run(args, ctx) {
      const job = await getJob(ctx.app.deps, await jobScope(ctx.app.deps, ctx.principal, 'job_read_all'), args.id);
      return { data: { job }, text: summary(job) };
    },
  }),
  defineTool({
    name: 'job_list',
    title: 'List jobs',
    description:
      'Lists jobs newest first with their status and progress, filtered by status, intent or owner. You see your own jobs unless a policy allows job_read_all. Paginated with cursor/nextCursor.',
    input: listJobsInput,
    output: z.object({ jobs: z.array(jobView), nextCursor: z.string().optional() }),
    annotations: readOnly,
    async run(args, ctx) {
      const { items, nextCursor } = await listJobs(ctx.app.deps, await jobScope(ctx.app.deps, ctx.principal, 'job_read_all'), args);
      return { data: { jobs: items, ...(nextCursor ? { nextCursor } : {}) }, text: items.map(summary).join('\n') || 'No jobs match.' };
    },
  }),
  defineTool({
    name: 'job_cancel',
    title: 'Cancel a job',
    description:
      'Cancels a job: a queued job is cancelled at once and never runs; a running job is marked cancelRequested and its upstream call is aborted within about a second, after which its status is cancelled. A finished job cannot be cancelled. Returns the job as it is now.',
    input: jobIdInput,
    output: z.object({ job: jobView }),
    annotations: destructive,
    target: (a) => a.id,
    async run(args, ctx) {
      const job = await cancelJob(ctx.app.deps, await jobScope(ctx.app.deps, ctx.principal, 'job_update_any'), args.id);
      return { data: { job }, text: job.status === 'cancelled' ? `Cancelled: ${summary(job)}` : `Cancel requested; the running call is being stopped: ${summary(job)}` };
    },
  }),
  defineTool({
    name: 'job_update',
    title: 'Report on a job',
    description:
      'Reports on a job that is executed outside Switchboard: progress (0–100) and a message while it runs, or finishes it with status succeeded and a result, or failed and an error. Only unfinished jobs change; the owner may update its job, others need job_update_any. Returns the job as it is now.',
    input: updateJobInput,
    output: z.object({ job: jobView }),
    annotations: idempotentWrite,
    target: (a) => a.id,
    async run(args, ctx) {
      const job = await updateJob(ctx.app.deps, await jobScope(ctx.app.deps, ctx.principal, 'job_update_any'), args);
      return { data: { job }, text: summary(job) };
    },
  }),
];
