/** What full-text search indexes beside name, title and description: tags and discovered tools. */
export function searchTextFor(tags: string[], tools: { name: string; title?: string | null; description?: string | null }[]): string {
  const toolText = tools.map((t) => [t.name, t.name.replace(/[_-]/g, ' '), t.title ?? '', t.description ?? ''].join(' '));
  return [...tags, ...toolText].join(' ').slice(0, 100_000);
}
