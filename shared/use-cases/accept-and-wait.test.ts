import { memoryStatusStore } from '../../test/support/memory-status-store';
import { sampleCustomer } from '../../test/fixtures/sample-customers';
import { QueueMessage } from '../domain/queue-message';
import { StatusRecord } from '../domain/status';
import { noopTelemetry, silentLog, WaitSlots } from '../ports';
import { AcceptAndWaitDeps, acceptAndWait } from './accept-and-wait';
import { SHARED_KEY_CALLER } from '../domain/ownership';
import { testCaller } from '../../test/support/callers';
import { testKeyCorrelation } from '../../test/support/correlation-key';

function setup(
  options: { slots?: number; process?: (message: QueueMessage) => Promise<StatusRecord | undefined> } = {},
) {
  const statusStore = memoryStatusStore();
  const sent: { message: QueueMessage; delaySeconds?: number }[] = [];
  let free = options.slots ?? 1;
  const taken = { now: 0 };
  const waits: WaitSlots = {
    tryEnter: () => (free > 0 ? (free--, taken.now++, true) : false),
    leave: () => {
      free++;
      taken.now--;
    },
  };
  const processed: QueueMessage[] = [];
  const deps: AcceptAndWaitDeps = {
    accept: {
      statusStore,
      queue: { send: async (message, opts) => void sent.push({ message, delaySeconds: opts?.delaySeconds }) },
      telemetry: noopTelemetry,
      log: silentLog,
      target: 'custom-service',
      defaultCustomerGroup: '30',
      ...testKeyCorrelation(),
    },
    statusStore,
    waits,
    processNow:
      options.process ??
      (async (message, accepted) => {
        processed.push(message);
        // The record as the intake wrote it: current (an update with its ETag succeeds), unread.
        return statusStore.update(accepted, {
          status: 'succeeded',
          customerAccount: 'US-000042',
          outcome: 'created',
        });
      }),
  };
  return { deps, statusStore, sent, processed, taken };
}

describe('acceptAndWait (Prefer: wait)', () => {
  it('without a wait, answers with the queued record at once and leaves the work to the queue', async () => {
    const { deps, sent, processed } = setup();
    const result = await acceptAndWait(sampleCustomer('full'), deps, {
      caller: SHARED_KEY_CALLER,
      waitSeconds: 0,
    });
    expect(result).toMatchObject({
      kind: 'accepted',
      replayed: false,
      waitedSeconds: 0,
      record: { status: 'queued' },
    });
    expect(processed).toHaveLength(0);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.delaySeconds).toBe(0);
  });

  it('with a wait, queues the message held back for the wait, processes it itself and answers with the outcome', async () => {
    const { deps, sent, processed, taken } = setup();
    const result = await acceptAndWait(sampleCustomer('full'), deps, {
      caller: SHARED_KEY_CALLER,
      waitSeconds: 5,
    });
    expect(result).toMatchObject({
      kind: 'accepted',
      waitedSeconds: 5,
      record: { status: 'succeeded', customerAccount: 'US-000042' },
    });
    expect(sent.map((s) => s.delaySeconds)).toEqual([5]);
    expect(processed.map((m) => m.correlationId)).toEqual([sent[0]!.message.correlationId]);
    expect(taken.now).toBe(0);
  });

  it('answers with the ending the work wrote without reading the record back; reads it when the work did not end it', async () => {
    const { deps, statusStore } = setup();
    let reads = 0;
    const get = statusStore.get.bind(statusStore);
    deps.statusStore = { ...statusStore, get: async (id) => (reads++, get(id)) };
    const ended = await acceptAndWait(sampleCustomer('full'), deps, {
      caller: SHARED_KEY_CALLER,
      waitSeconds: 5,
    });
    expect(ended).toMatchObject({
      kind: 'accepted',
      record: { status: 'succeeded', customerAccount: 'US-000042' },
    });
    expect(reads).toBe(0);

    // The work gave no record (another invocation ended it, or it failed): the record is read.
    deps.processNow = async (_message, accepted) => {
      await statusStore.update(accepted, {
        status: 'succeeded',
        customerAccount: 'US-000043',
        outcome: 'created',
      });
      return undefined;
    };
    const read = await acceptAndWait(sampleCustomer('full'), deps, {
      caller: SHARED_KEY_CALLER,
      waitSeconds: 5,
    });
    expect(read).toMatchObject({
      kind: 'accepted',
      record: { status: 'succeeded', customerAccount: 'US-000043' },
    });
    expect(reads).toBe(1);
  });

  it('with every wait slot taken, answers at once and does not hold the message back', async () => {
    const { deps, sent, processed } = setup({ slots: 0 });
    const result = await acceptAndWait(sampleCustomer('full'), deps, {
      caller: SHARED_KEY_CALLER,
      waitSeconds: 5,
    });
    expect(result).toMatchObject({ kind: 'accepted', waitedSeconds: 0, record: { status: 'queued' } });
    expect(sent.map((s) => s.delaySeconds)).toEqual([0]);
    expect(processed).toHaveLength(0);
  });

  it("a replayed Idempotency-Key does not process again: it answers with the first request's outcome", async () => {
    const { deps, processed } = setup({ slots: 2 });
    const first = await acceptAndWait(sampleCustomer('full'), deps, {
      caller: testCaller('pos-1'),
      idempotencyKey: 'k-1',
      waitSeconds: 2,
    });
    const again = await acceptAndWait(sampleCustomer('full'), deps, {
      caller: testCaller('pos-1'),
      idempotencyKey: 'k-1',
      waitSeconds: 2,
    });
    expect(first).toMatchObject({ kind: 'accepted', replayed: false, record: { status: 'succeeded' } });
    expect(again).toMatchObject({
      kind: 'accepted',
      replayed: true,
      record: { status: 'succeeded', customerAccount: 'US-000042' },
    });
    expect(processed).toHaveLength(1);
  });

  it('gives its wait slot back when the work fails, and answers with the record as it stands', async () => {
    const { deps, taken } = setup({
      process: async () => {
        throw new Error('D365 unreachable');
      },
    });
    const result = await acceptAndWait(sampleCustomer('full'), deps, {
      caller: SHARED_KEY_CALLER,
      waitSeconds: 1,
    });
    expect(result).toMatchObject({ kind: 'accepted', waitedSeconds: 1, record: { status: 'queued' } });
    expect(taken.now).toBe(0);
  });

  it('refuses an invalid body with its field errors, queues nothing and frees the slot', async () => {
    const { deps, sent, taken } = setup();
    const body = sampleCustomer('full');
    delete body.Customer.LegalEntity;
    const result = await acceptAndWait(body, deps, { caller: SHARED_KEY_CALLER, waitSeconds: 5 });
    expect(result.kind).toBe('invalid');
    if (result.kind === 'invalid')
      expect(result.errors.map((e) => e.pointer)).toContain('/Customer/LegalEntity');
    expect(sent).toHaveLength(0);
    expect(taken.now).toBe(0);
  });
});
