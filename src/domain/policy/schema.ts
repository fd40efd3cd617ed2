// A policy as stored, installed from packs and passed to policy tools. Everything that can be
// checked before a request arrives is checked here, so evaluation meets few surprises.
import { z } from 'zod';
import { validatePattern } from '../patterns.js';
import { principalSchema } from '../principal.js';
import { regexProblem } from './regex.js';
import { CannotEvaluate, isPlainObject, parseCidrs, toTime } from './values.js';

const ATTRIBUTE = /^(principal\.(id|roles|attributes(\.[A-Za-z0-9_-]+)+)|resource|action|environment|context(\.[A-Za-z0-9_-]+)+)$/;

export const attributePath = z
  .string()
  .max(200)
  .regex(ATTRIBUTE, 'an attribute is principal.id, principal.roles, principal.attributes.<path>, resource, action, environment or context.<path>')
  .describe('What to compare, e.g. principal.attributes.team, context.ip or context.time.');

export const attributeRef = z.strictObject({ ref: attributePath }).describe('Compare against another attribute instead of a literal.');
export type AttributeRef = z.infer<typeof attributeRef>;

export const operators = ['eq', 'ne', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'contains', 'starts_with', 'matches', 'exists', 'cidr', 'before', 'after'] as const;
export const operator = z.enum(operators);
export type Operator = z.infer<typeof operator>;

/** The same test as attributeRef, without zod's cost on the evaluation path. */
export function isRef(v: unknown): v is AttributeRef {
  if (!isPlainObject(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && keys[0] === 'ref' && typeof v.ref === 'string' && v.ref.length <= 200 && ATTRIBUTE.test(v.ref);
}

export const conditionSchema = z
  .object({
    attribute: attributePath,
    operator,
    value: z.union([attributeRef, z.json()]).optional().describe('A JSON literal, or { "ref": "<attribute>" }. Omit only for exists.'),
  })
  .superRefine((c, ctx) => {
    const problem = conditionProblem(c.operator, c.value);
    if (problem) ctx.addIssue({ code: 'custom', path: ['value'], message: problem });
  });
export type Condition = z.infer<typeof conditionSchema>;
export type ConditionInput = z.input<typeof conditionSchema>;

function conditionProblem(op: Operator, value: unknown): string | undefined {
  if (op === 'exists') return value === undefined || typeof value === 'boolean' ? undefined : 'exists takes true, false or no value';
  if (value === undefined) return `${op} needs a value`;
  if (typeof value === 'object' && value !== null && 'ref' in value) return isRef(value) ? undefined : 'a ref names an attribute, e.g. { "ref": "principal.attributes.team" }';
  switch (op) {
    case 'in':
    case 'not_in':
      return Array.isArray(value) ? undefined : `${op} takes an array of values`;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return typeof value === 'number' || toTime(value) !== undefined ? undefined : `${op} takes a number or an ISO 8601 date`;
    case 'before':
    case 'after':
      return toTime(value) !== undefined ? undefined : `${op} takes an ISO 8601 date such as 2030-01-01T00:00:00Z`;
    case 'starts_with':
      return typeof value === 'string' ? undefined : 'starts_with takes a string';
    case 'matches':
      return typeof value === 'string' ? regexProblem(value) : 'matches takes a regular expression string';
    case 'cidr':
      try {
        parseCidrs(value);
        return undefined;
      } catch (e) {
        if (e instanceof CannotEvaluate) return `${e.message} (cidr takes one range or an array of ranges)`;
        throw e;
      }
    default:
      return undefined;
  }
}

function pattern(kind: string, extra?: (p: string) => string | undefined) {
  return z.string().superRefine((p, ctx) => {
    const problem = validatePattern(p) ?? extra?.(p);
    if (problem) ctx.addIssue({ code: 'custom', message: `${problem} (${kind}; * matches within one dot-separated segment, ** any number of segments)` });
  });
}

const principalPattern = pattern('principals are user:<id>, role:<name> or *', (p) =>
  p === '*' || /^(user|role):./.test(p) ? undefined : `'${p}' is not user:<id>, role:<name> or *`,
);
const actionPattern = pattern('actions are tool names such as registry_get, or invoke', (p) =>
  /^[a-zA-Z0-9_*-]{1,64}$/.test(p) ? undefined : `'${p}' is not a tool name (letters, digits, _ and -) or a pattern of one`,
);

export const policySchema = z.object({
  name: z.string().min(1).max(100).regex(/^[a-zA-Z0-9_.:-]+$/, 'a policy name uses letters, digits and _ . : -'),
  description: z.string().max(1000).optional(),
  effect: z.enum(['allow', 'deny']).describe('deny overrides allow; with no applicable allow the answer is deny'),
  principals: z.array(principalPattern).min(1).max(100).describe('Who: user:<id>, role:<name> (patterns allowed) or * for anyone.'),
  actions: z.array(actionPattern).min(1).max(100).describe('Tool names such as registry_get, invoke for upstream calls; patterns allowed.'),
  resources: z.array(pattern('resources are intents or server names')).min(1).max(100).default(['**']).describe('Intents or server names; ** (the default) is everything.'),
  environments: z.array(pattern('environments are names such as prod')).min(1).max(50).default(['*']).describe('* (the default) also covers requests without an environment.'),
  conditions: z.array(conditionSchema).max(20).default([]).describe('ABAC conditions; all must hold.'),
  priority: z.number().int().min(-1_000_000).max(1_000_000).default(0).describe('Orders policies in explanations; deny still overrides allow.'),
  enabled: z.boolean().default(true),
});
export type Policy = z.infer<typeof policySchema>;
export type PolicyInput = z.input<typeof policySchema>;
export type Effect = Policy['effect'];

export const policyRequestSchema = z.object({
  principal: principalSchema,
  action: z.string().min(1).max(200),
  resource: z.string().max(1000),
  environment: z.string().min(1).max(100).optional(),
  context: z.record(z.string(), z.unknown()).optional(),
});
export type PolicyRequest = z.infer<typeof policyRequestSchema>;
