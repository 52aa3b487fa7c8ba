import { memoryStatusStore } from '../../test/support/memory-status-store';
import { created, full, workerSetup } from '../../test/support/worker-app';
import { queueMessageFor } from '../domain/queue-message';
import { CustomerQueue, noopTelemetry, silentLog, StatusStore } from '../ports';
import { acceptCustomer, AcceptDeps } from './accept-customer';
import { testKeyCorrelation } from '../../test/support/correlation-key';

// Issue 33: a request held back for a `Prefer: wait` writes its record and its message side by side.
function intake(options: { statusStore?: StatusStore; queue?: CustomerQueue } = {}) {
  const statusStore = memoryStatusStore();
  const order: string[] = [];
  const sent: unknown[] = [];
  const deps: AcceptDeps = {
    statusStore: options.statusStore ?? {
      ...statusStore,
      create: async (record) => {
        order.push('create:start');
        await new Promise((resolve) => setTimeout(resolve, 5));
        order.push('create:end');
        return statusStore.create(record);
      },
    },
    queue: options.queue ?? {
      send: async (message) => {
        order.push('send:start');
        await new Promise((resolve) => setTimeout(resolve, 5));
        order.push('send:end');
        sent.push(message);
      },
    },
    telemetry: noopTelemetry,
    log: silentLog,
    target: 'custom-service',
    defaultCustomerGroup: '30',
    ...testKeyCorrelation(),
  };
  return { deps, statusStore, order, sent };
}

describe('the record and the message of a request held back for a wait', () => {
  it('are written side by side: the message does not wait for the record', async () => {
    const { deps, order, statusStore } = intake();
    const result = await acceptCustomer(full, deps, { delaySeconds: 5 });
    expect(result).toMatchObject({ kind: 'accepted', record: { status: 'queued' } });
    expect(order.slice(0, 2).sort()).toEqual(['create:start', 'send:start']);
    expect(statusStore.records.size).toBe(1);
  });

  it('are written one after the other without a wait, and with an Idempotency-Key', async () => {
    const plain = intake();
    await acceptCustomer(full, plain.deps);
    expect(plain.order).toEqual(['create:start', 'create:end', 'send:start', 'send:end']);
    const keyed = intake();
    await acceptCustomer(full, keyed.deps, { delaySeconds: 5, idempotencyKey: 'key-1' });
    expect(keyed.order.slice(0, 3)).toEqual(['create:start', 'create:end', 'send:start']);
  });

  it('a message that could not be written takes its record away again: unavailable, nothing stored', async () => {
    const { deps, statusStore } = intake({
      queue: {
        send: async () => {
          throw new Error('queue down');
        },
      },
    });
    await expect(acceptCustomer(full, deps, { delaySeconds: 5 })).resolves.toEqual({ kind: 'unavailable' });
    expect(statusStore.records.size).toBe(0);
  });

  it('a record that could not be written: unavailable (its message names nothing)', async () => {
    const store = memoryStatusStore();
    const { deps, sent } = intake({
      statusStore: {
        ...store,
        create: async () => {
          throw new Error('table down');
        },
      },
    });
    await expect(acceptCustomer(full, deps, { delaySeconds: 5 })).resolves.toEqual({ kind: 'unavailable' });
    expect(sent).toHaveLength(1);
  });
});

describe('a message whose record is not there', () => {
  it('is looked at again while its record may still be on its way, then discarded', async () => {
    const app = workerSetup(created);
    const message = queueMessageFor('6c4a1c53-7f5e-4c47-9d0c-2b8b3c0f0a11', app.deps.now!().toISOString());
    await expect(app.process(message)).resolves.toEqual({ kind: 'deferred', delaySeconds: 5 });
    expect(app.sent.map((s) => s.message)).toEqual([message]);
    app.advance(61);
    await expect(app.process(message)).resolves.toEqual({ kind: 'discarded' });
    expect(app.sent).toHaveLength(1);
    expect(app.calls).toEqual([]);
  });

  it('is worked on once its record is written', async () => {
    const app = workerSetup(created);
    const result = await app.accept(full, { delaySeconds: 5 });
    if (result.kind !== 'accepted' || result.replayed) throw new Error('not accepted');
    await expect(app.process(result.message)).resolves.toMatchObject({ kind: 'succeeded' });
    expect(app.calls).toEqual(['lookup', 'create']);
  });
});
