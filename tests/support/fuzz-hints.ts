// What the fuzzer needs to know beyond the published schemas: values zod refinements want (semver,
// patterns), values that exist (so updates and deletes reach real rows), and values that are safe
// to act on — commands that cannot start and URLs nobody answers — so fuzzing never spawns a real
// program or reaches the network. Keyed by property name, so tools added later get them too.
import fc from 'fast-check';
import { oddString, type Hint, type JsonSchema, type SchemaOptions } from './json-schema-arbitrary.js';

/** Rows the fuzzer may aim at, created before it runs. */
export interface Seeds {
  serverNames: string[];
  policyNames: string[];
  ids: string[];
  keys: string[];
}

const semver = fc
  .tuple(fc.nat(12), fc.nat(12), fc.nat(12), fc.option(fc.constantFrom('alpha.1', 'beta', 'rc.2'), { nil: undefined }))
  .map(([a, b, c, pre]) => `${a}.${b}.${c}${pre ? `-${pre}` : ''}`);
const semverRange = fc.oneof(semver, semver.map((v) => `^${v}`), fc.constantFrom('*', '^1.0.0', '>=1 <3', '~2.1', '1.x', '>=0.0.0'));

/** A command that cannot be started: an absolute path under a directory that does not exist. */
export const deadCommand = fc.stringMatching(/^[a-z]{1,8}$/).map((s) => `/nonexistent/switchboard-fuzz/${s}`);

/** URLs that fail at once: a closed port on loopback, or a reserved .invalid domain. */
export const deadUrl = fc.oneof(
  fc.tuple(fc.constantFrom('http', 'https'), fc.stringMatching(/^[a-z0-9/]{0,12}$/)).map(([scheme, path]) => `${scheme}://127.0.0.1:1/${path}`),
  fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), fc.stringMatching(/^[a-z0-9/]{0,12}$/)).map(([host, path]) => `https://${host}.invalid/${path}`),
);

const segment = fc.stringMatching(/^[a-z][a-z0-9_-]{0,6}$/);
const intentPattern = fc.array(fc.oneof({ weight: 4, arbitrary: segment }, { weight: 1, arbitrary: fc.constantFrom('*', '**') }), { minLength: 1, maxLength: 4 }).map((s) => s.join('.'));
// Never matching the test principals (user:local, role:admin, user:nobody), whatever the effect.
const principalPattern = fc.oneof(segment.map((s) => `user:fuzzer-${s}`), segment.map((s) => `role:fuzzer-${s}`), fc.constantFrom('user:fuzzer-*', 'role:fuzzer*'));
const actionPattern = fc.constantFrom('registry_get', 'invoke', 'route_*', 'job_*', '*', 'no_such_tool');
const resourcePattern = fc.oneof(intentPattern, fc.constantFrom('**', 'fuzz.seed'));
const environmentPattern = fc.constantFrom('*', 'prod', 'dev', 'p*');

const envName = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,8}$/).filter((k) => k !== 'PATH');
const clientEntry = fc.oneof(
  fc.record({ command: deadCommand, args: fc.array(oddString({ maxLength: 8 }), { maxLength: 2 }), env: fc.dictionary(envName, oddString({ maxLength: 8 }), { maxKeys: 2 }) }, { requiredKeys: ['command'] }),
  fc.record({ type: fc.constantFrom('http', 'sse', 'streamable-http'), url: deadUrl }, { requiredKeys: ['url'] }),
);
const clientConfig = fc.tuple(fc.constantFrom('mcpServers', 'servers'), fc.dictionary(fc.oneof(segment, oddString({ minLength: 1, maxLength: 10 })), clientEntry, { minKeys: 1, maxKeys: 3 })).map(([key, map]) => ({ [key]: map }));
// Remotes only: a server.json package would become an npx/uvx/docker command.
const serverJson = fc.record({
  name: segment.map((s) => `io.github.fuzz/${s}`),
  version: semver,
  description: oddString({ maxLength: 20 }),
  remotes: fc.array(fc.record({ type: fc.constantFrom('streamable-http', 'sse'), url: deadUrl }), { minLength: 1, maxLength: 1 }),
});
const importDocument = fc.oneof(clientConfig, serverJson, fc.array(serverJson, { maxLength: 2 }).map((servers) => ({ servers })));

const isType = (schema: JsonSchema, type: string) => schema.type === type || (schema.anyOf ?? []).some((b) => b.type === type);
/** The hint's generator when the property has the expected JSON type, the generic one otherwise. */
const when =
  (type: string, arb: fc.Arbitrary<unknown>, weight = 4): Hint =>
  (schema, generic) =>
    isType(schema, type) ? fc.oneof({ weight, arbitrary: arb }, { weight: 1, arbitrary: generic }) : generic;
const pick = (values: string[]) => (values.length ? fc.constantFrom(...values) : fc.constant('none'));

export function fuzzOptions(seeds: Seeds): SchemaOptions {
  const names = pick([...seeds.serverNames, ...seeds.policyNames]);
  return {
    formats: {
      uri: deadUrl,
      'date-time': fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
    },
    hints: {
      // Only these, never a generic string: a generic command could name a real program.
      command: (schema, generic) => (isType(schema, 'string') ? deadCommand : generic),
      cwd: (schema, generic) => (isType(schema, 'string') ? fc.constant('/nonexistent/switchboard-fuzz') : generic),
      // 1.0.0 is the seeded servers' version.
      version: when('string', fc.oneof({ weight: 6, arbitrary: semver }, { weight: 3, arbitrary: fc.constant('1.0.0') }, { weight: 1, arbitrary: semverRange })),
      versionRange: when('string', semverRange),
      range: when('string', semverRange),
      intentPattern: when('string', intentPattern),
      intent: when('string', fc.oneof(intentPattern.map((p) => p.replaceAll('**', 'x').replaceAll('*', 'y')), fc.constant('fuzz.seed.run'))),
      principals: when('array', fc.array(principalPattern, { minLength: 1, maxLength: 3 })),
      actions: when('array', fc.array(actionPattern, { minLength: 1, maxLength: 3 })),
      resources: when('array', fc.array(resourcePattern, { minLength: 1, maxLength: 3 })),
      environments: when('array', fc.array(environmentPattern, { minLength: 1, maxLength: 2 })),
      name: when('string', names, 2),
      server: when('string', pick(seeds.serverNames), 2),
      serverName: when('string', pick(seeds.serverNames), 2),
      names: when('array', fc.array(pick(seeds.serverNames), { maxLength: 2 }), 2),
      id: when('string', pick(seeds.ids), 2),
      key: when('string', pick(seeds.keys), 2),
      document: (schema, generic) =>
        isType(schema, 'object') ? fc.oneof({ weight: 3, arbitrary: importDocument }, { weight: 1, arbitrary: importDocument.map((d) => JSON.stringify(d)) }, { weight: 1, arbitrary: generic }) : generic,
    },
  };
}
