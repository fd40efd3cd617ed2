// Value helpers shared by the condition operators, the schema and explanations.
import ipaddr from 'ipaddr.js';

/** Raised while evaluating a condition that cannot be decided; callers fail closed. */
export class CannotEvaluate extends Error {}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** Structural equality for JSON-like values (and Dates by instant). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

// Date-times without an offset would be read in the server's local zone; they are taken as UTC so
// a decision never depends on where the server runs.
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** Milliseconds since the epoch for an ISO 8601 string or a Date, else undefined. */
export function toTime(v: unknown): number | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.getTime();
  if (typeof v !== 'string') return undefined;
  const m = ISO_DATE.exec(v);
  if (!m) return undefined;
  const zoned = v.length > 10 && m[1] === undefined ? `${v}Z` : v;
  const t = Date.parse(zoned.replace(' ', 'T'));
  return Number.isNaN(t) ? undefined : t;
}

export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;
export type Cidr = [IpAddress, number];

/**
 * Strict: dotted-quad IPv4 only (ipaddr.js also reads forms like `0x7f.1`, which people do not
 * mean), IPv4-mapped IPv6 folded to IPv4 so `::ffff:10.0.0.1` is in 10.0.0.0/8.
 */
export function parseIp(v: unknown): IpAddress {
  if (typeof v !== 'string') throw new CannotEvaluate(`${formatValue(v)} is not an IP address`);
  const valid = v.includes(':') ? ipaddr.IPv6.isValid(v) : ipaddr.IPv4.isValidFourPartDecimal(v);
  if (!valid) throw new CannotEvaluate(`${formatValue(v)} is not an IP address`);
  return ipaddr.process(v);
}

export function parseCidrs(v: unknown): Cidr[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0) throw new CannotEvaluate('cidr needs at least one range');
  return list.map((c) => {
    const cidr = typeof c === 'string' ? parseCidr(c) : undefined;
    if (!cidr) throw new CannotEvaluate(`${formatValue(c)} is not a CIDR range such as 10.0.0.0/8`);
    return cidr;
  });
}

function parseCidr(c: string): Cidr | undefined {
  const slash = c.indexOf('/');
  const address = c.slice(0, slash);
  const v6 = address.includes(':');
  if (slash < 0 || !(v6 ? ipaddr.IPv6.isValid(address) : ipaddr.IPv4.isValidFourPartDecimal(address))) return undefined;
  try {
    return v6 ? ipaddr.IPv6.parseCIDR(c) : ipaddr.IPv4.parseCIDR(c);
  } catch {
    return undefined;
  }
}

export function inCidrs(ip: IpAddress, ranges: Cidr[]): boolean {
  return ranges.some(([range, bits]) => {
    if (ip.kind() === range.kind()) return ip.match([range, bits]);
    return ip.kind() === 'ipv4' && (ip as ipaddr.IPv4).toIPv4MappedAddress().match([range, bits]);
  });
}

/** Short, quoted rendering for explanations: strings in single quotes, the rest as JSON. */
export function formatValue(v: unknown): string {
  if (v === undefined) return 'missing';
  const text = typeof v === 'string' ? `'${v}'` : v instanceof Date ? v.toISOString() : safeJson(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
