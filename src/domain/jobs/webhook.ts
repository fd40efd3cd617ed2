// Webhooks: when a job with a webhookUrl ends, the process that finished it POSTs the outcome,
// signed with HMAC-SHA256, and retries with exponential backoff. Delivery runs off the worker's
// path (finished() never waits). Each attempt is claimed by a conditional bump of webhookAttempts,
// so two processes never send the same attempt. A delivery lives in the memory of the finishing
// process: if that process crashes mid-retry the job keeps webhookStatus pending (visible in
// job_get) and is not retried elsewhere — the Job table has no column for a delivery lease, and
// a missed notice can still be read from job_get.
import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../../store/index.js';
import { backoffMs } from './run.js';

export interface Webhooks {
  /** Starts delivery for these just-finished jobs (those without a webhook are skipped). Never waits. */
  finished(ids: string[]): void;
  /** Shutdown: deliveries waiting for a retry try once more at once; waits for them up to `ms`. */
  close(ms?: number): Promise<void>;
}

export interface WebhookOptions {
  /** The HMAC key, as `switchboard webhook-secret` prints it. */
  secret: string;
  attempts: number;
  retryBaseMs: number;
  timeoutMs: number;
}

/** The signing key receivers use: derived from the secret key, so there is no second secret to keep. */
export function webhookSecret(secretKey: Buffer): string {
  return createHmac('sha256', secretKey).update('switchboard webhook signing v1').digest('hex');
}

export const signBody = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

export function createWebhooks(deps: { db: Db; log: Logger }, options: WebhookOptions): Webhooks {
  const { db, log } = deps;
  const inflight = new Set<Promise<void>>();
  const sleepers = new Set<() => void>();
  let closing = false;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });

  const post = async (url: string, id: string, body: string): Promise<string | undefined> => {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-switchboard-signature': signBody(options.secret, body), 'x-switchboard-delivery': id },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      await response.body?.cancel(); // frees the connection; the answer's body means nothing here
      return response.ok ? undefined : `HTTP ${response.status}`;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  };

  const deliver = async (id: string) => {
    const job = await db.job.findUnique({ where: { id }, select: { id: true, status: true, intent: true, result: true, error: true, finishedAt: true, webhookUrl: true, webhookStatus: true, webhookAttempts: true } });
    if (!job?.webhookUrl || job.webhookStatus !== 'pending' || !job.finishedAt) return;
    const { status, intent, finishedAt } = job;
    const body = JSON.stringify({ id, status, intent, ...(status === 'succeeded' ? { result: job.result } : { error: job.error }), finishedAt: finishedAt.toISOString() });
    for (let attempt = job.webhookAttempts + 1; attempt <= options.attempts; attempt++) {
      const claimed = await db.job.updateMany({ where: { id, webhookStatus: 'pending', webhookAttempts: attempt - 1 }, data: { webhookAttempts: attempt } });
      if (claimed.count === 0) return; // someone else is delivering it
      const failure = await post(job.webhookUrl, id, body);
      if (failure === undefined) {
        await db.job.updateMany({ where: { id }, data: { webhookStatus: 'delivered' } });
        return;
      }
      log.warn({ job: id, attempt, failure }, 'webhook delivery failed');
      if (attempt === options.attempts) break;
      if (closing) return; // shutdown allows one more try, already made: the delivery stays pending
      await sleep(backoffMs(attempt, options.retryBaseMs, options.retryBaseMs * 2 ** options.attempts));
    }
    await db.job.updateMany({ where: { id, webhookStatus: 'pending' }, data: { webhookStatus: 'failed' } });
  };

  return {
    finished(ids) {
      for (const id of ids) {
        const run: Promise<void> = deliver(id)
          .catch((error: unknown) => log.warn({ err: error, job: id }, 'webhook delivery stopped'))
          .finally(() => inflight.delete(run));
        inflight.add(run);
      }
    },
    async close(ms = 5000) {
      closing = true;
      for (const wake of [...sleepers]) wake();
      let timer: NodeJS.Timeout | undefined;
      const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
      await Promise.race([Promise.all([...inflight]), limit]);
      clearTimeout(timer);
    },
  };
}
