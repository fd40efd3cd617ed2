import type { App } from '../app.js';
import type { Principal } from '../domain/principal.js';

export interface ResourceContext {
  app: App;
  principal: Principal;
}

export interface ResourceDef {
  name: string;
  title: string;
  description: string;
  /** A fixed URI, listed by resources/list … */
  uri?: string;
  /** … or an RFC 6570 template, listed by resources/templates/list. */
  uriTemplate?: string;
  /** The URI's parameters when it belongs to this resource, else undefined. */
  match(uri: string): Record<string, string> | undefined;
  read(params: Record<string, string>, ctx: ResourceContext): Promise<unknown>;
  complete?(argument: string, prefix: string, ctx: ResourceContext): Promise<string[]>;
  /**
   * Makes the resource subscribable: checks the caller may read it (throwing as read() would),
   * then calls `onChange` whenever its contents change. Returns the function that stops watching.
   */
  subscribe?(params: Record<string, string>, ctx: ResourceContext, onChange: () => void): Promise<() => void>;
}

/** Matches `switchboard://servers/{name}`-style templates; a name may hold a single `/`. */
export function templateMatcher(template: string): (uri: string) => Record<string, string> | undefined {
  const names: string[] = [];
  const pattern = template
    .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
    .replace(/\{(\w+)\}/g, (_, name: string) => {
      names.push(name);
      return '([^/]+(?:%2F[^/]+)?)';
    });
  const regex = new RegExp(`^${pattern}$`);
  return (uri) => {
    if (uri.length > 1000) return undefined;
    const m = regex.exec(uri);
    if (!m) return undefined;
    return Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
  };
}

/** A resource at one fixed URI. */
export function fixedResource(def: Omit<ResourceDef, 'uri' | 'uriTemplate' | 'match'> & { uri: string }): ResourceDef {
  return { ...def, match: (uri) => (uri === def.uri ? {} : undefined) };
}
