// MCP Tasks (protocol 2025-11-25) over the job table. A task-augmented tools/call of invoke is a job
// with isTask set, owned by the calling principal (not its session), so a task outlives the session
// and the process that created it: any session of the same principal, on any replica, after any
// restart, can get it, wait for its result or cancel it. Jobs never ask the caller for input, so a
// task is never input_required.
import { Prisma, type Job } from '../../store/index.js';
import type { Deps } from '../deps.js';
import { Conflict, NotFound } from '../errors.js';
import { decodeCursor, page } from '../pagination.js';
import type { Principal } from '../principal.js';
import type { InvokeInput } from '../upstream/invoke-schema.js';
import { findJob, type JobScope } from './scope.js';

export type TaskStatus = 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';

/** A task as tasks/get returns it. */
export interface TaskView {
  taskId: string;
  status: TaskStatus;
  /** How long the task is kept after it ends, in ms: the job retention. */
  ttl: number;
  createdAt: string;
  lastUpdatedAt: string;
  pollInterval: number;
  statusMessage?: string;
}

export interface TaskTimes {
  /** Finished jobs are purged after this long. */
  retentionMs: number;
  /** How often a client should poll tasks/get. */
  pollIntervalMs: number;
}

/** Stores the task's job. The call was validated and authorized (as invoke) by the caller of this function. */
export async function submitTask(deps: Deps, principal: Principal, input: InvokeInput, requestedTtlMs: number | undefined, times: TaskTimes): Promise<Job> {
  const job = await deps.db.job.create({
    data: {
      owner: principal.id,
      ...(input.intent !== undefined ? { intent: input.intent } : { server: input.server ?? null, tool: input.tool ?? null, version: input.version ?? null }),
      arguments: input.arguments as Prisma.InputJsonValue,
      environment: input.environment ?? null,
      // One attempt: a task is one call of invoke, and invoke does not retry.
      maxAttempts: 1,
      timeoutMs: input.timeoutMs ?? deps.settings.upstreamTimeoutMs,
      runAfter: deps.clock(),
      isTask: true,
      ttlMs: requestedTtlMs ?? null,
      pollIntervalMs: times.pollIntervalMs,
    },
  });
  deps.workers.wake();
  return job;
}

/** A cancel asked for is final: the task reads cancelled from then on, even while the worker is still stopping the call. */
export function taskStatus(job: Pick<Job, 'status' | 'cancelRequested'>): TaskStatus {
  if (job.cancelRequested || job.status === 'cancelled') return 'cancelled';
  if (job.status === 'succeeded') return 'completed';
  if (job.status === 'failed') return 'failed';
  return 'working';
}

export function toTaskView(job: Job, times: TaskTimes): TaskView {
  const status = taskStatus(job);
  const message =
    status === 'working'
      ? (job.progressMessage ?? (job.status === 'queued' ? 'Queued for a worker.' : 'Running.'))
      : status === 'failed'
        ? (job.error ?? undefined)
        : status === 'cancelled'
          ? 'Cancelled by request.'
          : undefined;
  return {
    taskId: job.id,
    status,
    ttl: times.retentionMs,
    createdAt: job.createdAt.toISOString(),
    lastUpdatedAt: job.updatedAt.toISOString(),
    pollInterval: job.pollIntervalMs ?? times.pollIntervalMs,
    ...(message !== undefined ? { statusMessage: message } : {}),
  };
}

/** The task's job, if the scope covers it and it is a task. */
export async function findTask(deps: Deps, scope: JobScope, id: string): Promise<Job> {
  const job = await findJob(deps, scope, id);
  if (!job.isTask) throw new NotFound(`No task ${id} that you can see; it is a job (job_get shows it).`);
  return job;
}

/** What tasks/result answers for a finished task: the tools/call result invoke would have returned. */
export function taskResult(job: Job): Record<string, unknown> {
  const status = taskStatus(job);
  const text = (t: string) => ({ isError: true, content: [{ type: 'text', text: t }] });
  if (status === 'completed') return (job.result ?? { content: [] }) as Record<string, unknown>;
  if (status === 'failed') return text(job.error ?? 'The task failed without an error message.');
  if (status === 'cancelled') return text('The task was cancelled before it finished; nothing more will run.');
  throw new Conflict(`Task ${job.id} has not finished; tasks/result waits for it, tasks/get shows where it is.`);
}

/** The caller's own tasks, newest first. (Tasks are the requestor's: job_read_all does not widen this list; job_list does that.) */
export async function listTasks(deps: Deps, principal: Principal, cursor: string | undefined, limit: number): Promise<{ items: Job[]; nextCursor?: string }> {
  const after = decodeCursor(cursor);
  const rows = await deps.db.job.findMany({
    where: { owner: principal.id, isTask: true },
    orderBy: { id: 'desc' },
    take: limit + 1,
    ...(after ? { cursor: { id: after }, skip: 1 } : {}),
  });
  return page(rows, limit);
}
