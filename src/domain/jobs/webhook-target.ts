// Where a webhook may go, and the POST itself. A webhook URL is chosen by whoever submits a job,
// so by default it may not reach into the network Switchboard runs in (SSRF): a host that is, or
// resolves to, anything but a public unicast address — loopback, private, link-local, unique-local,
// CGNAT, unspecified, multicast, reserved — is refused at job_submit, and again at each delivery,
// where the check runs inside the connection's own DNS lookup: the address checked is the address
// connected to, so a DNS answer that changes after job_submit does not get through.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Invalid } from '../errors.js';

const ipv4Compatible = ipaddr.IPv6.parseCIDR('::/96');

/** The special-use range of `address` (`private`, `loopback`, …), or undefined for a public unicast address. */
export function nonPublicRange(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return 'unparsable';
  const ip = ipaddr.process(address); // ::ffff:10.0.0.1 is 10.0.0.1
  const range = ip.range();
  if (range !== 'unicast') return range;
  return ip.kind() === 'ipv6' && ip.match(ipv4Compatible) ? 'ipv4Compatible' : undefined;
}

const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

const refusal = (url: string, host: string, address: string, range: string) =>
  `webhookUrl: ${url} ${host === address ? 'is' : `resolves to ${address}, which is`} in the ${range} address range; webhooks are only sent to public addresses, ` +
  'so that a job cannot make Switchboard call services inside its own network. Use a public http(s) URL for the receiver; ' +
  'if the receiver is meant to be internal, an administrator can allow private webhook addresses with SWITCHBOARD_WEBHOOK_ALLOW_PRIVATE=true.';

/** job_submit's check: throws Invalid when the URL's host is, or now resolves to, a non-public address. */
export async function checkWebhookUrl(url: string): Promise<void> {
  const host = hostOf(new URL(url));
  // A name that does not resolve (soon enough) now is let through: each delivery checks again.
  const addresses = ipaddr.isValid(host) ? [host] : await resolveAll(host, 2000);
  for (const address of addresses) {
    const range = nonPublicRange(address);
    if (range) throw new Invalid(refusal(url, host, address, range));
  }
}

const resolveAll = (host: string, timeoutMs: number) =>
  new Promise<string[]>((resolve) => {
    const timer = setTimeout(() => resolve([]), timeoutMs);
    dnsLookup(host, { all: true }, (error, found) => {
      clearTimeout(timer);
      resolve(error ? [] : found.map((a) => a.address));
    });
  });

/** A DNS lookup for the connection that fails when any address found is not public. */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, found: LookupAddress[]) => {
    if (error) return callback(error, '');
    const bad = found.find((a) => nonPublicRange(a.address));
    if (bad) return callback(Object.assign(new Error(`${hostname} resolves to ${bad.address}, in the ${nonPublicRange(bad.address)} range; not sent`), { code: 'EPRIVATE' }), '');
    if (options.all) return callback(null, found);
    callback(null, found[0]?.address ?? '', found[0]?.family);
  });
};

export interface PostOptions {
  headers: Record<string, string>;
  timeoutMs: number;
  allowPrivate: boolean;
}

/** POSTs `body`; undefined when answered 2xx, else what went wrong. Redirects are not followed. */
export async function postWebhook(url: string, body: string, options: PostOptions): Promise<string | undefined> {
  try {
    const target = new URL(url);
    const host = hostOf(target);
    if (!options.allowPrivate && ipaddr.isValid(host)) {
      const range = nonPublicRange(host);
      if (range) return `${host} is in the ${range} range; not sent`;
    }
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return await new Promise<string | undefined>((resolve, reject) => {
      const request = send(
        target,
        {
          method: 'POST',
          headers: { ...options.headers, 'content-length': String(Buffer.byteLength(body)) },
          signal: AbortSignal.timeout(options.timeoutMs),
          ...(options.allowPrivate ? {} : { lookup: guardedLookup }),
        },
        (response) => {
          response.on('error', () => {}); // cut off after the status arrived: the status is the answer
          response.resume(); // the answer's body means nothing here; draining frees the connection
          const status = response.statusCode ?? 0;
          resolve(status >= 200 && status < 300 ? undefined : `HTTP ${status}`);
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
