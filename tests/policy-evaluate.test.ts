// The policy decision point: deny overrides allow, default deny, ABAC operators, and failing
// closed whenever a condition cannot be evaluated.
import { describe, expect, it } from 'vitest';
import { principalSchema } from '../src/domain/principal.js';
import { compilePolicies, type EvaluateOptions } from '../src/domain/policy/evaluate.js';
import { policySchema, type ConditionInput, type PolicyInput, type PolicyRequest } from '../src/domain/policy/schema.js';

const alice = principalSchema.parse({ id: 'alice', roles: ['reader'], attributes: { team: 'ops', level: 3, tags: ['a', 'b'], home: '10.1.2.3' } });
const NOW = new Date('2026-06-01T12:00:00Z');

function evaluate(policies: PolicyInput[], request: Partial<PolicyRequest> = {}, options: EvaluateOptions = {}) {
  return compilePolicies(policies.map((p) => policySchema.parse(p))).evaluate(
    { principal: alice, action: 'registry_get', resource: 'billing.invoice', ...request },
    { now: NOW, ...options },
  );
}

const allowAll: PolicyInput = { name: 'allow-all', effect: 'allow', principals: ['*'], actions: ['*'] };
const when = (effect: 'allow' | 'deny', ...conditions: ConditionInput[]): PolicyInput => ({ name: `${effect}-when`, effect, principals: ['*'], actions: ['*'], conditions });

describe('decisions', () => {
  it('deny overrides allow, and says which allow it overrode', () => {
    const result = evaluate([allowAll, { name: 'no-prod-writes', effect: 'deny', principals: ['role:reader'], actions: ['registry_get'] }]);
    expect(result.decision).toBe('deny');
    expect(result.deciding).toEqual([{ name: 'no-prod-writes', effect: 'deny' }]);
    expect(result.reason).toBe("denied by policy 'no-prod-writes'; deny overrides the allow from policy 'allow-all'");
  });

  it('denies by default, naming action, resource and principal', () => {
    const result = evaluate([], { action: 'registry_update', environment: 'prod' });
    expect(result).toEqual({
      decision: 'deny',
      deciding: [],
      reason: "no policy allows registry_update on 'billing.invoice' in prod for user:alice with role:reader; access is denied by default",
    });
  });

  it('lists every applicable allow, by priority then name', () => {
    const result = evaluate([
      { ...allowAll, name: 'b' },
      { ...allowAll, name: 'a' },
      { ...allowAll, name: 'z', priority: 5 },
    ]);
    expect(result.decision).toBe('allow');
    expect(result.deciding.map((d) => d.name)).toEqual(['z', 'a', 'b']);
    expect(result.reason).toBe("allowed by policies 'z', 'a', 'b'");
  });

  it.each([
    ['role matches', ['role:reader'], true],
    ['role pattern', ['role:read*'], true],
    ['other role', ['role:admin'], false],
    ['user matches', ['user:alice'], true],
    ['other user', ['user:bob'], false],
    ['user pattern', ['user:a*'], true],
    ['anyone', ['*'], true],
    ['any of several', ['user:bob', 'role:reader'], true],
  ])('principals: %s', (_name, principals, allowed) => {
    expect(evaluate([{ ...allowAll, principals }]).decision).toBe(allowed ? 'allow' : 'deny');
  });

  it('a bare * covers principals whose ids contain dots', () => {
    const dotted = principalSchema.parse({ id: 'alice.smith@example.com' });
    expect(evaluate([allowAll], { principal: dotted }).decision).toBe('allow');
  });

  it.each([
    ['exact environment', ['prod'], 'prod', true],
    ['other environment', ['dev'], 'prod', false],
    ['* covers any environment', ['*'], 'prod', true],
    ['pattern', ['pr*'], 'prod', true],
    ['no environment, policy for *', ['*'], undefined, true],
    ['no environment, policy for prod only', ['prod'], undefined, false],
    ['no environment, policy lists * among others', ['dev', '*'], undefined, true],
  ])('environments: %s', (_name, environments, environment, allowed) => {
    const request = environment === undefined ? {} : { environment };
    expect(evaluate([{ ...allowAll, environments }], request).decision).toBe(allowed ? 'allow' : 'deny');
  });

  it.each([
    ['default ** covers everything', undefined, 'billing.invoice.create', true],
    ['pattern', ['billing.**'], 'billing.invoice.create', true],
    ['* is one segment', ['billing.*'], 'billing.invoice.create', false],
    ['other resource', ['ledger.**'], 'billing.invoice', false],
  ])('resources: %s', (_name, resources, resource, allowed) => {
    expect(evaluate([{ ...allowAll, ...(resources ? { resources } : {}) }], { resource }).decision).toBe(allowed ? 'allow' : 'deny');
  });

  it('ignores disabled policies, deny or allow', () => {
    expect(evaluate([{ ...allowAll, enabled: false }]).decision).toBe('deny');
    expect(evaluate([allowAll, { ...allowAll, name: 'off', effect: 'deny', enabled: false }]).decision).toBe('allow');
  });
});

