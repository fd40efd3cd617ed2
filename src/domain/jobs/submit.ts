// job_submit: store a queued job owned by the caller, and wake this process's workers so it starts
// at once. Submitting is authorized as action invoke on the intent too (besides job_submit itself),
// so a job is never a way around an invoke deny.
import { Prisma, isUniqueViolation, type Job } from '../../store/index.js';
import type { Deps } from '../deps.js';
import { Denied } from '../errors.js';
import { authorize } from '../policy/authorize.js';
import type { Principal } from '../principal.js';
import type { SubmitJobInput } from './schema.js';

export interface Submitted {
  job: Job;
  /** false: the idempotency key named a job this caller had already submitted. */
  created: boolean;
}

export async function submitJob(deps: Deps, principal: Principal, input: SubmitJobInput, context?: Record<string, unknown>): Promise<Submitted> {
  const decision = await authorize(deps, {
    principal,
    action: 'invoke',
    resource: input.intent,
    ...(input.environment ? { environment: input.environment } : {}),
    ...(context ? { context } : {}),
  });
  if (decision.decision === 'deny') {
    throw new Denied(`you may not invoke ${input.intent}${input.environment ? ` in ${input.environment}` : ''}, so you may not submit it as a job either (${decision.reason}). Ask an administrator for a policy that allows invoke on it.`);
  }
  const key = input.idempotencyKey;
  if (key) {
    const existing = await deps.db.job.findUnique({ where: { owner_idempotencyKey: { owner: principal.id, idempotencyKey: key } } });
    if (existing) return { job: existing, created: false };
  }
  if (input.webhookUrl) await deps.webhooks.check(input.webhookUrl);
  try {
    const job = await deps.db.job.create({
      data: {
        owner: principal.id,
        intent: input.intent,
        arguments: input.arguments as Prisma.InputJsonValue,
        environment: input.environment ?? null,
        idempotencyKey: key ?? null,
        maxAttempts: input.maxAttempts,
        timeoutMs: input.timeoutMs ?? deps.settings.upstreamTimeoutMs,
        runAfter: deps.clock(),
        ...(input.webhookUrl ? { webhookUrl: input.webhookUrl, webhookStatus: 'pending' } : {}),
      },
    });
    deps.workers.wake();
    return { job, created: true };
  } catch (error) {
    // The same key submitted twice at once: the other call created it; answer with that job.
    if (!key || !isUniqueViolation(error)) throw error;
    const job = await deps.db.job.findUniqueOrThrow({ where: { owner_idempotencyKey: { owner: principal.id, idempotencyKey: key } } });
    return { job, created: false };
  }
}
