// The SDK side of MCP Tasks: a TaskStore over the job table (src/domain/jobs/tasks.ts), one per
// session and bound to the session's principal — the SDK's sessionId arguments are ignored, so a
// task is found from any session of its owner. The SDK serves tasks/get, tasks/result (polling
// this store every pollInterval until the task ends), tasks/list and tasks/cancel from it. Results
// are written by job workers, never through storeTaskResult. While the creating session lasts, it
// also hears notifications/tasks/status (and notifications/progress, when the call carried a
// progressToken) as the job moves.
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { TaskStore } from '@modelcontextprotocol/sdk/experimental/tasks';
import type { Result, Task } from '@modelcontextprotocol/sdk/types.js';
import type { App } from '../app.js';
import { cancelJob } from '../domain/jobs/cancel.js';
import { jobScope } from '../domain/jobs/scope.js';
import { findTask, listTasks, submitTask, taskResult, toTaskView, type TaskTimes } from '../domain/jobs/tasks.js';
import { NotFound } from '../domain/errors.js';
import { invokeInput } from '../domain/upstream/invoke-schema.js';
import type { Session } from '../transports/session.js';

const POLL_INTERVAL_MS = 500;
const PAGE = 50;
/** A session follows at most this many tasks with notifications; beyond that clients poll (as they may anyway). */
const MAX_FOLLOWED = 100;

const times = (app: App): TaskTimes => ({ retentionMs: app.config.jobRetentionDays * 86_400_000, pollIntervalMs: POLL_INTERVAL_MS });

export function createTaskStore(app: App, session: Session): TaskStore {
  const { deps } = app;
  const { principal } = session;
  const read = async (id: string) => findTask(deps, await jobScope(deps, principal, 'job_read_all'), id);
  return {
    async createTask(params, _requestId, request) {
      // Only invoke is task-capable, and the tools/call handler validated and authorized it already.
      const input = invokeInput.parse((request.params as { arguments?: unknown } | undefined)?.arguments ?? {});
      const job = await submitTask(deps, principal, input, params.ttl ?? undefined, times(app));
      return toTaskView(job, times(app));
    },
    async getTask(taskId) {
      try {
        return toTaskView(await read(taskId), times(app));
      } catch (error) {
        if (error instanceof NotFound) return null;
        throw error;
      }
    },
    async getTaskResult(taskId) {
      return taskResult(await read(taskId)) as Result;
    },
    async storeTaskResult() {
      throw new Error('Switchboard tasks are finished by its job workers, not through the task store.');
    },
    async updateTaskStatus(taskId, status) {
      if (status !== 'cancelled') throw new Error(`A task's status changes only by cancelling it, not to ${status}.`);
      await cancelJob(deps, await jobScope(deps, principal, 'job_update_any'), taskId);
    },
    async listTasks(cursor) {
      const { items, nextCursor } = await listTasks(deps, principal, cursor, PAGE);
      return { tasks: items.map((job) => toTaskView(job, times(app))), ...(nextCursor ? { nextCursor } : {}) };
    },
  };
}

type Followed = { stops: Set<() => void>; closed: boolean };
const followed = new WeakMap<Server, Followed>();

function followedBy(server: Server): Followed {
  let f = followed.get(server);
  if (f) return f;
  const mine: Followed = { stops: new Set(), closed: false };
  followed.set(server, (f = mine));
  const previous = server.onclose;
  server.onclose = () => {
    previous?.();
    mine.closed = true;
    for (const stop of mine.stops) stop();
  };
  return mine;
}

/** Sends this session notifications/tasks/status (and progress, given a token) as the task's job changes, until it ends or the session closes. */
export async function followTask(server: Server, app: App, session: Session, task: Task, progressToken: string | number | undefined): Promise<void> {
  const f = followedBy(server);
  if (f.closed || f.stops.size >= MAX_FOLLOWED) return;
  const scope = await jobScope(app.deps, session.principal, 'job_read_all');
  let last = { status: task.status, message: task.statusMessage, progress: 0 };
  const send = (notification: Parameters<Server['notification']>[0]) =>
    // A notification racing the session's close rejects; unhandled, that would end the process.
    server.notification(notification).catch((error: unknown) => app.log.debug({ err: error, task: task.taskId }, 'task notification not sent'));
  let unwatch = () => {};
  const stop = () => {
    unwatch();
    f.stops.delete(stop);
  };
  const onChange = async () => {
    const job = await findTask(app.deps, scope, task.taskId).catch(() => undefined);
    if (!job) return stop();
    const view = toTaskView(job, times(app));
    if (progressToken !== undefined && job.progress !== last.progress) {
      await send({ method: 'notifications/progress', params: { progressToken, progress: job.progress, total: 100, ...(job.progressMessage ? { message: job.progressMessage } : {}) } });
    }
    if (view.status !== last.status || view.statusMessage !== last.message) await send({ method: 'notifications/tasks/status', params: { ...view } });
    last = { status: view.status, message: view.statusMessage, progress: job.progress };
    if (view.status !== 'working' && view.status !== 'input_required') stop();
  };
  // One change at a time, in order: a poll round may fire while the previous one is still sending.
  let queue = Promise.resolve();
  const changed = () => (queue = queue.then(onChange));
  unwatch = await app.jobWatch.watch(task.taskId, () => void changed());
  f.stops.add(stop);
  if (f.closed) return stop();
  // What changed between the task's creation and the watch's baseline.
  await changed();
}
