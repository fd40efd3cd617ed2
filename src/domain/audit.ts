import type { Tx } from '../store/index.js';

/** Records who changed what, in the same transaction as the change. */
export async function audit(
  tx: Tx,
  event: { principal: string; action: string; entityType: string; entityId: string; detail?: Record<string, unknown> },
): Promise<void> {
  await tx.auditEvent.create({ data: { ...event, detail: (event.detail ?? {}) as object } });
}
