// `switchboard doctor`: is the configuration valid, the database reachable, the schema current?
import type { Config } from './config.js';
import { createStore } from './store/index.js';
import { pendingMigrations } from './store/schema-engine.js';

export async function runDoctor(loadConfig: () => Config, print: (line: string) => void): Promise<boolean> {
  let config: Config;
  try {
    config = loadConfig();
    print('ok    configuration is valid');
  } catch (error) {
    print(`FAIL  ${(error as Error).message}`);
    return false;
  }
  const store = await createStore({ databaseUrl: config.databaseUrl, migrate: false });
  try {
    const health = await store.health();
    if (!health.ok) {
      print(`FAIL  database (${store.provider}) unreachable: ${health.error}`);
      return false;
    }
    print(`ok    database (${store.provider}) reachable in ${health.latencyMs} ms`);
    const pending = await pendingMigrations(store.provider, config.databaseUrl);
    if (pending.length > 0) {
      print(`FAIL  ${pending.length} migration(s) not applied: ${pending.join(', ')}. Run \`switchboard migrate\`.`);
      return false;
    }
    print('ok    migrations are current');
    return true;
  } finally {
    await store.close();
  }
}