describe('index by action', () => {
  it('finds literal, pattern and * actions, and each policy once', () => {
    const result = evaluate([
      { ...allowAll, name: 'exact', actions: ['registry_get'] },
      { ...allowAll, name: 'prefix', actions: ['registry_*'] },
      { ...allowAll, name: 'star', actions: ['*'] },
      { ...allowAll, name: 'both', actions: ['registry_get', 'registry_*', 'reg*'] },
      { ...allowAll, name: 'other', actions: ['route_resolve', 'route_*'] },
    ]);
    expect(result.deciding.map((d) => d.name).sort()).toEqual(['both', 'exact', 'prefix', 'star']);
  });

  it('looks only at policies for the action among 10,000', () => {
    const many: PolicyInput[] = Array.from({ length: 10_000 }, (_, i) => ({ ...allowAll, name: `p${i}`, actions: [`tool_${i}`], principals: ['role:admin'] }));
    const evaluator = compilePolicies([...many, { ...allowAll, name: 'readers', actions: ['tool_42'], principals: ['role:reader'] }].map((p) => policySchema.parse(p)));
    expect(evaluator.size).toBe(10_001);
    const started = performance.now();
    for (let i = 0; i < 1_000; i++) evaluator.evaluate({ principal: alice, action: 'tool_42', resource: 'x' });
    expect(performance.now() - started).toBeLessThan(500);
    const result = evaluator.evaluate({ principal: alice, action: 'tool_42', resource: 'x' }, { explain: true });
    expect(result.decision).toBe('allow');
    expect(result.nearMisses?.map((m) => m.name)).toEqual(['p42']);
  });
});

describe('explain', () => {
  it('says which part of each near miss failed', () => {
    const result = evaluate(
      [
        { ...allowAll, name: 'admins', principals: ['role:admin'] },
        { ...allowAll, name: 'ledger', resources: ['ledger.**'] },
        { ...allowAll, name: 'dev-only', environments: ['dev'] },
        { ...allowAll, name: 'core-team', conditions: [{ attribute: 'principal.attributes.team', operator: 'eq', value: 'core' }] },
        { ...allowAll, name: 'off', enabled: false },
        { ...allowAll, name: 'unrelated', actions: ['route_resolve'] },
      ],
      { environment: 'prod' },
      { explain: true },
    );
    expect(result.decision).toBe('deny');
    expect(result.nearMisses).toEqual([
      { name: 'admins', effect: 'allow', why: "principal user:alice with role:reader does not match principals ['role:admin']" },
      { name: 'core-team', effect: 'allow', why: "condition principal.attributes.team eq 'core' failed: value 'ops'" },
      { name: 'dev-only', effect: 'allow', why: "environment 'prod' does not match environments ['dev']" },
      { name: 'ledger', effect: 'allow', why: "resource 'billing.invoice' does not match resources ['ledger.**']" },
      { name: 'off', effect: 'allow', why: 'policy is disabled' },
    ]);
  });

  it('explains a missing environment', () => {
    const result = evaluate([{ ...allowAll, environments: ['prod'] }], {}, { explain: true });
    expect(result.nearMisses?.[0]?.why).toBe("the request names no environment and environments ['prod'] do not include '*'");
  });

  it('leaves nearMisses out unless asked', () => {
    expect(evaluate([{ ...allowAll, principals: ['role:admin'] }])).not.toHaveProperty('nearMisses');
  });
});

