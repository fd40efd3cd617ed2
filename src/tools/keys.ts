import { z } from 'zod';
import { createKey, createKeyInput, keyView, listKeys, listKeysInput, revokeKey } from '../domain/keys/keys.js';
import { additive, defineTool, destructive, readOnly } from './tool.js';

export const keyTools = [
  defineTool({
    name: 'key_create',
    title: 'Create an API key',
    description:
      'Creates an API key for HTTP clients, authenticating as the given principal with roles and attributes for policies. The key is returned exactly once, in this result: store it now; Switchboard keeps only its hash. Optional expiry in days.',
    input: createKeyInput,
    output: z.object({ key: z.string().describe('The secret key: send as Authorization: Bearer <key>.'), info: keyView }),
    annotations: additive,
    target: (a) => a.principalId,
    async run(args, ctx) {
      const { key, info } = await createKey(ctx.app.deps, ctx.principal, args);
      return { data: { key, info }, text: `Created key ${info.prefix}… for ${info.principalId} [${info.roles.join(', ')}]. It is shown only now: ${key}` };
    },
  }),
  defineTool({
    name: 'key_list',
    title: 'List API keys',
    description: 'Lists API keys (never the secret part): name, prefix, principal, roles, expiry, revocation, last use and use count. Revoked keys only with includeRevoked. Paginated with cursor/nextCursor.',
    input: listKeysInput,
    output: z.object({ keys: z.array(keyView), nextCursor: z.string().optional() }),
    annotations: readOnly,
    async run(args, ctx) {
      const { items, nextCursor } = await listKeys(ctx.app.deps, args);
      const text = items.map((k) => `${k.prefix}… ${k.name} → ${k.principalId} [${k.roles.join(', ')}]${k.revokedAt ? ' revoked' : ''}`).join('\n') || 'No keys.';
      return { data: { keys: items, ...(nextCursor ? { nextCursor } : {}) }, text };
    },
  }),
  defineTool({
    name: 'key_revoke',
    title: 'Revoke an API key',
    description: 'Revokes an API key by id or prefix; requests with it get 401 from then on. Revocation cannot be undone: create a new key instead.',
    input: z.object({ key: z.string().min(1).max(100).describe('The key id or its prefix (sb_…).') }),
    output: z.object({ info: keyView }),
    annotations: destructive,
    target: (a) => a.key,
    async run(args, ctx) {
      const info = await revokeKey(ctx.app.deps, ctx.principal, args.key);
      return { data: { info }, text: `Revoked ${info.prefix}… (${info.name}).` };
    },
  }),
];
