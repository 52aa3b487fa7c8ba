import type { GateRows } from '../d365/gate-rows';
import type { GateRoom } from '../../ports';

/**
 * How the fleet's D365 gate stands, for the pacing of bulk replays (issue 31): one query of the gate
 * partition (the rows `slot-0` … `slot-N-1` and `pause` that every instance's gate writes; see
 * adapters/d365/fleet-gate.ts). A slot row whose lease has not ended is held, by a live request or a
 * replay alike; an instance holding a slot, or waiting for one (an unexpired `want-` row), is at work.
 */
export function gateRoom(rows: GateRows, slots: number, now: () => number = Date.now): GateRoom {
  return {
    async read() {
      const at = now();
      let held = 0;
      let pausedUntil = 0;
      const atWork = new Set<string>();
      for (const row of await rows.list()) {
        if (row.rowKey === 'pause') pausedUntil = row.until;
        else if (/^slot-\d+$/.test(row.rowKey) && Number(row.rowKey.slice(5)) < slots && row.until > at) {
          held += 1;
          if (row.holder) atWork.add(row.holder);
        } else if (row.rowKey.startsWith('want-') && row.until > at && row.holder) atWork.add(row.holder);
      }
      return { slots, held, pausedUntil, instances: Math.max(1, atWork.size) };
    },
  };
}
