import { fairAdmission } from '../../adapters/fair-admission';
import { d365Gate } from '../../adapters/d365/d365-gate';
import { GateAcquireOptions } from '../../ports';
import { created, full, workerSetup } from '../../../test/support/worker-app';
import { transient } from '../../domain/failure';

/** Fair sharing in the worker (issue 24): admission before the claim, the caller's share at the gate. */
function setup(waiters = 1) {
  const admission = fairAdmission({ waiters, weights: { 'key:pos': 2 }, receiveThreshold: waiters });
  const acquired: (GateAcquireOptions | undefined)[] = [];
  const inner = d365Gate(4);
  const gate = {
    ...inner,
    acquire: (ms: number, o?: GateAcquireOptions) => (acquired.push(o), inner.acquire(ms, o)),
  };
  const app = workerSetup(created, { admission, gate });
  const acceptAs = async (caller: string) => {
    const result = await app.accept(
      { ...full, Customer: { ...full.Customer, EmailAddress: `${caller.replace(':', '-')}@example.com` } },
      { caller },
    );
    if (result.kind !== 'accepted' || result.replayed) throw new Error(result.kind);
    return result.message;
  };
  return { app, admission, acquired, acceptAs };
}

describe('the worker shares an instance fairly between callers', () => {
  it("defers a message of a caller at its share without touching its record or D365, and takes another caller's", async () => {
    const { app, admission, acceptAs } = setup(1);
    const held = admission.admit(admission.shareOf({ caller: 'key:a' })); // one of A's requests in progress
    const a = await acceptAs('key:a');
    const b = await acceptAs('key:b');
    const sentBefore = app.sent.length;

    await expect(app.process(a)).resolves.toEqual({ kind: 'deferred', delaySeconds: 1 });
    expect(app.record(a.correlationId)).toMatchObject({ status: 'queued', attempts: 0 });
    expect(app.calls).toEqual([]);
    // Sent again as a new message: its dequeue count starts over, so deferral never poisons it.
    expect(app.sent.slice(sentBefore)).toEqual([{ message: a, delaySeconds: 1 }]);
    expect(app.poisoned).toEqual([]);

    await expect(app.process(b)).resolves.toMatchObject({ kind: 'succeeded' });
    if ('release' in held) held.release();
    await expect(app.process(a)).resolves.toMatchObject({ kind: 'succeeded' });
    expect(app.record(a.correlationId)).toMatchObject({ status: 'succeeded', attempts: 1 });
  });

  it('gives the ticket back when the invocation ends, however it ends', async () => {
    let fail = true;
    const admission = fairAdmission({ waiters: 1, weights: {}, receiveThreshold: 1 });
    const app = workerSetup(
      async () => {
        if (fail) throw transient('D365 answered 503');
        return { customerAccount: 'US-1' };
      },
      { admission },
    );
    const result = await app.accept(full, { caller: 'key:a' });
    if (result.kind !== 'accepted' || result.replayed) throw new Error(result.kind);
    const share = admission.shareOf({ caller: 'key:a' });
    await expect(app.process(result.message)).resolves.toMatchObject({ kind: 'retrying' });
    expect(admission.working(share)).toBe(0);
    fail = false;
    app.advance(5);
    await expect(app.process(result.message)).resolves.toMatchObject({ kind: 'succeeded' });
    expect(admission.working(share)).toBe(0);
    app.statusStore.get = async () => {
      throw new Error('storage unreachable');
    };
    await expect(app.process(result.message)).rejects.toThrow('storage unreachable');
    expect(admission.working(share)).toBe(0);
  });

  it('takes bulk work (a backfill, a bulk replay) as background: one share for all of it, never spare room, last at the gate', async () => {
    const { app, admission, acquired, acceptAs } = setup(1);
    const bulk = await acceptAs('key:ops');
    await app.statusStore.update(app.record(bulk.correlationId), { priority: 'background' });
    const held = admission.admit(admission.shareOf({ caller: 'key:other', priority: 'background' }));
    // All background work shares one share, whoever asked for it: deferred.
    await expect(app.process(bulk)).resolves.toEqual({ kind: 'deferred', delaySeconds: 1 });
    if ('release' in held) held.release();
    await expect(app.process(bulk)).resolves.toMatchObject({ kind: 'succeeded' });
    expect(acquired.map((o) => o?.share)).toEqual([{ caller: 'key:ops', weight: 1, priority: 'background' }]);
  });

  it("asks the gate for a slot with the request's caller and weight", async () => {
    const { app, acquired, acceptAs } = setup(4);
    await app.process(await acceptAs('key:pos'));
    await app.process(await acceptAs('key:b'));
    expect(acquired.map((o) => o?.share)).toEqual([
      { caller: 'key:pos', weight: 2, priority: 'live' },
      { caller: 'key:b', weight: 1, priority: 'live' },
    ]);
  });
});
