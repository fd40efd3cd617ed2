// Full-text search objects that schema.prisma cannot express (an FTS5 virtual table with its
// triggers; a PostgreSQL generated tsvector column with its GIN index). They are created
// idempotently after migrations rather than inside one, so the committed migrations stay an exact
// image of schema.prisma.
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

// PostgreSQL keeps the weighted document in a stored generated column, so ranking reads it rather
// than re-parsing four fields for every matching row. Weights mirror SQLite's bm25 column weights
// (name A, title B, description C, searchText D). The column is not in the Prisma model: Prisma
// never selects or writes it, and PostgreSQL computes it on every insert and update.
const pgSearchVector = `setweight(to_tsvector('simple', coalesce("name", '')), 'A') || setweight(to_tsvector('simple', coalesce("title", '')), 'B') || setweight(to_tsvector('simple', coalesce("description", '')), 'C') || setweight(to_tsvector('simple', "searchText"), 'D')`;

const pgStatements = [
  `ALTER TABLE "ServerVersion" ADD COLUMN IF NOT EXISTS "searchVector" tsvector GENERATED ALWAYS AS (${pgSearchVector}) STORED`,
  `CREATE INDEX IF NOT EXISTS "ServerVersion_searchVector_idx" ON "ServerVersion" USING gin ("searchVector")`,
  // The expression index earlier versions created; queries no longer use it.
  `DROP INDEX IF EXISTS "ServerVersion_search_idx"`,
];

export async function ensureSearchIndex(db: Db, provider: Provider): Promise<void> {
  if (provider === 'postgresql') {
    for (const sql of pgStatements) await db.$executeRawUnsafe(sql);
    return;
  }
  const existed = await db.$queryRawUnsafe<unknown[]>(`SELECT 1 FROM sqlite_master WHERE name = 'server_search'`);
  for (const sql of sqliteStatements) await db.$executeRawUnsafe(sql);
  if (existed.length === 0) await db.$executeRawUnsafe(`INSERT INTO server_search(server_search) VALUES ('rebuild')`);
}
