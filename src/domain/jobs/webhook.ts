// Webhooks: when a job with a webhookUrl ends, its outcome is POSTed there, signed with
// HMAC-SHA256, and retried with exponential backoff. A delivery lives in the Job row, not in the
// memory of a process: every write that ends a job sets webhookNextAt to its finish time (for a
// job without a webhook it means nothing: webhookStatus is null), and each process that runs jobs
// runs a small delivery loop. The loop claims due deliveries (pending, webhookNextAt passed) with
// one conditional update that pushes webhookNextAt past the HTTP timeout and counts the attempt,
// so two processes never send the same attempt and one that dies mid-attempt leaves a delivery that
// falls due again when its claim runs out. After the POST the row says delivered, or due again
// after a backoff, or failed after the last attempt. finished() wakes this process's loop, so a
// notice goes out at once rather than at the next poll. Where a webhook may go: webhook-target.ts.
import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../../store/index.js';
import { backoffMs } from './run.js';
import { checkWebhookUrl, postWebhook } from './webhook-target.js';

export interface Webhooks {
  /** Throws Invalid when webhooks may not be sent to `url` (a non-public address, unless allowed). */
  check(url: string): Promise<void>;
  /** These jobs just ended with a webhook due: deliver now rather than at the next poll. Never waits. */
  finished(ids: string[]): void;
  /** Shutdown: one last round for deliveries due, then waits up to `ms` for the POSTs under way. Whatever is left stays due in the table. */
  close(ms?: number): Promise<void>;
}

export interface WebhookOptions {
  /** The HMAC key, as `switchboard webhook-secret` prints it. */
  secret: string;
  attempts: number;
  retryBaseMs: number;
  timeoutMs: number;
  /** Receivers on loopback, private and other non-public addresses are allowed. */
  allowPrivate: boolean;
  /** This process runs the delivery loop (processes that run jobs do). */
  deliver: boolean;
  /** How often the loop looks for deliveries due elsewhere (another process's retries, a crashed one's claims); default 1 s. */
  pollMs?: number;
  /** POSTs under way at once; default 8. */
  concurrency?: number;
}

/** The signing key receivers use: derived from the secret key, so there is no second secret to keep. */
export function webhookSecret(secretKey: Buffer): string {
  return createHmac('sha256', secretKey).update('switchboard webhook signing v1').digest('hex');
}

export const signBody = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

const deliverySelect = { id: true, status: true, intent: true, server: true, tool: true, version: true, result: true, error: true, finishedAt: true, webhookUrl: true, webhookAttempts: true } as const;

