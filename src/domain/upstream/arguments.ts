// Arguments are checked against the upstream tool's input schema before the call, so a model gets
// a precise message at once instead of whatever the upstream makes of bad input. Patterns in the
// schema run on the linear-time engine of the policy module: an upstream's schema must not be able
// to make Switchboard backtrack for minutes on a caller's string.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { Invalid } from '../errors.js';
import { compileLinearRegex } from '../policy/regex.js';

// `code` names the engine for ajv's standalone code generation, which is not used here.
const linearRegExp = Object.assign((pattern: string) => compileLinearRegex(pattern), { code: 'compileLinearRegex' });

const options = {
  strict: false,
  allErrors: true,
  logger: false,
  validateFormats: false,
  code: { regExp: linearRegExp },
} as const;

const engines = { draft7: new Ajv(options), draft2019: new Ajv2019(options), draft2020: new Ajv2020(options) };

function engineFor(schema: Record<string, unknown>) {
  const dialect = typeof schema.$schema === 'string' ? schema.$schema : '';
  if (dialect.includes('2020-12')) return engines.draft2020;
  if (dialect.includes('2019-09')) return engines.draft2019;
  return engines.draft7;
}

// Compiled validators by schema text. Callables are rebuilt whenever the registry changes, and
// ajv keeps every schema object it compiles: recompiling fresh copies of the same schemas grew the
// heap for ever (a soak with registry updates showed it). So each text is compiled once, ajv
// forgets it at once, and only the most recently used COMPILED_MAX are kept here.
const COMPILED_MAX = 1000;
const compiled = new Map<string, ValidateFunction>();

function compile(schema: Record<string, unknown>): ValidateFunction {
  // $id would make a second compile of the same schema collide.
  const { $id: _id, ...rest } = schema;
  const text = JSON.stringify(rest);
  let validate = compiled.get(text);
  if (validate) {
    compiled.delete(text);
  } else {
    const engine = engineFor(schema);
    try {
      validate = engine.compile(rest);
    } finally {
      engine.removeSchema(rest); // also when it failed: ajv had cached it before compiling
    }
    if (compiled.size >= COMPILED_MAX) compiled.delete(compiled.keys().next().value!);
  }
  compiled.set(text, validate);
  return validate;
}

export type ArgumentCheck = (args: Record<string, unknown>) => void;

/**
 * A checker for one tool's input schema. A schema that cannot be compiled (unknown dialect
 * feature, a pattern the linear engine does not support) is left to the upstream to enforce.
 */
export function argumentChecker(label: string, schema: Record<string, unknown>, onSkip: (reason: string) => void): ArgumentCheck {
  let validate: ValidateFunction;
  try {
    validate = compile(schema);
  } catch (error) {
    onSkip(error instanceof Error ? error.message : String(error));
    return () => {};
  }
  return (args) => {
    if (validate(args)) return;
    throw new Invalid(`Invalid arguments for ${label}:\n${(validate.errors ?? []).slice(0, 10).map(describe).join('\n')}\nFix them and call again; registry_get or the server's tools/list show its input schema.`);
  };
}

function describe(error: ErrorObject): string {
  const where = error.instancePath || '(arguments)';
  const extra = error.keyword === 'additionalProperties' ? ` (${String((error.params as { additionalProperty?: string }).additionalProperty)})` : '';
  return `- ${where}: ${error.message ?? error.keyword}${extra}`;
}
