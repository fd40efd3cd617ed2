// The rate-limit settings' language, parsed once at start. A limit is `<count>/<window>`, the
// window a unit (s, m, h) with an optional multiple: `10/s`, `100/m`, `500/15m`. SWITCHBOARD_RATE_LIMITS
// lists rules `<scope>=<limit>` separated by commas; a scope is
//   principal          every tool call of a principal,
//   tool:<name>        calls of one tool (e.g. tool:invoke),
//   intent:<pattern>   invoke / job_submit calls whose intent matches (`*` one segment, `**` any);
// every rule counts per principal, and all rules a call matches must have room for it.
import { z } from 'zod';
import { validatePattern } from '../patterns.js';

export type ScopeKind = 'principal' | 'tool' | 'intent' | 'http';

export interface RateLimitRule {
  /** As written, e.g. `intent:billing.*`; names the limit in refusals. */
  scope: string;
  kind: ScopeKind;
  /** The tool name or intent pattern of a tool or intent rule. */
  match?: string;
  limit: number;
  windowMs: number;
  /** The limit as written, e.g. `10/s`. */
  text: string;
}

const unitMs = { s: 1_000, m: 60_000, h: 3_600_000 } as const;
const toolName = /^[a-zA-Z0-9_-]{1,64}$/;
// Intents are dot-separated names; `|`, `=` and `,` are kept out so keys and the list stay unambiguous.
const intentChars = /^[^\s|=,]{1,256}$/;

/** `10/s` → limit and window, or why not. */
export function parseLimit(text: string): { limit: number; windowMs: number; text: string } | string {
  const m = /^(\d{1,9})\/(\d{1,6})?([smh])$/.exec(text.trim());
  if (!m) return `'${text}' is not a limit such as 10/s, 100/m or 500/15m`;
  const limit = Number(m[1]);
  const windowMs = Number(m[2] ?? 1) * unitMs[m[3] as keyof typeof unitMs];
  if (limit < 1) return `'${text}' allows nothing: the count must be at least 1 (leave the rule out for no limit)`;
  if (windowMs < 1_000 || windowMs > 86_400_000) return `'${text}' has a window outside 1s to 24h`;
  return { limit, windowMs, text: text.trim() };
}

function parseScope(scope: string): Pick<RateLimitRule, 'kind' | 'match'> | string {
  if (scope === 'principal') return { kind: 'principal' };
  const [kind, ...rest] = scope.split(':');
  const match = rest.join(':');
  if (kind === 'tool') return toolName.test(match) ? { kind, match } : `'${scope}': a tool rule names one tool, as in tool:invoke`;
  if (kind === 'intent') {
    const problem = intentChars.test(match) ? validatePattern(match) : `'${match}' is not an intent pattern`;
    return problem ? `'${scope}': ${problem}` : { kind, match };
  }
  return `'${scope}' is not a scope: use principal, tool:<name> or intent:<pattern>`;
}

/** The rules of SWITCHBOARD_RATE_LIMITS, or the problems with them. */
export function parseRules(spec: string): { rules: RateLimitRule[]; problems: string[] } {
  const rules: RateLimitRule[] = [];
  const problems: string[] = [];
  for (const entry of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const at = entry.indexOf('=');
    const scope = entry.slice(0, Math.max(at, 0)).trim();
    const parsed = at > 0 ? parseScope(scope) : `'${entry}' is not <scope>=<limit>, e.g. tool:invoke=100/m`;
    const limit = at > 0 ? parseLimit(entry.slice(at + 1)) : undefined;
    if (typeof parsed === 'string') problems.push(parsed);
    else if (typeof limit === 'string') problems.push(`${scope}: ${limit}`);
    else if (rules.some((r) => r.scope === scope)) problems.push(`'${scope}' is listed twice`);
    else if (limit) rules.push({ scope, ...parsed, ...limit });
  }
  return { rules, problems };
}

/** zod schema for SWITCHBOARD_RATE_LIMITS. */
export const rateLimitRulesSchema = z.string().transform((spec, ctx) => {
  const { rules, problems } = parseRules(spec);
  for (const problem of problems) ctx.addIssue({ code: 'custom', message: problem });
  return problems.length > 0 ? z.NEVER : rules;
});

/** zod schema for SWITCHBOARD_HTTP_RATE_LIMIT: a limit, or `off`. */
export const httpRateLimitSchema = z.string().transform((text, ctx): RateLimitRule | null => {
  if (text.trim() === 'off') return null;
  const limit = parseLimit(text);
  if (typeof limit !== 'string') return { scope: 'http', kind: 'http', ...limit };
  ctx.addIssue({ code: 'custom', message: `${limit}, or off` });
  return z.NEVER;
});
