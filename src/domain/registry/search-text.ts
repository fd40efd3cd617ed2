/**
 * What full-text search indexes beside name, title and description: the name's words (PostgreSQL's
 * parser keeps `io.github.acme/weather` as one token, so "weather" would not find it), tags and
 * discovered tools.
 */
export function searchTextFor(tags: string[], tools: { name: string; title?: string | null; description?: string | null }[], name = ''): string {
  const toolText = tools.map((t) => [t.name, t.name.replace(/[_-]/g, ' '), t.title ?? '', t.description ?? ''].join(' '));
  return [name.replace(/[./_-]+/g, ' '), ...tags, ...toolText].join(' ').trim().slice(0, 100_000);
}
