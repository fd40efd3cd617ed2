// The route table, compiled: a trie over intent segments, so matching an intent costs what the
// intent's length and the wildcards along it cost, not what the number of routes costs.
import type { Route } from '../../store/index.js';
import { compilePattern } from '../patterns.js';

interface Node {
  literal: Map<string, Node>;
  star?: Node;
  globstar?: Node;
  /** Segments mixing text and `*` (e.g. `invoice-*`), tested one by one. */
  partial: { test: (segment: string) => boolean; node: Node }[];
  routes: Route[];
}

const node = (): Node => ({ literal: new Map(), partial: [], routes: [] });

export interface RouteTable {
  /** Enabled routes whose pattern matches the intent (any environment). */
  match(intent: string): Route[];
  /** Every intent pattern, for "did you mean" suggestions. */
  patterns: string[];
  size: number;
}

export function compileRouteTable(routes: Route[]): RouteTable {
  const root = node();
  for (const route of routes) {
    if (!route.enabled) continue;
    let at = root;
    for (const segment of route.intentPattern.split('.')) {
      if (segment === '**') at = at.globstar ??= node();
      else if (segment === '*') at = at.star ??= node();
      else if (segment.includes('*')) {
        const next = node();
        const matches = compilePattern(segment);
        at.partial.push({ test: matches, node: next });
        at = next;
      } else {
        let next = at.literal.get(segment);
        if (!next) at.literal.set(segment, (next = node()));
        at = next;
      }
    }
    at.routes.push(route);
  }

  return {
    size: routes.length,
    patterns: [...new Set(routes.filter((r) => r.enabled).map((r) => r.intentPattern))],
    match(intent) {
      const segments = intent.split('.');
      const found = new Set<Route>();
      const visit = (at: Node, i: number): void => {
        if (i === segments.length) at.routes.forEach((r) => found.add(r));
        if (at.globstar) for (let j = i; j <= segments.length; j++) visit(at.globstar, j);
        if (i === segments.length) return;
        const segment = segments[i]!;
        const literal = at.literal.get(segment);
        if (literal) visit(literal, i + 1);
        if (at.star) visit(at.star, i + 1);
        for (const p of at.partial) if (p.test(segment)) visit(p.node, i + 1);
      };
      visit(root, 0);
      return [...found];
    },
  };
}
