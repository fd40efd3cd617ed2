// One MCP server per session (stdio process, HTTP session or stateless request).
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { App } from '../app.js';
import { registerResourceHandlers } from '../resources/index.js';
import { registerToolHandlers } from '../tools/handlers.js';
import { createTaskStore } from '../tools/tasks.js';
import { version } from '../version.js';
import type { Session } from './session.js';

const instructions = `Switchboard is the control plane for MCP servers. Use registry_* tools to register, find and inspect servers; route_* to decide which server and tool handle an intent; policy_* for who may do what; invoke to call a registered server's tool (or, as an MCP task, to start it and collect the result later); job_* for long-running calls; trace_* to see what happened.`;

export function createMcpServer(app: App, session: Session): Server {
  const server = new Server(
    { name: 'switchboard', title: 'Switchboard', version },
    {
      capabilities: { tools: {}, resources: { subscribe: !session.stateless }, completions: {}, logging: {}, tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } },
      instructions,
      taskStore: createTaskStore(app, session),
    },
  );
  registerToolHandlers(server, app, session);
  registerResourceHandlers(server, app, session);
  return server;
}
