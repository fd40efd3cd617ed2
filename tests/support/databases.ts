// Databases for tests: a fresh SQLite file in a temp dir, and — when TEST_DATABASE_URL names a
// PostgreSQL server — a fresh database of its own, dropped afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const pgServerUrl = process.env.TEST_DATABASE_URL;

/** Creates a uniquely named database on the server at `serverUrl`, runs `use`, drops it. */
export async function withScratchDatabase<T>(serverUrl: string, use: (url: string) => Promise<T>): Promise<T> {
  const { url, drop } = await createScratchDatabase(serverUrl);
  try {
    return await use(url);
  } finally {
    await drop();
  }
}

export async function createScratchDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `switchboard_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
