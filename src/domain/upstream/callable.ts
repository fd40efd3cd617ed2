// What a call to one server version needs, built once per process and kept until the registry
// changes (the 'servers' topic): its endpoint with secrets decrypted, its price, and a compiled
// argument check per discovered tool. A version never checked is discovered on first use.
import type { Deps } from '../deps.js';
import { NotFound, Unavailable } from '../errors.js';
import type { ArgumentCheck } from './arguments.js';
import { endpointFields, toEndpoint } from './endpoint.js';
import { checkServer } from './health.js';
import type { UpstreamEndpoint } from './port.js';
import type { Price } from './price.js';

export interface Callable {
  endpoint: UpstreamEndpoint;
  price: Price;
  tools: Map<string, ArgumentCheck>;
}

export async function loadCallable(deps: Deps, name: string, version: string): Promise<Callable> {
  const cache = await deps.cache.callables();
  const key = `${name}@${version}`;
  let entry = cache.get(key);
  if (!entry) {
    entry = build(deps, name, version);
    cache.set(key, entry);
    entry.catch(() => cache.delete(key));
  }
  return entry;
}

async function build(deps: Deps, name: string, version: string): Promise<Callable> {
  const read = () =>
    deps.db.serverVersion.findFirst({
      where: { name, version, deletedAt: null },
      select: { ...endpointFields, costPerCall: true, costPerUnit: true, tools: { select: { name: true, inputSchema: true } } },
    });
  let row = await read();
  if (!row) throw new NotFound(`${name}@${version} is not registered (or was deregistered). registry_list shows what is.`);
  if (row.tools.length === 0) {
    const check = await checkServer(deps, row.id);
    if (!check.ok) throw new Unavailable(`Could not discover the tools of ${name}@${version}, so its arguments cannot be checked. ${check.error}`);
    row = (await read())!;
  }
  // ajv takes tens of milliseconds to load: a process that never calls an upstream never loads it.
  const { argumentChecker } = await import('./arguments.js');
  const skip = (tool: string) => (reason: string) => deps.log.debug({ server: name, version, tool, reason }, 'input schema not checkable here; the upstream checks its own arguments');
  return {
    endpoint: toEndpoint(deps, row),
    price: { perCall: row.costPerCall, perUnit: row.costPerUnit },
    tools: new Map(row.tools.map((t) => [t.name, argumentChecker(`${name}@${version} ${t.name}`, t.inputSchema as Record<string, unknown>, skip(t.name))])),
  };
}
