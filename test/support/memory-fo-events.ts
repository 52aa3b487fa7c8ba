import type { FoEventChange } from '../../shared/domain/fo-events/event-message';
import type { FoEventLedger } from '../../shared/ports';

/**
 * The F&O event ledger in memory (unit tests): event rows by ID with their change, and which
 * customers have a D365 → shop state row (`states`, as tableFoApplyStates keeps it beside them).
 */
export function memoryFoEventLedger(): FoEventLedger & {
  rows: Map<string, { receivedAt: string; change?: FoEventChange }>;
  states: Set<string>;
} {
  const rows = new Map<string, { receivedAt: string; change?: FoEventChange }>();
  const states = new Set<string>();
  const keyOf = (legalEntity: string, account: string) => `${legalEntity.toUpperCase()}\n${account}`;
  return {
    rows,
    states,
    async claim(eventId, at, change) {
      if (rows.has(eventId)) return false;
      rows.set(eventId, { receivedAt: at, ...(change && { change: structuredClone(change) }) });
      return true;
    },
    async release(eventId) {
      rows.delete(eventId);
    },
    async get(eventId) {
      const change = rows.get(eventId)?.change;
      return change && structuredClone(change);
    },
    async forgetCustomer(legalEntity, customerAccount) {
      const key = keyOf(legalEntity, customerAccount);
      let deleted = 0;
      for (const [id, row] of rows) {
        if (row.change && keyOf(row.change.legalEntity, row.change.customerAccount) === key) {
          rows.delete(id);
          deleted += 1;
        }
      }
      if (states.delete(key)) deleted += 1;
      return deleted;
    },
    async deleteReceivedBefore(cutoff, limit) {
      let deleted = 0;
      for (const [id, row] of rows) {
        if (deleted >= limit) break;
        if (row.receivedAt < cutoff) {
          rows.delete(id);
          deleted += 1;
        }
      }
      return deleted;
    },
  };
}
