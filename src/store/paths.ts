import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root: the nearest directory above this module with a package.json (from src/store
 * in development, from the bundle in dist/ when built). prisma/ and package.json ship there.
 */
export const packageRoot = (() => {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`No package.json above ${fileURLToPath(import.meta.url)}: Switchboard's files are incomplete; reinstall it.`);
  }
})();
export const prismaDir = join(packageRoot, 'prisma');
