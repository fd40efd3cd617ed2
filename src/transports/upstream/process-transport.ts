// An MCP client transport over a child process's stdin/stdout, like the SDK's StdioClientTransport
// but spawned detached, so the server leads its own process group and close() stops the whole tree
// (grandchildren too), and with its stderr kept (bounded) for error messages.
import { spawn, type ChildProcess } from 'node:child_process';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import { stopGroup, watchChild, type ChildEvents } from './process-group.js';

export interface ProcessSpec {
  command: string;
  args: string[];
  cwd?: string;
  /** The complete environment of the child (nothing is inherited beyond it). */
  env: Record<string, string>;
}

const stderrKeep = 4096;
const asError = (value: unknown): Error => (value instanceof Error ? value : new Error(String(value)));

export class ProcessTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private child?: ChildProcess;
  private events?: ChildEvents;
  private stopping?: Promise<void>;
  private readonly buffer = new ReadBuffer();
  private stderr = '';
  private exit?: { code: number | null; signal: NodeJS.Signals | null };

  constructor(
    private readonly spec: ProcessSpec,
    private readonly log: Logger,
    private readonly graceMs = 2000,
  ) {}

  start(): Promise<void> {
    if (this.child) return Promise.reject(new Error('ProcessTransport already started'));
    const { command, args, cwd, env } = this.spec;
    const child = spawn(command, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true, windowsHide: true, shell: false });
    const events = watchChild(child);
    this.child = child;
    this.events = events;
    child.once('exit', (code, signal) => {
      this.exit = { code, signal };
      // The leader died on its own: stop what it left behind in its group.
      this.stopping ??= stopGroup(child, events, 0).catch((error: unknown) => this.onerror?.(asError(error)));
    });
    child.once('close', () => this.onclose?.());
    child.stdout?.on('data', (chunk: Buffer) => this.read(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.keepStderr(chunk));
    for (const stream of [child.stdin, child.stdout, child.stderr]) stream?.on('error', (error) => this.onerror?.(error));
    return new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.on('error', (error) => {
        reject(error);
        this.onerror?.(error);
      });
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin?.writable || this.stopping) return Promise.reject(new Error('Not connected: the server process is not running'));
    return new Promise<void>((resolve, reject) => stdin.write(serializeMessage(message), (error) => (error ? reject(error) : resolve())));
  }

  /** Stops the process group and resolves once the process has exited and its pipes are closed. */
  async close(): Promise<void> {
    if (!this.child || !this.events) return;
    this.stopping ??= stopGroup(this.child, this.events, this.graceMs);
    await this.stopping;
    await this.events.closed;
  }

  /** How the process ended (if it did) and its last stderr output; may hold secrets: scrub it. */
  diagnostics(): string {
    const parts: string[] = [];
    if (this.exit) parts.push(this.exit.signal ? `was killed by ${this.exit.signal}` : `exited with code ${this.exit.code}`);
    const tail = this.stderr.trim();
    if (tail) parts.push(`its last stderr output was:\n${tail.slice(-2000)}`);
    return parts.join('; ');
  }

  private read(chunk: Buffer): void {
    try {
      this.buffer.append(chunk);
    } catch (error) {
      this.onerror?.(asError(error));
      void this.close().catch((e: unknown) => this.onerror?.(asError(e)));
      return;
    }
    for (;;) {
      try {
        const message = this.buffer.readMessage();
        if (message === null) return;
        this.onmessage?.(message);
      } catch (error) {
        // A line that is not JSON-RPC (a stray log line on stdout); the buffer has moved past it.
        this.onerror?.(asError(error));
      }
    }
  }

  private keepStderr(chunk: Buffer): void {
    const text = chunk.toString('utf8');
    this.stderr = (this.stderr + text).slice(-stderrKeep);
    this.log.debug({ stderr: text.slice(-stderrKeep) }, 'upstream stderr');
  }
}
