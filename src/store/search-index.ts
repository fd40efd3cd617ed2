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

// A one-word search ranks the servers matching it in their name or title first (see
// postgresRanked in search.ts): an index over just those weights finds them without reading the
// other matches. ServerSearchLexeme holds every word ever indexed, so a search can count the
// distinct words its prefix can match in any one server; it only grows (a word left by a deleted
// server just makes that count cautious). Inserts add their words per statement, updates only
// when the document changed. The table, its triggers and its first filling are created in one
// statement under a lock, so no server's words can be missed.
const pgLexemeTable = `DO $do$ BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('ServerSearchLexeme'));
  CREATE OR REPLACE FUNCTION "ServerSearchLexeme_inserted"() RETURNS trigger LANGUAGE plpgsql AS $f$
    BEGIN
      INSERT INTO "ServerSearchLexeme" ("lexeme")
      SELECT DISTINCT unnest(tsvector_to_array("searchVector")) FROM inserted ORDER BY 1
      ON CONFLICT DO NOTHING;
      RETURN NULL;
    END $f$;
  CREATE OR REPLACE FUNCTION "ServerSearchLexeme_updated"() RETURNS trigger LANGUAGE plpgsql AS $f$
    BEGIN
      INSERT INTO "ServerSearchLexeme" ("lexeme")
      SELECT unnest(tsvector_to_array(NEW."searchVector")) ORDER BY 1
      ON CONFLICT DO NOTHING;
      RETURN NULL;
    END $f$;
  IF to_regclass('"ServerSearchLexeme"') IS NULL THEN
    CREATE TABLE "ServerSearchLexeme" ("lexeme" text COLLATE "C" PRIMARY KEY);
    CREATE TRIGGER "ServerSearchLexeme_ai" AFTER INSERT ON "ServerVersion" REFERENCING NEW TABLE AS inserted
      FOR EACH STATEMENT EXECUTE FUNCTION "ServerSearchLexeme_inserted"();
    CREATE TRIGGER "ServerSearchLexeme_au" AFTER UPDATE ON "ServerVersion"
      FOR EACH ROW WHEN (OLD."searchVector" IS DISTINCT FROM NEW."searchVector") EXECUTE FUNCTION "ServerSearchLexeme_updated"();
    INSERT INTO "ServerSearchLexeme" ("lexeme")
    SELECT DISTINCT unnest(tsvector_to_array("searchVector")) FROM "ServerVersion" ON CONFLICT DO NOTHING;
  END IF;
END $do$`;

// GIN's fast update parks new entries in a pending list that every search then reads through
// until a vacuum merges it: with registrations rare and searches frequent, entries go straight
// into the index. Indexes from earlier versions are switched over and their pending lists merged.
const ginIndexes = [
  ['ServerVersion_searchVector_idx', `"searchVector"`],
  ['ServerVersion_searchVector_nameTitle_idx', `ts_filter("searchVector", '{a,b}')`],
];

const pgStatements = [
  `ALTER TABLE "ServerVersion" ADD COLUMN IF NOT EXISTS "searchVector" tsvector GENERATED ALWAYS AS (${pgSearchVector}) STORED`,
  ...ginIndexes.flatMap(([name, on]) => [
    `CREATE INDEX IF NOT EXISTS "${name}" ON "ServerVersion" USING gin (${on}) WITH (fastupdate = off)`,
    `ALTER INDEX "${name}" SET (fastupdate = off)`,
    `SELECT gin_clean_pending_list('"${name}"')`,
  ]),
  pgLexemeTable,
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
