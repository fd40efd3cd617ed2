// Stopping a stdio server means stopping everything it started: it is spawned detached, so it leads
// its own process group, and the group is signalled as a whole.
import type { ChildProcess } from 'node:child_process';
import { settledOrAfter } from './budget.js';

/** The child's lifecycle events as promises, created at spawn so none is missed. */
export interface ChildEvents {
  /** The leader has exited; Node has reaped it (no zombie). */
  exited: Promise<void>;
  /** The leader has exited and its stdio streams are closed. */
  closed: Promise<void>;
}

export function watchChild(child: ChildProcess): ChildEvents {
  return {
    exited: new Promise<void>((resolve) => child.once('exit', () => resolve())),
    closed: new Promise<void>((resolve) => child.once('close', () => resolve())),
  };
}

/** Signals every process of the group `child` leads; ESRCH (none left) is fine. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    // Windows has no process groups; there only the child itself can be signalled.
    if (process.platform === 'win32') child.kill(signal);
    else process.kill(-child.pid, signal);
  } catch (error) {
    // EPERM and the like: at least the leader can still be signalled.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') child.kill(signal);
  }
}

/**
 * SIGTERM to the whole group, then SIGKILL to whatever is left once the leader has exited or
 * graceMs has passed: a server stops its own children while it handles SIGTERM, or loses them.
 * Resolves when the leader has exited and its stdio is closed.
 */
export async function stopGroup(child: ChildProcess, events: ChildEvents, graceMs: number): Promise<void> {
  if (child.pid === undefined) return; // never started (spawn failed)
  signalGroup(child, 'SIGTERM');
  await settledOrAfter(events.exited, graceMs);
  signalGroup(child, 'SIGKILL');
  await events.exited;
  // A process outside the group (one that called setsid) may still hold the pipes open.
  await settledOrAfter(events.closed, 1000);
  for (const stream of [child.stdin, child.stdout, child.stderr]) stream?.destroy();
  await events.closed;
}