export function createWebhooks(deps: { db: Db; log: Logger; clock: () => Date }, options: WebhookOptions): Webhooks {
  const { db, log, clock } = deps;
  const { attempts, timeoutMs } = options;
  const concurrency = options.concurrency ?? 8;
  // Longer than an attempt can take (the timeout covers DNS, connect and answer), so a live attempt is never claimed again.
  const claimMs = 2 * timeoutMs + 5_000;
  const inflight = new Set<Promise<void>>();
  let round: Promise<void> | undefined;
  let again = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let timerAt = Infinity;

  type Claimed = Awaited<ReturnType<typeof claimDue>>['claimed'][number];

  const claimDue = async (limit: number) => {
    const now = clock();
    const due = { webhookStatus: 'pending', webhookNextAt: { lte: now } };
    const rows = await db.job.findMany({ where: due, orderBy: { webhookNextAt: 'asc' }, take: limit, select: { id: true, webhookAttempts: true } });
    // Due with no attempts left: the last attempt's process died before recording how it went.
    const spent = rows.filter((r) => r.webhookAttempts >= attempts).map((r) => r.id);
    if (spent.length > 0) await db.job.updateMany({ where: { ...due, id: { in: spent } }, data: { webhookStatus: 'failed', webhookNextAt: null } });
    const open = rows.filter((r) => r.webhookAttempts < attempts).map((r) => r.id);
    const claimed =
      open.length === 0
        ? []
        : await db.job.updateManyAndReturn({
            where: { ...due, id: { in: open }, webhookAttempts: { lt: attempts } },
            data: { webhookNextAt: new Date(now.getTime() + claimMs), webhookAttempts: { increment: 1 } },
            select: deliverySelect,
          });
    return { claimed, full: rows.length === limit };
  };

  const deliver = async (job: Claimed) => {
    const attempt = job.webhookAttempts;
    const { id, status, intent } = job;
    const target = intent === null ? { server: job.server, tool: job.tool, ...(job.version ? { version: job.version } : {}) } : {};
    const outcome = status === 'succeeded' ? { result: job.result } : { error: job.error };
    const body = JSON.stringify({ id, status, intent, ...target, ...outcome, finishedAt: job.finishedAt?.toISOString() ?? null });
    const headers = { 'content-type': 'application/json', 'x-switchboard-signature': signBody(options.secret, body), 'x-switchboard-delivery': id };
    const failure = job.webhookUrl === null ? 'the job has no webhookUrl' : await postWebhook(job.webhookUrl, body, { headers, timeoutMs, allowPrivate: options.allowPrivate });
    if (failure === undefined) {
      await db.job.updateMany({ where: { id, webhookStatus: 'pending' }, data: { webhookStatus: 'delivered', webhookNextAt: null } });
      return;
    }
    log.warn({ job: id, attempt, failure }, 'webhook delivery failed');
    // Only while the claim is still this attempt's: past it, another process owns the delivery.
    const mine = { id, webhookStatus: 'pending', webhookAttempts: attempt };
    if (attempt >= attempts) {
      await db.job.updateMany({ where: mine, data: { webhookStatus: 'failed', webhookNextAt: null } });
      return;
    }
    const next = clock().getTime() + backoffMs(attempt, options.retryBaseMs, options.retryBaseMs * 2 ** attempts);
    await db.job.updateMany({ where: mine, data: { webhookNextAt: new Date(next) } });
    wakeAt(next);
  };

  const claimRound = async () => {
    again = false;
    const free = concurrency - inflight.size;
    if (free <= 0) return; // a POST that ends wakes the loop
    const { claimed, full } = await claimDue(free);
    for (const job of claimed) {
      const run: Promise<void> = deliver(job)
        .catch((error: unknown) => log.warn({ err: error, job: job.id }, 'webhook delivery stopped; it is retried when its claim runs out'))
        .finally(() => {
          inflight.delete(run);
          wake();
        });
      inflight.add(run);
    }
    if (full) again = true;
  };

  const wake = () => {
    if (closed) return;
    if (round) {
      again = true;
      return;
    }
    round = claimRound()
      .catch((error: unknown) => log.warn({ err: error }, 'webhook claim round failed; the next poll retries'))
      .finally(() => {
        round = undefined;
        if (again) wake();
      });
  };

  const wakeAt = (at: number) => {
    if (closed || at >= timerAt) return;
    clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(() => {
      timerAt = Infinity;
      wake();
    }, at - clock().getTime());
    timer.unref();
  };

  const poll = options.deliver ? setInterval(wake, options.pollMs ?? 1000) : undefined;
  poll?.unref();
  if (options.deliver) wake(); // deliveries a crash (or a stop) left due

  return {
    async check(url) {
      if (!options.allowPrivate) await checkWebhookUrl(url);
    },
    finished(ids) {
      if (options.deliver && ids.length > 0) wake();
    },
    async close(ms = 5000) {
      if (!options.deliver) return;
      closed = true;
      clearInterval(poll);
      clearTimeout(timer);
      await round;
      // The last round: notices of jobs the workers finished while draining go out now.
      await claimRound().catch((error: unknown) => log.warn({ err: error }, 'webhook claim round failed at shutdown'));
      let limit: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all([...inflight]), new Promise<void>((resolve) => (limit = setTimeout(resolve, ms)))]);
      clearTimeout(limit);
    },
  };
}
