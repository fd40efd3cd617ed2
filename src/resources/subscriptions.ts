// resources/subscribe and resources/unsubscribe: each session keeps the URIs it subscribed to and
// what stops watching each; closing the session stops them all. A change becomes
// notifications/resources/updated, and the client reads the resource again for the new state.
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { ErrorCode, McpError, SubscribeRequestSchema, UnsubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { App } from '../app.js';
import { DomainError } from '../domain/errors.js';
import type { Session } from '../transports/session.js';
import type { ResourceDef } from './resource.js';

/** A session may watch this many URIs at once; each costs the poller a row. */
const MAX_SUBSCRIPTIONS = 100;

export function registerSubscriptionHandlers(server: Server, app: App, session: Session, resources: ResourceDef[]): void {
  const subscribed = new Map<string, () => void>();
  let closed = false;
  const unsubscribeAll = () => {
    closed = true;
    for (const stop of subscribed.values()) stop();
    subscribed.clear();
  };
  const previous = server.onclose;
  server.onclose = () => {
    previous?.();
    unsubscribeAll();
  };

  server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    const { uri } = request.params;
    if (subscribed.has(uri)) return {};
    const match = resources.map((resource) => ({ resource, params: resource.match(uri) })).find((m) => m.params);
    if (!match) throw new McpError(-32002, `Resource not found: ${uri}. resources/templates/list shows what exists.`, { uri });
    const { resource, params } = match;
    if (!resource.subscribe) {
      const subscribable = resources.filter((r) => r.subscribe).map((r) => r.uri ?? r.uriTemplate);
      throw new McpError(ErrorCode.InvalidParams, `${uri} does not send change notifications; read it again instead. Subscribable: ${subscribable.join(', ')}.`, { uri });
    }
    if (subscribed.size >= MAX_SUBSCRIPTIONS) {
      throw new McpError(ErrorCode.InvalidParams, `This session already has ${MAX_SUBSCRIPTIONS} subscriptions; unsubscribe from finished jobs first.`, { uri });
    }
    const notify = () =>
      // A notification racing the session's close rejects; unhandled, that would end the process.
      void server.sendResourceUpdated({ uri }).catch((error: unknown) => app.log.debug({ err: error, uri }, 'resource update notification not sent'));
    let stop: () => void;
    try {
      stop = await resource.subscribe(params!, { app, principal: session.principal }, notify);
    } catch (error) {
      if (error instanceof DomainError) throw new McpError(error.code === 'NotFound' ? -32002 : ErrorCode.InvalidParams, error.message, { uri });
      throw error;
    }
    // The session closed (or the same URI was subscribed twice at once) while the check ran.
    if (closed || subscribed.has(uri)) stop();
    else subscribed.set(uri, stop);
    return {};
  });

  server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    subscribed.get(request.params.uri)?.();
    subscribed.delete(request.params.uri);
    return {};
  });
}
