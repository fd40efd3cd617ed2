// Full-text search objects that schema.prisma cannot express (an FTS5 virtual table with its
// triggers; a PostgreSQL expression GIN index). They are created idempotently after migrations
// rather than inside one, so the committed migrations stay an exact image of schema.prisma.
import type { Provider } from './adapter.js';
import type { Db } from './index.js';

const sqliteStatements = [
  `CREATE VIRTUAL TABLE IF NOT EXISTS server_search USING fts5(
     name, title, description, searchText,
     content='ServerVersion', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')`,
  `CREATE TRIGGER IF NOT EXISTS server_search_ai AFTER INSERT ON "ServerVersion" BEGIN
     INSERT INTO server_search(rowid, name, title, description, searchText)
     VALUES (new.rowid, new.name, new.title, new.description, new.searchText);
   END`,
  `CREATE TRIGGER IF NOT EXISTS server_search_ad AFTER DELETE ON "ServerVersion" BEGIN
     INSERT INTO server_search(server_search, rowid, name, title, description, searchText)
     VALUES ('delete', old.rowid, old.name, old.title, old.description, old.searchText);
   END`,
  `CREATE TRIGGER IF NOT EXISTS server_search_au AFTER UPDATE OF name, title, description, searchText ON "ServerVersion" BEGIN
     INSERT INTO server_search(server_search, rowid, name, title, description, searchText)
     VALUES ('delete', old.rowid, old.name, old.title, old.description, old.searchText);
     INSERT INTO server_search(rowid, name, title, description, searchText)
     VALUES (new.rowid, new.name, new.title, new.description, new.searchText);
   END`,
];

/** The document PostgreSQL indexes; queries must use the same expression to hit the index. */
export const pgSearchDocument = `to_tsvector('simple', coalesce("name", '') || ' ' || coalesce("title", '') || ' ' || coalesce("description", '') || ' ' || "searchText")`;

export async function ensureSearchIndex(db: Db, provider: Provider): Promise<void> {
  if (provider === 'postgresql') {
    await db.$executeRawUnsafe(`CREATE INDEX IF NOT EXISTS "ServerVersion_search_idx" ON "ServerVersion" USING gin (${pgSearchDocument})`);
    return;
  }
  const existed = await db.$queryRawUnsafe<unknown[]>(`SELECT 1 FROM sqlite_master WHERE name = 'server_search'`);
  for (const sql of sqliteStatements) await db.$executeRawUnsafe(sql);
  if (existed.length === 0) await db.$executeRawUnsafe(`INSERT INTO server_search(server_search) VALUES ('rebuild')`);
}
