// Job webhooks end to end: a real SDK client submits jobs that the fixture (a real child process)
// runs; a node:http receiver on 127.0.0.1 checks each delivery's signature with the key that
// `switchboard webhook-secret` prints. Retries use a 20 ms base so the suite stays fast. The
// receiver is on loopback, so the first suite allows private webhook addresses; the second runs
// with the default, which refuses them.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { JobView } from '../src/domain/jobs/schema.js';
import { nonPublicRange } from '../src/domain/jobs/webhook-target.js';
import { cliEnv, runCli } from './support/cli.js';
import { call, callError, describeEachProvider, rowCounts } from './support/harness.js';
import { eventually, processesTagged, stdioFixture } from './support/fixture.js';

interface Delivery {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: Record<string, unknown>;
}

describeEachProvider(
  'job webhooks',
  (env, provider) => {
    const tag = `jobs-webhook-${provider}-${process.pid}`;
    let client: Client;
    let receiver: Server;
    let base: string;
    let secret: string;
    const deliveries: Delivery[] = [];
    /** Requests each path answers with an error before it answers 200. */
    const failFirst: Record<string, number> = { '/ok': 0, '/flaky': 2, '/down': Infinity };
    const seen: Record<string, number> = {};
    const deliveriesOf = (id: string) => deliveries.filter((d) => d.body.id === id);

    const submit = async (args: Record<string, unknown>) => (await call<{ job: JobView }>(client, 'job_submit', args)).job;
    const get = async (id: string) => (await call<{ job: JobView }>(client, 'job_get', { id })).job;
    const settled = async (id: string, timeoutMs = 8000) => {
      let job: JobView | undefined;
      await eventually(async () => ['delivered', 'failed'].includes((job = await get(id)).webhookStatus ?? ''), `job ${id}'s webhook to settle`, timeoutMs);
      return job!;
    };
    const verified = (d: Delivery) => {
      const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(d.raw).digest('hex')}`);
      const got = Buffer.from(String(d.headers['x-switchboard-signature']));
      return got.length === expected.length && timingSafeEqual(got, expected);
    };

    beforeAll(async () => {
      receiver = createServer((req, res) => {
        let raw = '';
        req.on('data', (c: Buffer) => (raw += c));
        req.on('end', () => {
          const path = req.url ?? '';
          deliveries.push({ path, headers: req.headers, raw, body: JSON.parse(raw) as Record<string, unknown> });
          seen[path] = (seen[path] ?? 0) + 1;
          res.statusCode = seen[path] > (failFirst[path] ?? 0) ? 200 : 500;
          res.end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
      const printed = await runCli(['webhook-secret'], cliEnv(env.dataDir, env.databaseUrl));
      expect(printed.code, printed.stderr).toBe(0);
      secret = printed.stdout.trim();
      expect(secret).toMatch(/^[0-9a-f]{64}$/);

      client = await env.connect();
      await call(client, 'registry_register', { name: 'webhook-fixture', version: '1.0.0', transport: stdioFixture(tag) });
      for (const tool of ['echo', 'fail', 'sleep']) await call(client, 'route_create', { intentPattern: `hook.${tool}`, serverName: 'webhook-fixture', toolName: tool });
    });

    afterAll(async () => {
      await env.app.deps.upstream.close();
      await new Promise((resolve) => receiver.close(resolve));
      expect(processesTagged(tag)).toEqual([]);
    });

    it('delivers one signed notice per finished job: succeeded, failed and cancelled', async () => {
      const ok = await submit({ intent: 'hook.echo', arguments: { text: 'hooked' }, webhookUrl: `${base}/ok` });
      expect(ok).toMatchObject({ webhookUrl: `${base}/ok`, webhookStatus: 'pending', webhookAttempts: 0 });
      const failed = await submit({ intent: 'hook.fail', arguments: { message: 'it broke' }, webhookUrl: `${base}/ok` });
      const sleeper = await submit({ intent: 'hook.sleep', arguments: { ms: 20_000 }, webhookUrl: `${base}/ok` });
      await eventually(async () => (await get(sleeper.id)).status === 'running', 'the sleeper to start');
      await call(client, 'job_cancel', { id: sleeper.id });

      for (const job of [ok, failed, sleeper]) expect(await settled(job.id)).toMatchObject({ webhookStatus: 'delivered', webhookAttempts: 1 });
      await new Promise((r) => setTimeout(r, 200)); // a duplicate would have arrived by now
      const [okDelivery, failedDelivery, cancelledDelivery] = [ok, failed, sleeper].map((j) => {
        const mine = deliveriesOf(j.id);
        expect(mine, j.id).toHaveLength(1);
        expect(verified(mine[0]!), 'signature').toBe(true);
        expect(mine[0]!.headers['x-switchboard-delivery']).toBe(j.id);
        expect(mine[0]!.headers['content-type']).toBe('application/json');
        return mine[0]!.body;
      });
      const finishedAt = (await get(ok.id)).finishedAt;
      expect(okDelivery).toEqual({ id: ok.id, status: 'succeeded', intent: 'hook.echo', result: { content: [{ type: 'text', text: 'hooked' }], structuredContent: { text: 'hooked' } }, finishedAt });
      expect(failedDelivery).toMatchObject({ id: failed.id, status: 'failed', intent: 'hook.fail', error: 'it broke' });
      expect(failedDelivery).not.toHaveProperty('result');
      expect(cancelledDelivery).toMatchObject({ id: sleeper.id, status: 'cancelled', error: expect.stringMatching(/Cancelled/) });
    });

    it('a tampered body does not verify', () => {
      const d = deliveries[0]!;
      const tampered = d.raw.replace(/"status":"\w+"/, '"status":"tampered"');
      expect(tampered).not.toBe(d.raw);
      expect(verified({ ...d, raw: tampered })).toBe(false);
    });

    it('retries with backoff: a receiver that fails twice gets the delivery on the third attempt', async () => {
      const job = await submit({ intent: 'hook.echo', arguments: { text: 'flaky' }, webhookUrl: `${base}/flaky` });
      expect(await settled(job.id)).toMatchObject({ webhookStatus: 'delivered', webhookAttempts: 3 });
      const mine = deliveriesOf(job.id);
      expect(mine).toHaveLength(3);
      expect(mine.every(verified)).toBe(true);
      expect(new Set(mine.map((d) => d.raw)).size).toBe(1); // the same notice each time
    });

    it('gives up after five attempts and records failed', async () => {
      const job = await submit({ intent: 'hook.echo', arguments: { text: 'down' }, webhookUrl: `${base}/down` });
      expect(await settled(job.id)).toMatchObject({ status: 'succeeded', webhookStatus: 'failed', webhookAttempts: 5 });
      expect(deliveriesOf(job.id)).toHaveLength(5);
    });

    it('an unreachable receiver counts as a failed attempt', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));
      const job = await submit({ intent: 'hook.echo', arguments: { text: 'nobody' }, webhookUrl: `http://127.0.0.1:${port}/gone` });
      expect(await settled(job.id)).toMatchObject({ webhookStatus: 'failed', webhookAttempts: 5 });
    });

    it('refuses an invalid webhookUrl with a clear error and writes nothing', async () => {
      const before = await rowCounts(env.app);
      for (const webhookUrl of ['not a url', 'ftp://hooks.example.com/x', '/relative/path']) {
        expect(await callError(client, 'job_submit', { intent: 'hook.echo', arguments: { text: 'x' }, webhookUrl }), webhookUrl).toMatch(/webhookUrl: must be an absolute http:\/\/ or https:\/\/ URL/);
      }
      expect(await rowCounts(env.app)).toEqual(before);
    });

    it('a job without a webhook has no webhook status', async () => {
      const job = await submit({ intent: 'hook.echo', arguments: { text: 'plain' } });
      expect(job).toMatchObject({ webhookUrl: null, webhookStatus: null, webhookAttempts: 0 });
    });

    it('delivers what a process that died mid-retry left due, counting its attempts', async () => {
      // As a crashed process leaves it: the job ended, two attempts made, the last claim run out.
      const past = new Date(Date.now() - 1000);
      const job = await env.app.deps.db.job.create({
        data: { owner: 'local', intent: 'hook.echo', arguments: {}, status: 'failed', error: 'lost', finishedAt: past, webhookUrl: `${base}/ok`, webhookStatus: 'pending', webhookAttempts: 2, webhookNextAt: past },
      });
      expect(await settled(job.id)).toMatchObject({ webhookStatus: 'delivered', webhookAttempts: 3 });
      expect(deliveriesOf(job.id).map((d) => d.body)).toEqual([{ id: job.id, status: 'failed', intent: 'hook.echo', error: 'lost', finishedAt: past.toISOString() }]);
      // …and one whose last attempt was claimed by a process that died: nothing is left to try.
      const spent = await env.app.deps.db.job.create({
        data: { owner: 'local', intent: 'hook.echo', arguments: {}, status: 'failed', error: 'lost', finishedAt: past, webhookUrl: `${base}/ok`, webhookStatus: 'pending', webhookAttempts: 5, webhookNextAt: past },
      });
      expect(await settled(spent.id)).toMatchObject({ webhookStatus: 'failed', webhookAttempts: 5 });
      expect(deliveriesOf(spent.id)).toEqual([]);
    });

    it('names server and tool in the notice of a job that called them directly', async () => {
      const job = await env.app.deps.db.job.create({
        data: { owner: 'local', intent: null, server: 'webhook-fixture', tool: 'echo', version: '^1', arguments: {}, status: 'running', webhookUrl: `${base}/ok`, webhookStatus: 'pending', runAfter: new Date(Date.now() + 3_600_000) },
      });
      await call(client, 'job_update', { id: job.id, status: 'succeeded', result: { n: 1 } });
      expect(await settled(job.id)).toMatchObject({ webhookStatus: 'delivered', webhookAttempts: 1 });
      const finishedAt = (await get(job.id)).finishedAt;
      expect(deliveriesOf(job.id).map((d) => d.body)).toEqual([{ id: job.id, status: 'succeeded', intent: null, server: 'webhook-fixture', tool: 'echo', version: '^1', result: { n: 1 }, finishedAt }]);
    });
  },
  { env: { SWITCHBOARD_WEBHOOK_RETRY_BASE_MS: '20', SWITCHBOARD_WEBHOOK_ALLOW_PRIVATE: 'true' } },
);

