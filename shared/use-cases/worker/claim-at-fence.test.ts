import { d365Gate } from '../../adapters/d365/d365-gate';
import type { StatusRecord } from '../../domain/status';
import type { D365Gate, GateSlot } from '../../ports';
import { acceptedMessage, created, workerSetup } from '../../../test/support/worker-app';

// Issue 33: a create that needs no lookup and finds its gate slot at hand is claimed straight into
// `submitting` (the claim and the fence in one write); without a slot at hand, or when it may
// exist or has a lookup to do, the claim and the fence go as before.

/** A gate whose `takeAtOnce` hands out a slot (counted) while `atHand` says so. */
function gateAtHand(atHand: { slots: number }) {
  const inner = d365Gate(4);
  const counts = { atOnce: 0, released: 0, runs: 0 };
  const gate: D365Gate = {
    ...inner,
    takeAtOnce(): GateSlot | undefined {
      if (atHand.slots <= 0) return undefined;
      atHand.slots -= 1;
      counts.atOnce += 1;
      return {
        run: (call) => ((counts.runs += 1), call()),
        release: async () => void (counts.released += 1),
      };
    },
  };
  return { gate, counts };
}

/** The statuses the store was asked to write, in order. */
function writes(app: ReturnType<typeof workerSetup>): string[] {
  const seen: string[] = [];
  const update = app.statusStore.update.bind(app.statusStore);
  app.deps.statusStore = {
    ...app.statusStore,
    update: (current: StatusRecord, changes: Partial<StatusRecord>) => {
      if (changes.status) seen.push(changes.status);
      return update(current, changes);
    },
  };
  return seen;
}

describe('the claim as the fence', () => {
  it('writes submitting once instead of processing then submitting, and creates once in the slot at hand', async () => {
    const { gate, counts } = gateAtHand({ slots: 1 });
    const app = workerSetup(created, { duplicatePolicy: 'create', gate });
    const statuses = writes(app);
    const message = await acceptedMessage(app);
    await expect(app.process(message)).resolves.toMatchObject({ kind: 'succeeded' });
    expect(statuses).toEqual(['submitting', 'succeeded']);
    expect(app.calls).toEqual(['create']);
    expect(counts).toEqual({ atOnce: 1, released: 1, runs: 1 });
    const record = app.record(message.correlationId);
    expect(record).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(record.submittedAt).toBeDefined();
  });

  it('claims as before when no slot is at hand, or under the link policy (a lookup comes first)', async () => {
    const none = workerSetup(created, { duplicatePolicy: 'create', gate: gateAtHand({ slots: 0 }).gate });
    const noneStatuses = writes(none);
    await none.process(await acceptedMessage(none));
    expect(noneStatuses).toEqual(['processing', 'submitting', 'succeeded']);
    const { gate, counts } = gateAtHand({ slots: 1 });
    const link = workerSetup(created, { duplicatePolicy: 'link', gate });
    const linkStatuses = writes(link);
    await link.process(await acceptedMessage(link));
    expect(linkStatuses).toEqual(['processing', 'submitting', 'succeeded']);
    expect(counts.atOnce).toBe(0);
  });

  it('gives the slot back when the claim conflicts, and never creates twice', async () => {
    const { gate, counts } = gateAtHand({ slots: 1 });
    const app = workerSetup(created, { duplicatePolicy: 'create', gate });
    const message = await acceptedMessage(app);
    // Another invocation claimed it since the read: the claim-as-fence conflicts.
    const stale = app.record(message.correlationId);
    await app.statusStore.update(stale, { status: 'processing', leaseUntil: '2026-11-26T18:01:00.000Z' });
    const get = app.statusStore.get.bind(app.statusStore);
    let reads = 0;
    app.deps.statusStore = { ...app.statusStore, get: async (id) => (reads++ === 0 ? stale : get(id)) };
    await expect(app.process(message)).resolves.toMatchObject({ kind: 'deferred' });
    expect(counts).toMatchObject({ atOnce: 1, released: 1, runs: 0 });
    expect(app.calls).toEqual([]);
  });
});
