// Read views of the domain as MCP resources. Each resource is data: a URI (or template), a name,
// a description and a reader; handlers below serve resources/list, templates, read and completion.
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CompleteRequestSchema,
  ErrorCode,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  McpError,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { App } from '../app.js';
import { DomainError } from '../domain/errors.js';
import type { Session } from '../transports/session.js';
import { jobResources } from './jobs.js';
import { policyResources } from './policies.js';
import { routeResources } from './routes.js';
import { serverResources } from './servers.js';
import { registerSubscriptionHandlers } from './subscriptions.js';
import { traceResources } from './traces.js';
import type { ResourceDef } from './resource.js';

export const allResources: ResourceDef[] = [...serverResources, ...routeResources, ...policyResources, ...traceResources, ...jobResources];

export function registerResourceHandlers(server: Server, app: App, session: Session, resources: ResourceDef[] = allResources): void {
  const fixed = resources.filter((r) => !r.uriTemplate);
  const templates = resources.filter((r) => r.uriTemplate);

  server.setRequestHandler(ListResourcesRequestSchema, async () => ({
    resources: fixed.map((r) => ({ uri: r.uri!, name: r.name, title: r.title, description: r.description, mimeType: 'application/json' })),
  }));

  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
    resourceTemplates: templates.map((r) => ({ uriTemplate: r.uriTemplate!, name: r.name, title: r.title, description: r.description, mimeType: 'application/json' })),
  }));

  server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
    const { uri } = request.params;
    for (const resource of resources) {
      const params = resource.match(uri);
      if (!params) continue;
      try {
        const data = await resource.read(params, { app, principal: session.principal });
        return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(data, null, 2) }] };
      } catch (error) {
        if (error instanceof DomainError) throw new McpError(error.code === 'NotFound' ? -32002 : ErrorCode.InvalidParams, error.message, { uri });
        throw error;
      }
    }
    throw new McpError(-32002, `Resource not found: ${uri}. resources/list and resources/templates/list show what exists.`, { uri });
  });

  server.setRequestHandler(CompleteRequestSchema, async (request) => {
    const { ref, argument } = request.params;
    const resource = ref.type === 'ref/resource' ? templates.find((r) => r.uriTemplate === ref.uri) : undefined;
    const values = resource?.complete ? await resource.complete(argument.name, argument.value, { app, principal: session.principal }) : [];
    return { completion: { values: values.slice(0, 100), total: values.length, hasMore: values.length > 100 } };
  });

  if (!session.stateless) registerSubscriptionHandlers(server, app, session, resources);
}
