import { memoryIdentityClaims } from '../../../test/support/memory-identity-claims';
import { d365Gate } from '../../adapters/d365/d365-gate';
import { WorkerDeps } from './deps';
import { processQueuedRequest } from './dispatch';
import { IdentityClaims, silentLog } from '../../ports';
import { sampleCustomer } from '../../../test/fixtures/sample-customers';
import { acceptedMessage, created, full, workerSetup as setup } from '../../../test/support/worker-app';

describe("the intake's own record (Prefer: wait processes what it just accepted)", () => {
  /** The app with its reads of the store counted. */
  function counted() {
    const app = setup(created);
    const reads: string[] = [];
    const get = app.statusStore.get.bind(app.statusStore);
    app.deps.statusStore = { ...app.statusStore, get: (id) => (reads.push(id), get(id)) };
    return { app, reads };
  }

  it('claims the record as written without reading it back, and creates the customer once', async () => {
    const { app, reads } = counted();
    const accepted = await app.accept(full);
    if (accepted.kind !== 'accepted' || accepted.replayed) throw new Error('not accepted');
    await expect(
      processQueuedRequest(accepted.message, app.deps, { accepted: accepted.record }),
    ).resolves.toMatchObject({ kind: 'succeeded', customerAccount: 'US-000042' });
    expect(reads).toEqual([]);
    expect(app.calls).toEqual(['lookup', 'create']);
    expect(app.record(accepted.record.correlationId)).toMatchObject({ status: 'succeeded', attempts: 1 });
  });

  it('reads the record again when it changed since (its ETag no longer matches), and still creates once', async () => {
    const { app, reads } = counted();
    const accepted = await app.accept(full);
    if (accepted.kind !== 'accepted' || accepted.replayed) throw new Error('not accepted');
    const { correlationId } = accepted.record;
    // Someone wrote the record after the intake (a worker's delivery of the same message, say).
    await app.statusStore.update(app.record(correlationId), { updatedAt: '2026-11-26T18:00:01.000Z' });
    await expect(
      processQueuedRequest(accepted.message, app.deps, { accepted: accepted.record }),
    ).resolves.toMatchObject({ kind: 'succeeded' });
    expect(reads).toEqual([correlationId]);
    expect(app.calls).toEqual(['lookup', 'create']);
  });

  it("ignores a record that is not the message's, and reads the right one", async () => {
    const { app, reads } = counted();
    const other = await app.accept(sampleCustomer('minimal'));
    const message = await acceptedMessage(app);
    if (other.kind !== 'accepted') throw new Error('not accepted');
    await processQueuedRequest(message, app.deps, { accepted: other.record });
    expect(reads).toEqual([message.correlationId]);
    expect(app.record(message.correlationId).status).toBe('succeeded');
    expect(app.record(other.record.correlationId).status).toBe('queued');
  });
});

describe("the slot's give-back after the create", () => {
  it('runs while the outcome is written; a failed one is logged and the request still succeeds', async () => {
    const inner = d365Gate(4);
    const warnings: string[] = [];
    const failingRelease: WorkerDeps['gate'] = {
      ...inner,
      async acquire(maxWaitMs, o) {
        const slot = await inner.acquire(maxWaitMs, o);
        if (!('run' in slot)) return slot;
        return {
          run: (call) => slot.run(call),
          release: async () => {
            await slot.release();
            throw Object.assign(new Error('storage is down'), { name: 'RestError', statusCode: 503 });
          },
        };
      },
    };
    const app = setup(created, {
      gate: failingRelease,
      duplicatePolicy: 'create',
      log: { ...silentLog, warn: (event, fields) => void warnings.push(`${event} ${fields?.reason ?? ''}`) },
    });
    const message = await acceptedMessage(app);
    await expect(app.process(message)).resolves.toMatchObject({
      kind: 'succeeded',
      customerAccount: 'US-000042',
    });
    expect(app.record(message.correlationId).status).toBe('succeeded');
    expect(warnings).toEqual(['customer.slot_release_failed RestError 503']);
  });
});

describe('the fence before the create (link): the customer claim', () => {
  /** Claims that record every extension; `refuse` makes each one fail (another request took it). */
  const watched = (refuse = false) => {
    const inner = memoryIdentityClaims(() => new Date('2026-11-26T18:00:00.000Z'));
    const extended: string[] = [];
    const claims: IdentityClaims = {
      async claim(key, owner, until) {
        const claim = await inner.claim(key, owner, until);
        if ('held' in claim) return claim;
        return {
          get until() {
            return claim.until;
          },
          async extend(next) {
            extended.push(next);
            return refuse ? false : claim.extend(next);
          },
          release: () => claim.release(),
        };
      },
      releaseOwnedBy: (owners) => inner.releaseOwnedBy(owners),
    };
    return { claims, extended };
  };

  it('does not write a claim again that already lasts for the whole create (one Table write less in the slot)', async () => {
    const { claims, extended } = watched();
    const app = setup(created, { identityClaims: claims });
    const message = await acceptedMessage(app);
    await expect(app.process(message)).resolves.toMatchObject({ kind: 'succeeded' });
    expect(app.calls).toEqual(['lookup', 'create']);
    expect(extended).toEqual([]);
  });

  it('extends a claim that would run out during the create (a lease longer than the claim) before sending it', async () => {
    const { claims, extended } = watched();
    const app = setup(created, { identityClaims: claims, leaseSeconds: 200 });
    const message = await acceptedMessage(app);
    await expect(app.process(message)).resolves.toMatchObject({ kind: 'succeeded' });
    expect(app.calls).toEqual(['lookup', 'create']);
    expect(extended).toEqual(['2026-11-26T18:03:20.000Z']); // the lease's end: the fence
  });

  it('sends no create when that extension fails, and gives the attempt back', async () => {
    const { claims, extended } = watched(true);
    const app = setup(created, { identityClaims: claims, leaseSeconds: 200 });
    const message = await acceptedMessage(app);
    await expect(app.process(message)).resolves.toMatchObject({ kind: 'deferred' });
    expect(extended).toHaveLength(1);
    expect(app.calls).toEqual(['lookup']);
    expect(app.record(message.correlationId).status).not.toBe('succeeded');
    expect(app.sent.at(-1)!.message.correlationId).toBe(message.correlationId);
  });
});

describe("the customer claim's delete after the create (link)", () => {
  it('starts as soon as D365 gave the account, before the outcome is written (issue 33: off the answer path)', async () => {
    const inner = memoryIdentityClaims(() => new Date('2026-11-26T18:00:00.000Z'));
    const order: string[] = [];
    const claims: IdentityClaims = {
      async claim(key, owner, until) {
        const claim = await inner.claim(key, owner, until);
        if ('held' in claim) return claim;
        return {
          get until() {
            return claim.until;
          },
          extend: (next) => claim.extend(next),
          release: async () => {
            order.push('claim released');
            await claim.release();
          },
        };
      },
      releaseOwnedBy: (owners) => inner.releaseOwnedBy(owners),
    };
    const app = setup(created, { identityClaims: claims });
    const update = app.statusStore.update.bind(app.statusStore);
    app.deps.statusStore = {
      ...app.statusStore,
      update: async (current, changes) => {
        if (changes.status === 'succeeded') order.push('succeeded written');
        return update(current, changes);
      },
    };
    const message = await acceptedMessage(app);
    await expect(app.process(message)).resolves.toMatchObject({ kind: 'succeeded' });
    expect(order).toEqual(['claim released', 'succeeded written']);
  });
});