describeEachProvider(
  'job webhook addresses (default: public only)',
  (env) => {
    let client: Client;
    let receiver: Server;
    let port: number;
    let received = 0;

    beforeAll(async () => {
      receiver = createServer((req, res) => {
        received++;
        res.end();
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      port = (receiver.address() as AddressInfo).port;
      client = await env.connect();
    });

    afterAll(async () => {
      await new Promise((resolve) => receiver.close(resolve));
    });

    it('refuses a webhookUrl on a loopback, private, link-local, unique-local, CGNAT or unspecified address, saying how to fix it', async () => {
      const before = await rowCounts(env.app);
      const refused: [string, string][] = [
        [`http://127.0.0.1:${port}/hook`, 'loopback'],
        [`http://localhost:${port}/hook`, 'loopback'], // by what the name resolves to
        ['http://10.1.2.3/hook', 'private'],
        ['https://192.168.0.10/hook', 'private'],
        ['http://169.254.169.254/latest/meta-data', 'linkLocal'],
        ['http://100.64.0.1/hook', 'carrierGradeNat'],
        ['http://0.0.0.0:8080/hook', 'unspecified'],
        ['http://[::1]/hook', 'loopback'],
        ['http://[fd00::1]/hook', 'uniqueLocal'],
        ['http://[::ffff:10.0.0.1]/hook', 'private'],
        ['http://[::10.0.0.1]/hook', 'ipv4Compatible'],
        ['http://0x7f.1/hook', 'loopback'], // the URL parser reads it as 127.0.0.1
      ];
      for (const [webhookUrl, range] of refused) {
        const error = await callError(client, 'job_submit', { intent: 'hook.echo', arguments: {}, webhookUrl });
        expect(error, webhookUrl).toMatch(new RegExp(`^Invalid: webhookUrl: .* in the ${range} address range; webhooks are only sent to public addresses`));
        expect(error, webhookUrl).toMatch(/Use a public http\(s\) URL .* SWITCHBOARD_WEBHOOK_ALLOW_PRIVATE=true/);
      }
      expect(await rowCounts(env.app)).toEqual(before);
      // Public addresses pass (checked directly: a test sends nothing to the internet).
      for (const address of ['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111']) expect(nonPublicRange(address), address).toBeUndefined();
    });

    it('checks again when delivering: a stored URL that now points inside is never called', async () => {
      // As if submitted while allowed, or while the name resolved elsewhere.
      const stored = await Promise.all(
        [`http://localhost:${port}/inside`, `http://127.0.0.1:${port}/inside`].map((webhookUrl) =>
          env.app.deps.db.job.create({ data: { owner: 'local', intent: 'hook.echo', arguments: {}, status: 'running', webhookUrl, webhookStatus: 'pending', runAfter: new Date(Date.now() + 3_600_000) } }),
        ),
      );
      for (const job of stored) await call(client, 'job_update', { id: job.id, status: 'failed', error: 'done elsewhere' });
      for (const job of stored) {
        await eventually(async () => (await env.app.deps.db.job.findUniqueOrThrow({ where: { id: job.id } })).webhookStatus === 'failed', 'the delivery to give up');
        expect(await env.app.deps.db.job.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ webhookStatus: 'failed', webhookAttempts: 5, webhookNextAt: null });
      }
      expect(received).toBe(0);
    });
  },
  { env: { SWITCHBOARD_WEBHOOK_RETRY_BASE_MS: '20' } },
);
