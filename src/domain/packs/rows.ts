// A pack's rows as manifest entries (what export writes), and the test of whether a row still is
// what the pack installed: both sides through the entry's schema, compared as canonical JSON.
import type { Tx } from '../../store/index.js';
import { createPolicyInput, toPolicy } from '../policy/store.js';
import { SECRET_PLACEHOLDER } from '../registry/formats.js';
import { registerInput } from '../registry/schema.js';
import { toView, withToolCount } from '../registry/view.js';
import { createRouteInput } from '../routes/schema.js';
import type { PackManifest } from './schema.js';

type Db = Pick<Tx, 'serverVersion' | 'route' | 'policy'>;
type ServerRow = Parameters<typeof toView>[0];
type RouteRow = Awaited<ReturnType<Tx['route']['findMany']>>[number];
type PolicyRow = Awaited<ReturnType<Tx['policy']['findMany']>>[number];

export interface PackRows {
  servers: ServerRow[];
  routes: RouteRow[];
  policies: PolicyRow[];
}

export async function packRows(db: Db, packId: string): Promise<PackRows> {
  const where = { packId };
  return {
    servers: await db.serverVersion.findMany({ where, include: withToolCount, orderBy: { id: 'asc' } }),
    routes: await db.route.findMany({ where, orderBy: { id: 'asc' } }),
    policies: await db.policy.findMany({ where, orderBy: { id: 'asc' } }),
  };
}

const placeholders = (names: Record<string, string> | undefined) => Object.fromEntries(Object.keys(names ?? {}).map((k) => [k, SECRET_PLACEHOLDER]));
const present = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));

/** A server row as registry_register input; secret values become "<secret>", as registry_export writes them. */
export function serverEntry(row: ServerRow): PackManifest['servers'][number] {
  const s = toView(row);
  const t = s.transport;
  const transport = t.type === 'stdio' ? present({ type: t.type, command: t.command, args: t.args, env: placeholders(t.env), cwd: t.cwd }) : { type: t.type, url: t.url, headers: placeholders(t.headers) };
  const { name, version, title, description, status, repositoryUrl, websiteUrl, tags, priority, isRequired, dependencies, metadata, costPerCall, costPerUnit } = s;
  return registerInput.parse(present({ name, version, title, description, status, transport, repositoryUrl, websiteUrl, tags, priority, isRequired, dependencies, metadata, costPerCall, costPerUnit }));
}

export function routeEntry(row: RouteRow): PackManifest['routes'][number] {
  const { intentPattern, environment, serverName, versionRange, toolName, priority, weight, enabled, description, costPerCall, costPerUnit } = row;
  return createRouteInput.parse(present({ intentPattern, environment, serverName, versionRange, toolName, priority, weight, enabled, description, costPerCall, costPerUnit }));
}

export function policyEntry(row: PolicyRow): PackManifest['policies'][number] {
  // toPolicy leaves out an empty description; a manifest may hold one.
  return createPolicyInput.parse({ ...toPolicy(row), ...(row.description !== null ? { description: row.description } : {}) });
}

/** JSON with sorted keys and no null or undefined members: equal entries give equal text. */
export function canonical(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (typeof v !== 'object' || v === null) return v;
    const kept = Object.entries(v).filter(([, x]) => x !== null && x !== undefined);
    return Object.fromEntries(kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => [k, sort(x)]));
  };
  return JSON.stringify(sort(value));
}

/** The manifest with every env and header value replaced by "<secret>" (and no $schema): what is stored with the pack. */
export function maskManifest({ $schema: _schema, ...m }: PackManifest): PackManifest {
  const servers = m.servers.map((s) => ({
    ...s,
    transport: s.transport.type === 'stdio' ? { ...s.transport, env: placeholders(s.transport.env) } : { ...s.transport, headers: placeholders(s.transport.headers) },
  }));
  return { ...m, servers };
}

/** The rows as manifest entries (what export writes and what removing them is authorized as). */
export function entriesOf(rows: PackRows): Pick<PackManifest, 'servers' | 'routes' | 'policies'> {
  return { servers: rows.servers.map(serverEntry), routes: rows.routes.map(routeEntry), policies: rows.policies.map(policyEntry) };
}

export type ChangedRow = { kind: 'server' | 'route' | 'policy'; id: string; label: string };

/**
 * The rows no longer as the pack installed them (`installed`, the stored masked manifest): a
 * server whose status or metadata changed or that was deregistered, a route or policy edited.
 * Routes have no natural key, so each row must match a distinct unused manifest route.
 */
export function changedRows(rows: PackRows, installed: PackManifest): ChangedRow[] {
  const unmatched = (entries: unknown[]) => {
    const left = entries.map(canonical);
    return (entry: unknown) => {
      const i = left.indexOf(canonical(entry));
      if (i >= 0) left.splice(i, 1);
      return i < 0;
    };
  };
  const server = unmatched(installed.servers);
  const route = unmatched(installed.routes);
  const policy = unmatched(installed.policies);
  return [
    ...rows.servers.filter((r) => r.deletedAt !== null || server(serverEntry(r))).map((r) => ({ kind: 'server' as const, id: r.id, label: `server ${r.name} ${r.version}${r.deletedAt ? ' (deregistered)' : ''}` })),
    ...rows.routes.filter((r) => route(routeEntry(r))).map((r) => ({ kind: 'route' as const, id: r.id, label: `route ${r.id} (${r.intentPattern})` })),
    ...rows.policies.filter((r) => policy(policyEntry(r))).map((r) => ({ kind: 'policy' as const, id: r.id, label: `policy ${r.name}` })),
  ];
}

/** The rows less those with the given ids. */
export function withoutIds(rows: PackRows, ids: Set<string>): PackRows {
  return { servers: rows.servers.filter((r) => !ids.has(r.id)), routes: rows.routes.filter((r) => !ids.has(r.id)), policies: rows.policies.filter((r) => !ids.has(r.id)) };
}
