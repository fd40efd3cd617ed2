import { z } from 'zod';

/** Who is calling: a user or service id, its roles, and free-form attributes for ABAC. */
export const principalSchema = z.object({
  id: z.string().min(1).max(200),
  roles: z.array(z.string().min(1).max(100)).max(50).default([]),
  attributes: z.record(z.string(), z.unknown()).default({}),
});

export type Principal = z.infer<typeof principalSchema>;