const context = {
  ip: '10.0.0.7',
  ip6: '2001:db8::1',
  mapped: '::ffff:10.0.0.9',
  count: 5,
  when: '2026-01-01T00:00:00Z',
  name: 'invoice-2026',
  obj: { a: [1, { b: 2 }] },
  team: 'ops',
  prefix: 'billing.',
  list: ['ops', 'core'],
};

describe('operators', () => {
  it.each<[ConditionInput, boolean]>([
    [{ attribute: 'principal.attributes.team', operator: 'eq', value: 'ops' }, true],
    [{ attribute: 'principal.attributes.team', operator: 'eq', value: 'core' }, false],
    [{ attribute: 'context.obj', operator: 'eq', value: { a: [1, { b: 2 }] } }, true],
    [{ attribute: 'context.obj', operator: 'eq', value: { a: [1, { b: 3 }] } }, false],
    [{ attribute: 'principal.roles', operator: 'eq', value: ['reader'] }, true],
    [{ attribute: 'principal.attributes.team', operator: 'ne', value: 'core' }, true],
    [{ attribute: 'principal.attributes.team', operator: 'ne', value: 'ops' }, false],
    [{ attribute: 'principal.attributes.team', operator: 'in', value: ['ops', 'core'] }, true],
    [{ attribute: 'principal.attributes.team', operator: 'in', value: ['core'] }, false],
    [{ attribute: 'principal.roles', operator: 'in', value: ['admin', 'reader'] }, true],
    [{ attribute: 'principal.roles', operator: 'in', value: ['admin'] }, false],
    [{ attribute: 'principal.attributes.team', operator: 'not_in', value: ['core'] }, true],
    [{ attribute: 'principal.attributes.team', operator: 'not_in', value: ['ops'] }, false],
    [{ attribute: 'principal.roles', operator: 'not_in', value: ['admin'] }, true],
    [{ attribute: 'principal.roles', operator: 'not_in', value: ['reader', 'admin'] }, false],
    [{ attribute: 'principal.attributes.level', operator: 'gt', value: 2 }, true],
    [{ attribute: 'principal.attributes.level', operator: 'gt', value: 3 }, false],
    [{ attribute: 'principal.attributes.level', operator: 'gte', value: 3 }, true],
    [{ attribute: 'principal.attributes.level', operator: 'gte', value: 4 }, false],
    [{ attribute: 'principal.attributes.level', operator: 'lt', value: 4 }, true],
    [{ attribute: 'principal.attributes.level', operator: 'lt', value: 3 }, false],
    [{ attribute: 'principal.attributes.level', operator: 'lte', value: 3 }, true],
    [{ attribute: 'principal.attributes.level', operator: 'lte', value: 2 }, false],
    [{ attribute: 'context.when', operator: 'gt', value: '2025-12-31' }, true],
    [{ attribute: 'context.when', operator: 'lt', value: '2025-12-31T23:59:59Z' }, false],
    [{ attribute: 'context.when', operator: 'gt', value: '2026-01-01T01:00:00+02:00' }, true],
    [{ attribute: 'context.name', operator: 'contains', value: 'voice' }, true],
    [{ attribute: 'context.name', operator: 'contains', value: 'bill' }, false],
    [{ attribute: 'principal.attributes.tags', operator: 'contains', value: 'a' }, true],
    [{ attribute: 'principal.roles', operator: 'contains', value: 'admin' }, false],
    [{ attribute: 'context.name', operator: 'starts_with', value: 'invoice-' }, true],
    [{ attribute: 'context.name', operator: 'starts_with', value: 'voice' }, false],
    [{ attribute: 'context.name', operator: 'matches', value: '^invoice-\\d{4}$' }, true],
    [{ attribute: 'context.name', operator: 'matches', value: '^(bill|ledger)' }, false],
    [{ attribute: 'resource', operator: 'matches', value: '^billing\\.[a-z]+$' }, true],
    [{ attribute: 'principal.attributes.team', operator: 'exists' }, true],
    [{ attribute: 'context.nope', operator: 'exists' }, false],
    [{ attribute: 'context.nope', operator: 'exists', value: false }, true],
    [{ attribute: 'principal.attributes.team', operator: 'exists', value: false }, false],
    [{ attribute: 'context.ip', operator: 'cidr', value: '10.0.0.0/8' }, true],
    [{ attribute: 'context.ip', operator: 'cidr', value: '192.168.0.0/16' }, false],
    [{ attribute: 'context.ip', operator: 'cidr', value: ['192.168.0.0/16', '10.0.0.0/24'] }, true],
    [{ attribute: 'context.ip6', operator: 'cidr', value: '2001:db8::/32' }, true],
    [{ attribute: 'context.ip6', operator: 'cidr', value: '10.0.0.0/8' }, false],
    [{ attribute: 'context.mapped', operator: 'cidr', value: '10.0.0.0/8' }, true],
    [{ attribute: 'context.time', operator: 'before', value: '2027-01-01' }, true],
    [{ attribute: 'context.time', operator: 'before', value: '2026-06-01T12:00:00Z' }, false],
    [{ attribute: 'context.time', operator: 'after', value: '2026-05-31T23:59:59Z' }, true],
    [{ attribute: 'context.time', operator: 'after', value: '2027-01-01' }, false],
    [{ attribute: 'context.when', operator: 'before', value: '2026-06-01' }, true],
    [{ attribute: 'action', operator: 'eq', value: 'registry_get' }, true],
    [{ attribute: 'environment', operator: 'eq', value: 'prod' }, true],
    [{ attribute: 'principal.id', operator: 'eq', value: 'bob' }, false],
  ])('%j → %s', (condition, holds) => {
    expect(evaluate([when('allow', condition)], { context, environment: 'prod' }).decision).toBe(holds ? 'allow' : 'deny');
  });

  it('context.time given by the caller wins over the clock', () => {
    const condition: ConditionInput = { attribute: 'context.time', operator: 'before', value: '2020-01-01' };
    expect(evaluate([when('allow', condition)], { context: { time: '2019-05-05T00:00:00Z' } }).decision).toBe('allow');
    expect(evaluate([when('allow', condition)]).decision).toBe('deny');
  });

  it.each<[ConditionInput, Record<string, unknown>, boolean]>([
    [{ attribute: 'principal.attributes.team', operator: 'eq', value: { ref: 'context.team' } }, { team: 'ops' }, true],
    [{ attribute: 'principal.attributes.team', operator: 'eq', value: { ref: 'context.team' } }, { team: 'core' }, false],
    [{ attribute: 'context.count', operator: 'gt', value: { ref: 'principal.attributes.level' } }, { count: 5 }, true],
    [{ attribute: 'context.count', operator: 'lte', value: { ref: 'principal.attributes.level' } }, { count: 5 }, false],
    [{ attribute: 'resource', operator: 'starts_with', value: { ref: 'context.prefix' } }, { prefix: 'billing.' }, true],
    [{ attribute: 'principal.attributes.team', operator: 'in', value: { ref: 'context.list' } }, { list: ['ops'] }, true],
    [{ attribute: 'context.ip', operator: 'cidr', value: { ref: 'context.net' } }, { ip: '10.0.0.1', net: '10.0.0.0/8' }, true],
  ])('attribute reference %j with %j → %s', (condition, ctx, holds) => {
    expect(evaluate([when('allow', condition)], { context: ctx }).decision).toBe(holds ? 'allow' : 'deny');
  });
});

