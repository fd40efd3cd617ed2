import pino, { type Logger } from 'pino';

/** pino JSON on stderr: stdout belongs to the MCP protocol on stdio. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'switchboard' } }, pino.destination({ fd: 2, sync: false }));
}
