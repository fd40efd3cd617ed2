// The job resource switchboard://jobs/{id} through a real SDK client, against the fixture as a real
// child process: reading it, owner isolation, and change notifications while subscribed.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { JobView } from '../src/domain/jobs/schema.js';
import { call, describeEachProvider } from './support/harness.js';
import { eventually, processesTagged, stdioFixture } from './support/fixture.js';

describeEachProvider('job resource', (env, provider) => {
  const tag = `jobs-resource-${provider}-${process.pid}`;
  const log = join(mkdtempSync(join(tmpdir(), 'fixture-log-')), 'events.jsonl');
  const other = { id: 'other-user', roles: ['developer'], attributes: {} };
  let client: Client;
  let otherClient: Client;
  /** notifications/resources/updated received by `client`, by URI, with when they came. */
  const updates: { uri: string; at: number }[] = [];
  const updatesOf = (uri: string) => updates.filter((u) => u.uri === uri);

  const uriOf = (id: string) => `switchboard://jobs/${id}`;
  const submit = async (args: Record<string, unknown>, as: Client = client) => (await call<{ job: JobView }>(as, 'job_submit', args)).job;
  const get = async (id: string) => (await call<{ job: JobView }>(client, 'job_get', { id })).job;
  const read = async (id: string, as: Client = client) => {
    const { contents } = await as.readResource({ uri: uriOf(id) });
    return JSON.parse((contents[0] as { text: string }).text) as JobView;
  };
  const finished = async (id: string, timeoutMs = 8000) => {
    let job: JobView | undefined;
    await eventually(async () => ['succeeded', 'failed', 'cancelled'].includes((job = await get(id)).status), `job ${id} to finish`, timeoutMs);
    return job!;
  };

  beforeAll(async () => {
    client = await env.connect();
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push({ uri: n.params.uri, at: Date.now() }));
    await call(client, 'registry_register', { name: 'resource-fixture', version: '1.0.0', transport: stdioFixture(tag, { FIXTURE_LOG: log }) });
    for (const tool of ['echo', 'sleep']) await call(client, 'route_create', { intentPattern: `res.${tool}`, serverName: 'resource-fixture', toolName: tool });
    const jobTools = ['job_submit', 'job_get', 'job_list', 'job_cancel', 'job_update'];
    await call(client, 'policy_create', { name: 'developers-run-jobs', effect: 'allow', principals: ['role:developer'], actions: [...jobTools, 'invoke'], resources: ['**'] });
    otherClient = await env.connect(other);
  });

  afterAll(async () => {
    await env.app.deps.upstream.close();
    expect(processesTagged(tag)).toEqual([]);
  });

  it('lists the template and declares subscriptions', async () => {
    expect((await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate)).toContain('switchboard://jobs/{id}');
    expect(client.getServerCapabilities()?.resources).toMatchObject({ subscribe: true });
  });

  it('reads a job as job_get returns it', async () => {
    const job = await submit({ intent: 'res.echo', arguments: { text: 'as-a-resource' } });
    const done = await finished(job.id);
    expect(done.status).toBe('succeeded');
    expect(await read(job.id)).toEqual(done);
  });

  it('keeps a job to its owner: another principal can neither read nor subscribe to it', async () => {
    const job = await submit({ intent: 'res.echo', arguments: { text: 'private' } });
    const notFound = { code: -32002, message: expect.stringMatching(new RegExp(`No job ${job.id} that you can see`)) };
    await expect(otherClient.readResource({ uri: uriOf(job.id) })).rejects.toMatchObject(notFound);
    await expect(otherClient.subscribeResource({ uri: uriOf(job.id) })).rejects.toMatchObject(notFound);
    await expect(client.readResource({ uri: uriOf('no-such-job') })).rejects.toMatchObject({ code: -32002 });
    // Their own job they read; admin reads anyone's (job_read_all through `*`).
    const theirs = await submit({ intent: 'res.echo', arguments: { text: 'theirs' } }, otherClient);
    expect((await read(theirs.id, otherClient)).owner).toBe(other.id);
    expect((await read(theirs.id)).owner).toBe(other.id);
    await finished(job.id);
    await finished(theirs.id);
  });

  it('refuses to subscribe to a resource that sends no notifications', async () => {
    await expect(client.subscribeResource({ uri: 'switchboard://servers' })).rejects.toMatchObject({ code: -32602, message: expect.stringMatching(/switchboard:\/\/jobs\/\{id\}/) });
  });

  it('notifies a subscriber as the job progresses, and once more when it succeeds', async () => {
    const job = await submit({ intent: 'res.sleep', arguments: { ms: 2000, steps: 5 } });
    const uri = uriOf(job.id);
    await client.subscribeResource({ uri });
    const done = await finished(job.id);
    expect(done.status).toBe('succeeded');
    const finishedAt = Date.parse(done.finishedAt!);
    await eventually(() => updatesOf(uri).some((u) => u.at >= finishedAt), 'a notification after the job succeeded', 3000);
    // queued → running, five progress steps, succeeded: written at most 4/s and polled every 300 ms.
    const during = updatesOf(uri).filter((u) => u.at < finishedAt);
    expect(during.length, JSON.stringify(updatesOf(uri))).toBeGreaterThanOrEqual(3);
    expect(await read(job.id)).toMatchObject({ status: 'succeeded', progress: 100, progressMessage: 'step 5 of 5' });
    await client.unsubscribeResource({ uri });
  });

  it('stops notifying after unsubscribe', async () => {
    const job = await submit({ intent: 'res.sleep', arguments: { ms: 2000, steps: 5 } });
    const uri = uriOf(job.id);
    await client.subscribeResource({ uri });
    await eventually(() => updatesOf(uri).length >= 1, 'a first notification');
    await client.unsubscribeResource({ uri });
    // In memory, notifications sent before the unsubscribe answer arrive before it: the count is final.
    const count = updatesOf(uri).length;
    await finished(job.id);
    await new Promise((r) => setTimeout(r, 700));
    expect(updatesOf(uri)).toHaveLength(count);
    expect(env.app.jobWatch.watching()).toBe(0);
  });

  it('stops watching when the session closes', async () => {
    const job = await submit({ intent: 'res.sleep', arguments: { ms: 600 } });
    const closing = await env.connect();
    await closing.subscribeResource({ uri: uriOf(job.id) });
    await closing.subscribeResource({ uri: uriOf(job.id) }); // twice is once
    expect(env.app.jobWatch.watching()).toBe(1);
    await closing.close();
    await eventually(() => env.app.jobWatch.watching() === 0, 'the closed session to stop watching');
    await finished(job.id);
  });
});
