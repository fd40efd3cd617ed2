// One attempt of a claimed job: invoke its intent as its owner, pass progress to the row, and
// record the outcome — succeeded (through the worker's options.succeed, which may claim the next
// jobs in the same statement), cancelled, back to the queue with backoff, or failed. Every write is
// conditional on this process still holding the job's lease, so a job another process took over
// (or job_update finished) is left alone. A write that ends a job makes its webhook due with it.
import { Prisma, type Job } from '../../store/index.js';
import type { Deps } from '../deps.js';
import { DomainError } from '../errors.js';
import { invoke } from '../upstream/invoke.js';
import { keptResult, type UpstreamProgress, type UpstreamResult } from '../upstream/port.js';
import { newTraceIds, traceparentOf } from '../traces/record.js';
import { traceAttempt, type Attempt } from './trace.js';

export interface RunOptions {
  owner: string;
  signal: AbortSignal;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Records the attempt's success (the worker may claim its next jobs in the same statement); false when the job was no longer this owner's. */
  succeed(result: Prisma.InputJsonValue): Promise<boolean>;
}

/** Progress is written at most this often; the last report in a burst is written when it ends. */
const PROGRESS_EVERY_MS = 250;

export async function runJob(deps: Deps, job: Job, options: RunOptions): Promise<void> {
  const mine = { id: job.id, leaseOwner: options.owner, status: 'running' };
  const progress = throttledProgress(deps, mine);
  const ids = newTraceIds();
  const attempt: Attempt = { startedAt: deps.clock(), started: performance.now() };
  try {
    const invocation = await invoke(
      deps,
      { id: job.owner, roles: [], attributes: {} },
      { ...jobTarget(job), arguments: (job.arguments ?? {}) as Record<string, unknown>, timeoutMs: job.timeoutMs, ...(job.environment ? { environment: job.environment } : {}) },
      { signal: options.signal, onProgress: progress.report, traceparent: traceparentOf(ids), onTarget: (t) => (attempt.target = t) },
    );
    const { result } = invocation;
    Object.assign(attempt, { result, target: invocation.target, upstreamLatencyMs: invocation.upstreamLatencyMs });
    await progress.done();
    if (result.isError) {
      attempt.error = textOf(result) || 'The upstream tool reported an error without a message.';
      attempt.errorType = 'tool_error';
      return await failAttempt(deps, job, options, attempt.error, true);
    }
    await options.succeed(keptResult(result) as Prisma.InputJsonValue);
  } catch (error) {
    await progress.done();
    attempt.error = error instanceof Error ? error.message : String(error);
    attempt.errorType = options.signal.aborted ? 'cancelled' : 'upstream';
    if (options.signal.aborted) {
      if (options.signal.reason === 'cancelled') await finishJob(deps, job, mine, { status: 'cancelled', error: 'Cancelled by job_cancel while running.' });
      return; // 'lost': someone else owns the job's fate now; 'stopping' never aborts.
    }
    // Arguments that fail the tool's schema will fail again: no point retrying them.
    const retryable = !(error instanceof DomainError && error.code === 'Invalid');
    await failAttempt(deps, job, options, attempt.error, retryable);
  } finally {
    await traceAttempt(deps, job, ids, attempt).catch((error: unknown) => deps.log.warn({ err: error, job: job.id }, 'job attempt trace failed'));
  }
}

async function failAttempt(deps: Deps, job: Job, options: RunOptions, message: string, retryable: boolean): Promise<void> {
  const now = deps.clock();
  const mine = { id: job.id, leaseOwner: options.owner, status: 'running' };
  if (retryable && job.attempts < job.maxAttempts) {
    const runAfter = new Date(now.getTime() + backoffMs(job.attempts, options.retryBaseMs, options.retryMaxMs));
    const queued = await deps.db.job.updateMany({ where: { ...mine, cancelRequested: false }, data: { status: 'queued', error: message, runAfter, leaseExpiresAt: null } });
    if (queued.count > 0) return;
    // A cancel asked for while this attempt failed: no retry, the job ends cancelled.
    if (await finishJob(deps, job, { ...mine, cancelRequested: true }, { status: 'cancelled', error: message })) return;
  }
  await finishJob(deps, job, mine, { status: 'failed', error: message });
}

/**
 * Ends the job if `where` still matches (this process holds it): finishedAt and webhookNextAt are
 * set in the same write, so the webhook is due the moment the job ends, whoever delivers it.
 */
async function finishJob(deps: Pick<Deps, 'db' | 'clock' | 'webhooks'>, job: Pick<Job, 'id' | 'webhookUrl'>, where: Prisma.JobWhereInput, data: Prisma.JobUpdateManyMutationInput): Promise<boolean> {
  const now = deps.clock();
  const { count } = await deps.db.job.updateMany({ where, data: { ...data, finishedAt: now, webhookNextAt: now, leaseExpiresAt: null } });
  if (count > 0 && job.webhookUrl !== null) deps.webhooks.finished([job.id]);
  return count > 0;
}

/** What a job calls: its intent, or (a task of invoke with server and tool) a server's tool directly. */
function jobTarget(job: Job): { intent: string } | { server: string; tool: string; version?: string } {
  if (job.intent !== null) return { intent: job.intent };
  return { server: job.server ?? '', tool: job.tool ?? '', ...(job.version ? { version: job.version } : {}) };
}

/** Exponential backoff with jitter: base·2^(attempt−1)·(0.5…1.5), capped. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, Math.round(baseMs * 2 ** (attempt - 1) * (0.5 + Math.random())));
}

function throttledProgress(deps: Deps, mine: { id: string; leaseOwner: string; status: string }) {
  let pending: UpstreamProgress | undefined;
  let timer: NodeJS.Timeout | undefined;
  let lastWrite = 0;
  let writing: Promise<unknown> = Promise.resolve();

  const write = () => {
    timer = undefined;
    const p = pending;
    if (!p) return;
    pending = undefined;
    lastWrite = Date.now();
    // Upstream progress need not be a percentage: with a total it is scaled, without one it is capped.
    const percent = Math.max(0, Math.min(100, Math.round(p.total ? (p.progress / p.total) * 100 : p.progress)));
    writing = writing
      .then(() => deps.db.job.updateMany({ where: mine, data: { progress: percent, ...(p.message !== undefined ? { progressMessage: p.message } : {}) } }))
      .catch((error: unknown) => deps.log.warn({ err: error, job: mine.id }, 'job progress write failed'));
  };
  return {
    report(p: UpstreamProgress) {
      pending = p;
      if (timer) return;
      const wait = PROGRESS_EVERY_MS - (Date.now() - lastWrite);
      if (wait <= 0) write();
      else timer = setTimeout(write, wait);
    },
    async done() {
      if (timer) clearTimeout(timer);
      write();
      await writing;
    },
  };
}

const textOf = (result: UpstreamResult) =>
  result.content
    .map((c) => (typeof c === 'object' && c !== null && (c as { type?: unknown }).type === 'text' ? String((c as { text?: unknown }).text) : ''))
    .join('\n')
    .trim();
