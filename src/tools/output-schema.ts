// The outputSchema a tool publishes: zod's JSON Schema of its result, made lighter for the clients
// that compile it (the SDK client compiles every outputSchema with ajv as tools/list arrives):
// - objects are left open (no `additionalProperties: false`), so a client that validates
//   structuredContent keeps working when a later Switchboard adds a field;
// - a nullable value is `type: [T, "null"]` rather than `anyOf: [{type: T, …}, {type: "null"}]`,
//   where that means the same (the other branch holds only keywords that apply to T alone).
// Together they cut that compile by about a third; what a valid result is does not change.
type Schema = { [key: string]: unknown };

// Keywords that constrain only values of their own type (or annotate): a null passes them.
const OWN_TYPE_ONLY = new Set(['type', 'description', 'title', 'default', 'examples', 'format', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'items', 'prefixItems', 'minItems', 'maxItems', 'uniqueItems', 'properties', 'required', 'additionalProperties', 'propertyNames', 'minProperties', 'maxProperties']);
const isSchema = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value);
const isNull = (value: unknown) => isSchema(value) && value.type === 'null' && Object.keys(value).length === 1;

export function lightOutputSchema<T>(schema: T): T {
  return lighten(schema) as T;
}

function lighten(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lighten);
  if (!isSchema(value)) return value;
  const out: Schema = {};
  for (const [key, v] of Object.entries(value)) if (!(key === 'additionalProperties' && v === false)) out[key] = lighten(v);
  const { anyOf, ...rest } = out;
  if (!Array.isArray(anyOf) || anyOf.length !== 2) return out;
  const nullAt = anyOf.findIndex(isNull);
  const other: unknown = anyOf[1 - nullAt];
  if (nullAt < 0 || !isSchema(other) || typeof other.type !== 'string') return out;
  const keys = Object.keys(other);
  if (!keys.every((k) => OWN_TYPE_ONLY.has(k)) || keys.some((k) => k !== 'description' && k !== 'title' && k in rest)) return out;
  return { ...other, ...rest, type: [other.type, 'null'] };
}
