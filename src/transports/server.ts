// One MCP server per session (stdio process, HTTP session or stateless request).
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { App } from '../app.js';
import { registerResourceHandlers } from '../resources/index.js';
import { registerToolHandlers } from '../tools/handlers.js';
import { version } from '../version.js';
import type { Session } from './session.js';

const instructions = `Switchboard is the control plane for MCP servers. Use registry_* tools to register, find and inspect servers; route_* to decide which server and tool handle an intent; policy_* for who may do what; invoke to call a registered server's tool; job_* for long-running calls; trace_* to see what happened.`;

export function createMcpServer(app: App, session: Session): Server {
  const server = new Server(
    { name: 'switchboard', title: 'Switchboard', version },
    { capabilities: { tools: {}, resources: { subscribe: true }, completions: {}, logging: {} }, instructions },
  );
  registerToolHandlers(server, app, session);
  registerResourceHandlers(server, app, session);
  return server;
}
