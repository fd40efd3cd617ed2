// One trace per job attempt, like an invoke call's: what was called where, how it went, what it
// cost, with the job's id. The attempt was authorized when the job was submitted.
import type { Job } from '../../store/index.js';
import type { Deps } from '../deps.js';
import { redactPayloads } from '../traces/record.js';
import type { InvokeTarget } from '../upstream/invoke-schema.js';
import { keptResult, type UpstreamResult } from '../upstream/port.js';

export interface Attempt {
  startedAt: Date;
  started: number;
  target?: InvokeTarget;
  upstreamLatencyMs?: number;
  result?: UpstreamResult;
  error?: string;
  errorType?: 'tool_error' | 'cancelled' | 'upstream';
}

export async function traceAttempt(deps: Deps, job: Job, ids: { traceId: string; spanId: string }, a: Attempt): Promise<void> {
  const t = a.target;
  const response = a.result ? keptResult(a.result) : undefined;
  await deps.traces.write({
    ...ids,
    parentSpanId: null,
    startedAt: a.startedAt,
    principal: job.owner,
    sessionId: null,
    transport: 'job',
    method: 'job/attempt',
    tool: t?.tool ?? null,
    intent: job.intent,
    serverName: t?.server ?? null,
    serverVersion: t?.version ?? null,
    routeId: t?.routeId ?? null,
    environment: job.environment,
    decision: 'allow',
    status: a.errorType ? 'error' : 'ok',
    error: a.error === undefined ? null : deps.redactor.redactString(a.error).value,
    errorType: a.errorType ?? null,
    latencyMs: performance.now() - a.started,
    upstreamLatencyMs: a.upstreamLatencyMs ?? null,
    cost: t?.cost ?? null,
    jobId: job.id,
    ...redactPayloads(deps.redactor, { intent: job.intent, arguments: job.arguments, attempt: job.attempts }, response),
  });
}
