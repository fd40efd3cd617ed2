import { z } from 'zod';
import { Invalid } from './errors.js';

export const pageInput = {
  cursor: z.string().max(200).optional().describe('Opaque cursor from a previous call’s nextCursor.'),
  limit: z.number().int().min(1).max(200).default(50).describe('Page size, 1–200 (default 50).'),
};

export function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[0-9a-f-]{36}$/.test(id)) throw new Invalid('The cursor is not one this server issued; start again without a cursor.');
  return id;
}

/** Given limit+1 rows, returns the page and the cursor for the next one. */
export function page<T extends { id: string }>(rows: T[], limit: number): { items: T[]; nextCursor?: string } {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  return { items, nextCursor: encodeCursor(items[items.length - 1]!.id) };
}
