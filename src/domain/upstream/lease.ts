// A named lease in the database, so that of several Switchboard processes on one database exactly
// one does a piece of shared work (a health check) per lease period.
import type { Deps } from '../deps.js';

/**
 * Takes the lease `name` for `owner` until now + ttlMs, unless another holder's lease is still
 * running. One conditional upsert, atomic on SQLite and PostgreSQL alike: a row that exists and
 * has not expired is left alone, and the affected-row count says whether this caller got it.
 * The holder itself is not let back in early either: a lease covers one piece of work.
 */
export async function acquireLease(deps: Pick<Deps, 'db' | 'clock'>, name: string, owner: string, ttlMs: number): Promise<boolean> {
  const now = deps.clock();
  const expiresAt = new Date(now.getTime() + ttlMs);
  const affected = await deps.db.$executeRaw`INSERT INTO "Lease" ("name", "owner", "expiresAt") VALUES (${name}, ${owner}, ${expiresAt})
    ON CONFLICT ("name") DO UPDATE SET "owner" = excluded."owner", "expiresAt" = excluded."expiresAt"
    WHERE "Lease"."expiresAt" < ${now}`;
  return affected > 0;
}
