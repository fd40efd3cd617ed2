// stdio: stdout carries only JSON-RPC; logs go to stderr. The OS user who launched the process is
// trusted, so the principal comes from config.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { App } from '../app.js';
import { createMcpServer } from './server.js';

/** Serves one MCP session on stdin/stdout; resolves when the client goes away. */
export async function serveStdio(app: App): Promise<void> {
  const principal = { id: app.config.principal, roles: app.config.principalRoles, attributes: {} };
  const server = createMcpServer(app, { principal, transport: 'stdio' });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = resolve;
    process.stdin.once('end', resolve);
  });
  await server.connect(transport);
  app.log.info({ principal: principal.id }, 'serving MCP on stdio');
  await closed;
  await server.close();
}
