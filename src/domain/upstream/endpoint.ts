// A stored server version as the connection manager needs it: transport with secrets decrypted.
// Only this module opens the secret envelope, and what it returns never leaves the process.
import type { ServerVersion } from '../../store/index.js';
import type { Deps } from '../deps.js';
import type { UpstreamEndpoint } from './port.js';

type Row = Pick<ServerVersion, 'id' | 'name' | 'version' | 'transportType' | 'transport' | 'secrets'>;

export const endpointFields = { id: true, name: true, version: true, transportType: true, transport: true, secrets: true } as const;

export function toEndpoint(deps: Pick<Deps, 'secrets'>, row: Row): UpstreamEndpoint {
  const transport = row.transport as { command?: string; args?: string[]; cwd?: string; url?: string };
  const secrets = (row.secrets ? deps.secrets.open(row.secrets) : {}) as { env?: Record<string, string>; headers?: Record<string, string> };
  const base = { id: row.id, name: row.name, version: row.version };
  if (row.transportType === 'stdio') {
    return { ...base, transport: { type: 'stdio', command: transport.command!, args: transport.args ?? [], ...(transport.cwd ? { cwd: transport.cwd } : {}), env: secrets.env ?? {} } };
  }
  return { ...base, transport: { type: row.transportType as 'streamable-http' | 'sse', url: transport.url!, headers: secrets.headers ?? {} } };
}
