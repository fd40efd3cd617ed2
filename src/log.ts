import pino, { type Logger } from 'pino';
import type { Redactor } from './domain/redaction/index.js';

/** An Error as plain fields, so redaction keeps its stack. */
function plain(fields: Record<string, unknown>): Record<string, unknown> {
  const err = fields.err;
  return err instanceof Error ? { ...fields, err: { type: err.name, message: err.message, stack: err.stack } } : fields;
}

/** pino JSON on stderr (stdout belongs to the MCP protocol on stdio), redacted like traces. */
export function createLogger(level: string, redactor?: Redactor, destination: pino.DestinationStream = pino.destination({ fd: 2, sync: false })): Logger {
  if (!redactor) return pino({ level, base: { service: 'switchboard' } }, destination);
  return pino(
    {
      level,
      base: { service: 'switchboard' },
      formatters: {
        log: (fields) => {
          const out = redactor.redact(plain(fields)).value;
          return typeof out === 'object' && out !== null ? (out as Record<string, unknown>) : { truncated: out };
        },
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? redactor.redactString(a).value : a)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
