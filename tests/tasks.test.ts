// MCP Tasks (2025-11-25) through a real SDK client: a task-augmented tools/call of invoke becomes a
// job; tasks/get, tasks/result, tasks/list and tasks/cancel are served from the job table, bound to
// the principal; status notifications reach the creating session; a task outlives its process.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { CallToolResultSchema, CreateTaskResultSchema, ErrorCode, TaskStatusNotificationSchema, type CallToolResult, type Task } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMcpServer } from '../src/transports/server.js';
import { cliEnv, cliPath, exited, serve } from './support/cli.js';
import { call, createTestDatabase, describeEachProvider, providers, rowCounts, secondApp, textOf } from './support/harness.js';
import { eventually, processesTagged, readFixtureLog, stdioFixture } from './support/fixture.js';

/** tools/call of invoke with params.task: the CreateTaskResult's task. */
async function startTask(client: Client, args: Record<string, unknown>, ttl = 60_000): Promise<Task> {
  const created = await client.request({ method: 'tools/call', params: { name: 'invoke', arguments: args, task: { ttl } } }, CreateTaskResultSchema);
  return created.task;
}

describeEachProvider('MCP tasks', (env, provider) => {
  const tag = `tasks-${provider}-${process.pid}`;
  const log = join(mkdtempSync(join(tmpdir(), 'fixture-log-')), 'events.jsonl');
  const other = { id: 'someone-else', roles: ['developer'], attributes: {} };
  let client: Client;
  let otherClient: Client;
  const statuses: Task[] = [];

  const result = (c: Client, taskId: string) => c.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
  const rpcError = async (p: Promise<unknown>) => {
    const error = await p.then(
      () => undefined,
      (e: unknown) => e as { code: number; message: string },
    );
    if (!error) throw new Error('expected a JSON-RPC error');
    return error;
  };

  beforeAll(async () => {
    client = await env.connect();
    client.setNotificationHandler(TaskStatusNotificationSchema, (n) => void statuses.push(n.params));
    await call(client, 'registry_register', { name: 'tasks-fixture', version: '1.0.0', transport: stdioFixture(tag, { FIXTURE_LOG: log }) });
    for (const tool of ['echo', 'sleep', 'fail']) await call(client, 'route_create', { intentPattern: `task.${tool}`, serverName: 'tasks-fixture', toolName: tool });
    await call(client, 'policy_create', { name: 'developers-invoke', effect: 'allow', principals: ['role:developer'], actions: ['invoke'], resources: ['task.*'] });
    otherClient = await env.connect(other);
  });

  afterAll(async () => {
    await env.app.deps.upstream.close();
    expect(processesTagged(tag)).toEqual([]);
  });

  it('declares tasks and marks invoke, and only invoke, as task-capable', async () => {
    expect(client.getServerCapabilities()?.tasks).toEqual({ list: {}, cancel: {}, requests: { tools: { call: {} } } });
    const { tools } = await client.listTools();
    expect(tools.filter((t) => t.execution?.taskSupport).map((t) => [t.name, t.execution?.taskSupport])).toEqual([['invoke', 'optional']]);
  });

  it('runs a task to completion: working, then completed with invoke’s result, with status notifications on the way', async () => {
    const task = await startTask(client, { intent: 'task.sleep', arguments: { ms: 300 } });
    expect(task).toMatchObject({ status: 'working', statusMessage: 'Queued for a worker.', pollInterval: 500 });
    expect(task.ttl).toBe(env.app.config.jobRetentionDays * 86_400_000);
    const done = await result(client, task.taskId);
    expect(done.isError).toBeFalsy();
    expect(textOf(done as CallToolResult)).toMatch(/slept 300/);
    expect(done._meta?.['io.modelcontextprotocol/related-task']).toEqual({ taskId: task.taskId });
    expect(await client.experimental.tasks.getTask(task.taskId)).toMatchObject({ taskId: task.taskId, status: 'completed' });
    await eventually(() => statuses.some((s) => s.taskId === task.taskId && s.status === 'completed'), 'a completed status notification');
    // It is a job like any other: job_get shows it, and the creating call's trace names it.
    const { job } = await call<{ job: { task: boolean; status: string; intent: string } }>(client, 'job_get', { id: task.taskId });
    expect(job).toMatchObject({ status: 'succeeded', intent: 'task.sleep', task: true });
    await env.app.deps.traces.flush();
    expect(await env.app.deps.db.trace.findFirst({ where: { jobId: task.taskId, tool: 'invoke' } })).toMatchObject({ status: 'ok', intent: 'task.sleep', principal: 'local' });
  });

  it('runs a direct server + tool call as a task', async () => {
    const task = await startTask(client, { server: 'tasks-fixture', tool: 'echo', arguments: { text: 'direct task' } });
    const done = await result(client, task.taskId);
    expect(done.structuredContent).toEqual({ text: 'direct task' });
    expect((await call<{ job: Record<string, unknown> }>(client, 'job_get', { id: task.taskId })).job).toMatchObject({ intent: null, server: 'tasks-fixture', tool: 'echo' });
  });

  it('reports a failed upstream call as a failed task whose result is the error', async () => {
    const task = await startTask(client, { intent: 'task.fail', arguments: { message: 'upstream broke' } });
    const done = await result(client, task.taskId);
    expect(done.isError).toBe(true);
    expect(textOf(done as CallToolResult)).toMatch(/upstream broke/);
    expect(await client.experimental.tasks.getTask(task.taskId)).toMatchObject({ status: 'failed', statusMessage: expect.stringMatching(/upstream broke/) });
  });

  it('cancels a running task: it reads cancelled at once and stays cancelled; the upstream call is cancelled', async () => {
    const task = await startTask(client, { intent: 'task.sleep', arguments: { ms: 20_000 } });
    await eventually(async () => (await call<{ job: { status: string } }>(client, 'job_get', { id: task.taskId })).job.status === 'running', 'the task to start');
    const cancelled = await client.experimental.tasks.cancelTask(task.taskId);
    expect(cancelled).toMatchObject({ taskId: task.taskId, status: 'cancelled' });
    await eventually(async () => (await call<{ job: { status: string } }>(client, 'job_get', { id: task.taskId })).job.status === 'cancelled', 'the worker to stop the call');
    expect(await client.experimental.tasks.getTask(task.taskId)).toMatchObject({ status: 'cancelled' });
    const done = await result(client, task.taskId);
    expect(done.isError).toBe(true);
    expect(textOf(done as CallToolResult)).toMatch(/cancelled/);
    await eventually(() => readFixtureLog(log).some((e) => e.event === 'cancelled' && e.tool === 'sleep'), 'the fixture to see notifications/cancelled');
    // A finished task cannot be cancelled again.
    expect((await rpcError(client.experimental.tasks.cancelTask(task.taskId))).message).toMatch(/terminal status: cancelled/);
  });

  it('binds tasks to their principal: anyone else gets "not found" and sees none of them', async () => {
    const task = await startTask(client, { intent: 'task.echo', arguments: { text: 'mine' } });
    const mine = await startTask(otherClient, { intent: 'task.echo', arguments: { text: 'theirs' } });
    for (const attempt of [otherClient.experimental.tasks.getTask(task.taskId), result(otherClient, task.taskId), otherClient.experimental.tasks.cancelTask(task.taskId)]) {
      expect((await rpcError(attempt)).message).toMatch(/not found/i);
    }
    const theirs = await otherClient.experimental.tasks.listTasks();
    expect(theirs.tasks.map((t) => t.taskId)).toEqual([mine.taskId]);
    expect((await client.experimental.tasks.listTasks()).tasks.map((t) => t.taskId)).toContain(task.taskId);
    expect((await client.experimental.tasks.listTasks()).tasks.map((t) => t.taskId)).not.toContain(mine.taskId);
    // The same principal in another session finds it: tasks belong to principals, not sessions.
    const again = await env.connect();
    expect(await again.experimental.tasks.getTask(task.taskId)).toMatchObject({ taskId: task.taskId });
  });

  it('refuses a bad task-augmented call with a JSON-RPC error and creates nothing', async () => {
    const before = await rowCounts(env.app);
    const invalid = await rpcError(startTask(client, { intent: 'task.echo', arguments: 'not an object' }));
    expect(invalid).toMatchObject({ code: ErrorCode.InvalidParams });
    expect(invalid.message).toMatch(/Invalid arguments for invoke[\s\S]*arguments/);
    const denied = await rpcError(startTask(otherClient, { intent: 'billing.secret', arguments: {} }));
    expect(denied.message).toMatch(/Denied/);
    const notATask = await rpcError(client.request({ method: 'tools/call', params: { name: 'registry_list', arguments: {}, task: {} } }, CreateTaskResultSchema));
    expect(notATask).toMatchObject({ code: ErrorCode.MethodNotFound });
    expect(notATask.message).toMatch(/registry_list does not run as a task[\s\S]*invoke/);
    expect(await rowCounts(env.app)).toEqual(before);
  });

  it('streams a task through the SDK’s callToolStream: created, status, result', async () => {
    const seen: string[] = [];
    let final: CallToolResult | undefined;
    for await (const message of client.experimental.tasks.callToolStream({ name: 'invoke', arguments: { intent: 'task.echo', arguments: { text: 'streamed' } } }, CallToolResultSchema, { task: { ttl: 60_000 } })) {
      seen.push(message.type);
      if (message.type === 'result') final = message.result as CallToolResult;
      if (message.type === 'error') throw message.error;
    }
    expect(seen[0]).toBe('taskCreated');
    expect(seen.at(-1)).toBe('result');
    expect(final?.structuredContent).toEqual({ text: 'streamed' });
  });

  it('survives the process that created it: another process runs it and answers for it', async () => {
    // A second Switchboard on the same database, with no workers: the task waits for one.
    const first = await secondApp(env, { SWITCHBOARD_JOB_WORKERS: '0' });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await createMcpServer(first, { principal: { id: 'local', roles: ['admin'], attributes: {} }, transport: 'memory' }).connect(serverSide);
    const firstClient = new Client({ name: 'test', version: '1.0.0' });
    await firstClient.connect(clientSide);
    const task = await startTask(firstClient, { intent: 'task.echo', arguments: { text: 'outlived' } });
    await firstClient.close();
    await first.close();
    // env.app's workers take it; a new session there collects it.
    const later = await env.connect();
    const done = await result(later, task.taskId);
    expect(done.structuredContent).toEqual({ text: 'outlived' });
  });
});

