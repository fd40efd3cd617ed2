// invoke: resolve → (authorized by the caller) → check arguments → call → report. DESIGN.md
// "Upstream calls". Authorization happens at the tool boundary like every Switchboard call
// (action invoke, resource = the intent, or the server name for a direct call).
import type { Deps } from '../deps.js';
import { NotFound } from '../errors.js';
import type { Principal } from '../principal.js';
import { resolveRoute } from '../routes/resolve.js';
import { pickVersion } from '../routes/versions.js';
import { loadCallable } from './callable.js';
import type { InvokeInput, InvokeTarget } from './invoke-schema.js';
import type { UpstreamProgress, UpstreamResult } from './port.js';
import { costOf, noPrice, priceFor, unitsOf, type Price } from './price.js';

export interface InvokeHooks {
  signal: AbortSignal;
  onProgress?: (progress: UpstreamProgress) => void;
  /** The W3C traceparent the upstream call joins. */
  traceparent?: string;
  /** Told the target as soon as it is known (cost null), and again with the per-call price when the upstream is called. */
  onTarget?: (target: InvokeTarget) => void;
}

export interface Invocation {
  result: UpstreamResult;
  target: InvokeTarget;
  upstreamLatencyMs: number;
}

export async function invoke(deps: Deps, principal: Principal, input: InvokeInput, hooks: InvokeHooks): Promise<Invocation> {
  const { target, routePrice } = await findTarget(deps, principal, input);
  hooks.onTarget?.(target);
  const callable = await loadCallable(deps, target.server, target.version);
  const check = callable.tools.get(target.tool);
  if (!check) {
    const known = [...callable.tools.keys()].join(', ') || 'none discovered';
    throw new NotFound(`${target.server}@${target.version} has no tool ${target.tool} (its tools: ${known}). Fix the route or the tool name; run registry_check_health if the server changed.`);
  }
  check(input.arguments);
  // A call that reaches the upstream costs its price per call, even if it then fails.
  const price = priceFor(routePrice, callable.price);
  hooks.onTarget?.({ ...target, cost: costOf(price, null) });
  const started = performance.now();
  const result = await deps.upstream.callTool(callable.endpoint, target.tool, input.arguments, {
    timeoutMs: input.timeoutMs ?? deps.settings.upstreamTimeoutMs,
    signal: hooks.signal,
    ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
    ...(hooks.traceparent ? { meta: { traceparent: hooks.traceparent } } : {}),
  });
  const upstreamLatencyMs = performance.now() - started;
  return { result, target: { ...target, cost: costOf(price, unitsOf(result)) }, upstreamLatencyMs };
}

async function findTarget(deps: Deps, principal: Principal, input: InvokeInput): Promise<{ target: InvokeTarget; routePrice: Price }> {
  const environment = input.environment ?? null;
  if (input.intent) {
    const r = await resolveRoute(deps.cache, principal, { intent: input.intent, ...(input.environment ? { environment: input.environment } : {}), ...(input.version ? { version: input.version } : {}) });
    const route = r.routeId ? (await deps.cache.routeTable()).match(input.intent).find((x) => x.id === r.routeId) : undefined;
    const target = { intent: input.intent, environment, server: r.server, version: r.version, tool: r.tool, routeId: r.routeId, fallback: r.fallback, cost: null };
    return { target, routePrice: route ? { perCall: route.costPerCall, perUnit: route.costPerUnit } : noPrice };
  }
  const server = input.server!;
  const picked = pickVersion((await deps.cache.serversByName()).get(server) ?? [], '*', input.version);
  if (!picked.chosen) {
    const why = picked.rejected.length ? ` (${picked.rejected.join('; ')})` : '';
    throw new NotFound(`No callable version of ${server}${input.version ? ` matching ${input.version}` : ''}${why}. registry_list shows what is registered.`);
  }
  return { target: { intent: null, environment, server, version: picked.chosen.version, tool: input.tool!, routeId: null, fallback: false, cost: null }, routePrice: noPrice };
}