describe('fail closed', () => {
  const hostile = {
    team: 'ops',
    long: 'a'.repeat(10_001),
    broken: '(a',
    evil: '(a+)+$',
    badIp: '999.1.1.1',
    octalIp: '010.0.0.1',
    badDate: 'yesterday',
  };
  const cases: [string, ConditionInput, RegExp, EvaluateOptions?][] = [
    ['missing attribute', { attribute: 'principal.attributes.clearance', operator: 'eq', value: 'top' }, /attribute principal\.attributes\.clearance is missing/],
    ['missing referenced attribute', { attribute: 'principal.attributes.team', operator: 'eq', value: { ref: 'context.owner' } }, /attribute context\.owner is missing/],
    ['gt on a string against a number', { attribute: 'principal.attributes.team', operator: 'gt', value: 5 }, /gt compares two numbers or two ISO 8601 dates, got 'ops' and 5/],
    ['in against a non-array', { attribute: 'principal.attributes.team', operator: 'in', value: { ref: 'context.team' } }, /in compares an array of values/],
    ['contains on a number', { attribute: 'principal.attributes.level', operator: 'contains', value: 3 }, /contains compares a string and a substring/],
    ['bad regex from a reference', { attribute: 'context.team', operator: 'matches', value: { ref: 'context.broken' } }, /bad regular expression '\(a': missing '\)'/],
    ['catastrophic regex from a reference', { attribute: 'context.team', operator: 'matches', value: { ref: 'context.evil' } }, /nested quantifiers/],
    ['input too long for matches', { attribute: 'context.long', operator: 'matches', value: 'a' }, /longer than 10000 characters/],
    ['unparsable IP', { attribute: 'context.badIp', operator: 'cidr', value: '10.0.0.0/8' }, /'999\.1\.1\.1' is not an IP address/],
    ['non-decimal IPv4', { attribute: 'context.octalIp', operator: 'cidr', value: '8.0.0.0/8' }, /is not an IP address/],
    ['unparsable date', { attribute: 'context.badDate', operator: 'before', value: '2030-01-01' }, /before compares two ISO 8601 dates, got 'yesterday'/],
    ['no clock for context.time', { attribute: 'context.time', operator: 'after', value: '2020-01-01' }, /attribute context\.time is missing/, { now: undefined }],
  ];

  it.each(cases)('%s: an allow does not apply', (_name, condition, message, options) => {
    const result = evaluate([when('allow', condition)], { context: hostile }, { explain: true, ...options });
    expect(result.decision).toBe('deny');
    expect(result.nearMisses?.[0]?.why).toMatch(/could not be evaluated: /);
    expect(result.nearMisses?.[0]?.why).toMatch(message);
  });

  it.each(cases)('%s: a deny still denies', (_name, condition, message, options) => {
    const result = evaluate([allowAll, when('deny', condition)], { context: hostile }, options);
    expect(result.decision).toBe('deny');
    expect(result.deciding).toHaveLength(1);
    expect(result.deciding[0]?.notes?.[0]).toMatch(message);
    expect(result.reason).toMatch(/^denied by policy 'deny-when'; deny overrides the allow from policy 'allow-all' \(condition .* could not be evaluated: /);
    expect(result.reason).toMatch(/a deny applies when its condition cannot be evaluated/);
  });

  it('an unevaluable condition does not excuse a deny from its other conditions', () => {
    const failing: ConditionInput = { attribute: 'context.missing', operator: 'eq', value: 1 };
    const notMet: ConditionInput = { attribute: 'principal.attributes.team', operator: 'eq', value: 'core' };
    expect(evaluate([allowAll, when('deny', failing, notMet)]).decision).toBe('allow');
  });

  it('never reads inherited properties as attributes', () => {
    const condition: ConditionInput = { attribute: 'principal.attributes.constructor', operator: 'exists' };
    expect(evaluate([when('allow', condition)]).decision).toBe('deny');
  });

  it('a pattern the schema would refuse stops compilation instead of failing open', () => {
    const bad = { ...policySchema.parse(allowAll), effect: 'deny' as const, name: 'bad', resources: ['a..b'] };
    expect(() => compilePolicies([bad])).toThrow(/Policy 'bad' cannot be used: pattern 'a\.\.b' has an empty segment/);
  });
});

describe('regular expressions', () => {
  it('runs in linear time, even where a backtracking engine would hang', () => {
    // `.*a.*b` passes a star-height check yet takes minutes in V8 on this input.
    const condition: ConditionInput = { attribute: 'context.text', operator: 'matches', value: '.*a.*a.*a.*b' };
    const started = performance.now();
    expect(evaluate([when('allow', condition)], { context: { text: 'a'.repeat(10_000) } }).decision).toBe('deny');
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it.each([
    ['(a+)+$', /nested quantifiers such as \(a\+\)\+ are not allowed/],
    ['(x*)*y', /nested quantifiers/],
    ['(?:a{2,}){3,}', /nested quantifiers/],
    ['(a)\\1', /backreferences/],
    ['(?=a)b', /lookaround/],
    ['a**', /nothing to repeat/],
    ['[z-a]', /range out of order/],
    ['(a', /missing '\)'/],
    ['x'.repeat(201), /at most 200 characters/],
    ['a{500}', /repetition counts are at most 100/],
    ['(ab|cd|ef){0,90}z{0,90}', /too complex/],
  ])('refuses %s when the policy is saved', (value, message) => {
    const parsed = policySchema.safeParse(when('allow', { attribute: 'context.text', operator: 'matches', value }));
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(message);
    expect(parsed.error?.issues[0]?.path).toEqual(['conditions', 0, 'value']);
  });
});

describe('schema', () => {
  it('fills defaults', () => {
    expect(policySchema.parse({ name: 'p', effect: 'allow', principals: ['*'], actions: ['invoke'] })).toEqual({
      name: 'p',
      effect: 'allow',
      principals: ['*'],
      actions: ['invoke'],
      resources: ['**'],
      environments: ['*'],
      conditions: [],
      priority: 0,
      enabled: true,
    });
  });

  const valid: PolicyInput = { name: 'p', effect: 'allow', principals: ['role:admin'], actions: ['registry_*'] };
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['bad name', { name: 'has space' }, /a policy name uses letters, digits/],
    ['long name', { name: 'x'.repeat(101) }, /Too big/],
    ['no principals', { principals: [] }, /Too small/],
    ['principal without a kind', { principals: ['admin'] }, /'admin' is not user:<id>, role:<name> or \*/],
    ['bad principal pattern', { principals: ['role:a**'] }, /mixes '\*\*' with text/],
    ['action that is not a tool name', { actions: ['registry.get'] }, /is not a tool name/],
    ['bad resource pattern', { resources: ['billing..x'] }, /empty segment/],
    ['bad effect', { effect: 'maybe' }, /Invalid option/],
    ['fractional priority', { priority: 1.5 }, /expected int/],
    ['unknown attribute', { conditions: [{ attribute: 'principal.secret', operator: 'eq', value: 1 }] }, /an attribute is principal\.id/],
    ['unknown operator', { conditions: [{ attribute: 'resource', operator: 'like', value: 'x' }] }, /Invalid option/],
    ['in without an array', { conditions: [{ attribute: 'resource', operator: 'in', value: 'x' }] }, /in takes an array of values/],
    ['exists with a string', { conditions: [{ attribute: 'resource', operator: 'exists', value: 'yes' }] }, /exists takes true, false or no value/],
    ['eq without a value', { conditions: [{ attribute: 'resource', operator: 'eq' }] }, /eq needs a value/],
    ['bad cidr', { conditions: [{ attribute: 'context.ip', operator: 'cidr', value: '10.0.0.0/33' }] }, /is not a CIDR range/],
    ['bad date', { conditions: [{ attribute: 'context.time', operator: 'before', value: 'tomorrow' }] }, /before takes an ISO 8601 date/],
    ['gt on a word', { conditions: [{ attribute: 'context.n', operator: 'gt', value: 'many' }] }, /gt takes a number or an ISO 8601 date/],
    ['ref to an unknown attribute', { conditions: [{ attribute: 'resource', operator: 'eq', value: { ref: 'nope' } }] }, /a ref names an attribute/],
  ])('refuses %s', (_name, change, message) => {
    const parsed = policySchema.safeParse({ ...valid, ...change });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.message).join('\n')).toMatch(message);
  });
});
