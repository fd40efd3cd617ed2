import type { Logger } from 'pino';
import type { Db } from '../store/index.js';
import type { SecretBox } from './secrets.js';

/** What domain functions are given: the database, a clock, a logger, the secret box. */
export interface Deps {
  db: Db;
  provider: 'sqlite' | 'postgresql';
  clock: () => Date;
  log: Logger;
  secrets: SecretBox;
  settings: { staleAfterMs: number };
}
