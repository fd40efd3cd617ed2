import { getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';

/**
 * The environment a stdio server starts from; its registered env is laid over it. Only an
 * allow-list is inherited (the SDK's, after sudo's: HOME, LOGNAME, PATH, SHELL, TERM, USER; their
 * Windows equivalents there; values that look like exported shell functions are dropped), so
 * Switchboard's own secrets — DATABASE_URL, its encryption key, tokens — never reach a third-party
 * server. The SDK reads process.env here, not our code; config may pass its own base instead.
 */
export function defaultBaseEnvironment(): Record<string, string> {
  return getDefaultEnvironment();
}
