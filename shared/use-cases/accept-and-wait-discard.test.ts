import { setTimeout as sleep } from 'node:timers/promises';
import { memoryStatusStore } from '../../test/support/memory-status-store';
import { sampleCustomer } from '../../test/fixtures/sample-customers';
import { testKeyCorrelation } from '../../test/support/correlation-key';
import { SHARED_KEY_CALLER } from '../domain/ownership';
import type { StatusRecord } from '../domain/status';
import { noopTelemetry, QueuedReceipt, silentLog } from '../ports';
import { AcceptAndWaitDeps, acceptAndWait } from './accept-and-wait';

// Issue 33: a `Prefer: wait` request that ended while its message was held back deletes that
// message by its put's receipt, instead of letting it be delivered, read, found ended and deleted.

function setup(end: (accepted: StatusRecord) => Promise<StatusRecord | undefined>) {
  const statusStore = memoryStatusStore();
  const discarded: QueuedReceipt[] = [];
  let puts = 0;
  const deps: AcceptAndWaitDeps = {
    accept: {
      statusStore,
      queue: {
        send: async () => ({ messageId: `m${++puts}`, popReceipt: `p${puts}` }),
        discard: async (receipt) => void discarded.push(receipt),
      },
      telemetry: noopTelemetry,
      log: silentLog,
      target: 'custom-service',
      defaultCustomerGroup: '30',
      ...testKeyCorrelation(),
    },
    statusStore,
    waits: { tryEnter: () => true, leave: () => undefined },
    processNow: (_message, accepted) => end(accepted),
  };
  return { deps, statusStore, discarded };
}

const options = { caller: SHARED_KEY_CALLER, waitSeconds: 1 };

describe('Prefer: wait discards its held-back message once the request ended', () => {
  it('deletes it by the receipt of its put when the work ended the request', async () => {
    const { deps, statusStore, discarded } = setup((accepted) =>
      statusStore.update(accepted, { status: 'succeeded', customerAccount: 'US-000042', outcome: 'created' }),
    );
    const result = await acceptAndWait(sampleCustomer('full'), deps, options);
    expect(result).toMatchObject({ kind: 'accepted', record: { status: 'succeeded' } });
    expect(discarded).toEqual([]); // the answer goes out first
    for (let i = 0; i < 100 && discarded.length === 0; i += 1) await sleep(20);
    expect(discarded).toEqual([{ messageId: 'm1', popReceipt: 'p1' }]);
  });

  it('keeps it when the request has not ended (the wait ran out, or a retry is due)', async () => {
    const { deps, statusStore, discarded } = setup((accepted) =>
      statusStore.update(accepted, { status: 'retrying', nextAttemptAt: '2026-12-07T23:59:00.000Z' }),
    );
    const result = await acceptAndWait(sampleCustomer('full'), deps, options);
    expect(result).toMatchObject({ kind: 'accepted', record: { status: 'retrying' } });
    await sleep(300);
    expect(discarded).toEqual([]);
  });

  it('answers as before when the delete fails: the message is delivered and deleted later', async () => {
    const { deps, statusStore } = setup((accepted) =>
      statusStore.update(accepted, { status: 'succeeded', customerAccount: 'US-000042', outcome: 'created' }),
    );
    deps.accept.queue.discard = () => Promise.reject(new Error('storage is down'));
    await expect(acceptAndWait(sampleCustomer('full'), deps, options)).resolves.toMatchObject({
      kind: 'accepted',
      record: { status: 'succeeded' },
    });
  });
});
