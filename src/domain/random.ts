import { randomFillSync } from 'node:crypto';

// Every call takes new trace, span and row ids: their random bytes come from a pool refilled
// 4 KiB at a time, one call into the CSPRNG per ~100 calls rather than several per call. For ids,
// not secrets: API keys, encryption IVs and the secret key take theirs from randomBytes directly.
const pool = Buffer.alloc(4096);
let used = pool.length;

/** Where the next `size` (at most 256) unused bytes of the pool start. */
function take(size: number): number {
  if (used + size > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  used += size;
  return used - size;
}

/** `size` bytes from the CSPRNG, in a buffer of their own. */
export function randomBytesPooled(size: number): Buffer {
  const start = take(size);
  return Buffer.from(pool.subarray(start, start + size));
}

/** `size` bytes from the CSPRNG as hex, read straight from the pool. */
export function randomHex(size: number): string {
  const start = take(size);
  return pool.toString('hex', start, start + size);
}
