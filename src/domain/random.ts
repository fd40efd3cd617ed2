import { randomFillSync } from 'node:crypto';

// Every call takes new trace, span and row ids: their random bytes come from a pool refilled
// 4 KiB at a time, one call into the CSPRNG per ~100 calls rather than several per call. For ids,
// not secrets: API keys, encryption IVs and the secret key take theirs from randomBytes directly.
const pool = Buffer.alloc(4096);
let used = pool.length;

/** `size` bytes from the CSPRNG (at most 256), in a buffer of their own. */
export function randomBytesPooled(size: number): Buffer {
  if (used + size > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  used += size;
  return Buffer.from(pool.subarray(used - size, used));
}
