// Client configs, both ways: `mcpServers` of Claude Desktop, Claude Code and Cursor (entries with
// command/args/env, or url/headers with an optional type stdio | http | sse) and VS Code's
// `servers`, which has the same entries. They carry no versions and no descriptions.
import { defined, isObject, maskedValues, type Candidate, type Json } from './formats.js';
import { serverName, type ServerView } from './schema.js';

const at = (path: string, key: string) => (/^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`);

/**
 * Client config keys are free text. A key that is already a valid server name is kept; otherwise
 * each run of characters other than letters, digits, . _ - becomes "-", leading and trailing
 * punctuation is trimmed and the result cut to 100 characters ("GitHub Tools!" → "GitHub-Tools").
 */
export function clientServerName(key: string): string {
  if (serverName.safeParse(key).success) return key;
  const trim = (s: string) => s.replace(/^[^a-zA-Z0-9]+|[^a-zA-Z0-9]+$/g, '');
  return trim(trim(key.replace(/[^a-zA-Z0-9._-]+/g, '-')).slice(0, 100));
}

/** Each entry of the map under `key`, as a candidate of `version`; a renamed key becomes the title. */
export function fromClientConfig(map: Json, key: string, version: string): Candidate[] {
  return Object.entries(map).map(([label, value]) => {
    const path = at(key, label);
    const name = clientServerName(label);
    const problems = name ? [] : [`${path}: the key has no letters or digits to make a server name from; rename it.`];
    const v = isObject(value) ? value : {};
    const url = v.url ?? v.serverUrl;
    const isHttp = v.type === 'http' || v.type === 'streamable-http' || v.type === 'sse' || (v.type === undefined && v.command === undefined && url !== undefined);
    let transport: Json | undefined;
    if (!isObject(value)) problems.push(`${path} must be an object with a command (stdio) or a url (http).`);
    else if (isHttp) transport = defined({ type: v.type === 'sse' ? 'sse' : 'streamable-http', url, headers: v.headers });
    else if (v.type === 'stdio' || v.command !== undefined) transport = defined({ type: 'stdio', command: v.command, args: v.args, env: v.env, cwd: v.cwd });
    else if (v.type === undefined) problems.push(`${path} has neither a command (stdio) nor a url (http): add one.`);
    else problems.push(`${path}.type ${JSON.stringify(v.type)} is not supported: use stdio, http or sse.`);
    const entry = defined({ name: name || undefined, version, title: name !== label ? label.slice(0, 200) : undefined, transport });
    return { path, entry, problems, fields: { name: path, transport: path, title: path }, reported: [...(name ? [] : ['name']), ...(transport ? [] : ['transport'])] };
  });
}

/** A stdio command or a remote as a client config entry, secret values replaced by the placeholder. */
export function toClientEntry(s: ServerView): Json {
  const t = s.transport;
  if (t.type === 'stdio') return defined({ command: t.command, args: t.args ?? [], env: maskedValues(t.env), cwd: t.cwd });
  return defined({ type: t.type === 'sse' ? 'sse' : 'http', url: t.url, headers: maskedValues(t.headers) });
}