describe.each(providers)('MCP tasks across real processes [%s]', (provider) => {
  // A database per test: the HTTP test needs the admin key a first start prints.
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const servers: ReturnType<typeof serve>[] = [];
  beforeEach(async () => {
    db = await createTestDatabase(provider);
  });
  afterEach(async () => {
    // A failed test must not leave a server behind, polling a database that is about to be dropped.
    for (const s of servers.splice(0)) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    await db.cleanup();
  });

  const setUp = async (client: Client, tag: string) => {
    await call(client, 'registry_register', { name: 'restart-fixture', version: '1.0.0', transport: stdioFixture(tag) });
    await call(client, 'route_create', { intentPattern: 'restart.sleep', serverName: 'restart-fixture', toolName: 'sleep' });
  };

  it('over stdio: a task started by one switchboard process is collected from the next one', async () => {
    const tag = `tasks-stdio-${provider}-${process.pid}`;
    const start = async () => {
      const client = new Client({ name: 'agent', version: '1' });
      await client.connect(new StdioClientTransport({ command: process.execPath, args: [cliPath, 'stdio'], env: cliEnv(db.dataDir, db.databaseUrl), stderr: 'ignore' }));
      return client;
    };
    const first = await start();
    await setUp(first, tag);
    const task = await startTask(first, { intent: 'restart.sleep', arguments: { ms: 200 } });
    await first.close();
    const second = await start();
    const done = await second.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    expect(textOf(done as CallToolResult)).toMatch(/slept 200/);
    expect(await second.experimental.tasks.getTask(task.taskId)).toMatchObject({ status: 'completed' });
    await second.close();
    await eventually(() => processesTagged(tag).length === 0, 'every upstream process to be gone');
  });

  // A task is one call of invoke, which is not idempotent: it runs at most once. When its process
  // dies mid-call, the next process reports it failed rather than calling the upstream again.
  it('over Streamable HTTP: a task whose process is killed (SIGKILL) mid-run is reported failed by the next process, not run twice', async () => {
    const tag = `tasks-http-${provider}-${process.pid}`;
    const settings = cliEnv(db.dataDir, db.databaseUrl, { SWITCHBOARD_JOB_LEASE_MS: '1000' });
    let key: string | undefined;
    const start = async () => {
      const server = serve(settings);
      servers.push(server);
      const url = await server.listening;
      key ??= /^\s+(sb_\S+)$/m.exec(server.stderr())?.[1];
      const client = new Client({ name: 'agent', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${key ?? ''}` } } }) as Transport);
      return { server, client };
    };
    const first = await start();
    await setUp(first.client, tag);
    const task = await startTask(first.client, { intent: 'restart.sleep', arguments: { ms: 3000 } });
    await eventually(async () => (await first.client.experimental.tasks.getTask(task.taskId)).statusMessage === 'Running.', 'the task to start running');
    first.server.child.kill('SIGKILL');
    await exited(first.server.child);
    const second = await start();
    const done = await second.client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    expect(done.isError).toBe(true);
    expect(textOf(done as CallToolResult)).toMatch(/stopped answering/);
    expect(await second.client.experimental.tasks.getTask(task.taskId)).toMatchObject({ status: 'failed' });
    await second.client.close();
    second.server.child.kill('SIGTERM');
    expect(await exited(second.server.child)).toBe(0);
    await eventually(() => processesTagged(tag).length === 0, 'every upstream process to be gone', 10_000);
  });
});
