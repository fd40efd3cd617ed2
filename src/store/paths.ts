import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// src/store (or dist/store) → package root; prisma/ ships with the package.
export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const prismaDir = join(packageRoot, 'prisma');
