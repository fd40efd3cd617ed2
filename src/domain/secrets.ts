// Secrets at rest: AES-256-GCM with a random 96-bit IV per value; the envelope is
// `v1.<iv>.<tag>.<ciphertext>` in base64url, so a key rotation can add v2 later.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface SecretBox {
  seal(value: unknown): string;
  open(envelope: string): unknown;
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('The secret key must be 32 bytes (base64 of 32 random bytes).');
  return {
    seal(value) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
      return ['v1', iv, cipher.getAuthTag(), data].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
    },
    open(envelope) {
      const [version, iv, tag, data] = envelope.split('.');
      if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('Unrecognised secret envelope.');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const plain = Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]);
      return JSON.parse(plain.toString('utf8'));
    },
  };
}

export const MASK = '********';
