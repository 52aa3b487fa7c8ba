import { permanent, transient } from '../../domain/failure';
import { acceptedMessage, created, workerSetup as setup } from '../../../test/support/worker-app';

describe('processing a queued customer', () => {
  it('moves queued → processing → submitting → succeeded and drops the personal payload', async () => {
    const app = setup(created);
    const message = await acceptedMessage(app);
    expect(app.record(message.correlationId)).toMatchObject({ status: 'queued', attempts: 0 });
    expect(app.record(message.correlationId).payload).toContain('USRT');

    await expect(app.process(message)).resolves.toEqual({
      kind: 'succeeded',
      customerAccount: 'US-000042',
      outcome: 'created',
    });
    const record = app.record(message.correlationId);
    expect(record).toMatchObject({
      status: 'succeeded',
      customerAccount: 'US-000042',
      outcome: 'created',
      attempts: 1,
    });
    expect(record.payload).toBeUndefined();
    expect(record.leaseUntil).toBeUndefined();
    expect(record.submittedAt).toBe('2026-11-26T18:00:00.000Z'); // when the create was sent
    expect(app.calls).toEqual(['lookup', 'create']);
    expect(app.events.map((e) => e.name)).toEqual(['CustomerAccepted', 'CustomerSucceeded']);
  });

  it('acknowledges a redelivered message of a finished request without calling D365', async () => {
    const app = setup(created);
    const message = await acceptedMessage(app);
    await app.process(message);
    await expect(app.process(message)).resolves.toEqual({ kind: 'already-finished' });
    expect(app.calls.filter((c) => c === 'create')).toHaveLength(1);
  });

  it('ends as failed on a business error and does not retry', async () => {
    const app = setup(async () => {
      throw permanent('business_error', 'The record already exists. (DuplicateKeyException)');
    });
    const message = await acceptedMessage(app);
    await expect(app.process(message)).resolves.toEqual({ kind: 'failed', code: 'business_error' });
    expect(app.record(message.correlationId)).toMatchObject({
      status: 'failed',
      errorCode: 'business_error',
      errorMessage: 'The record already exists. (DuplicateKeyException)',
    });
    expect(app.sent).toHaveLength(1);
    const failed = app.events.find((e) => e.name === 'CustomerFailed')!;
    expect(failed.properties).toMatchObject({ legalEntity: 'USRT', reason: 'business_error' });
  });

  it('schedules the next attempt on the queue with back-off, and succeeds on it', async () => {
    let fail = true;
    const app = setup(async () => {
      if (fail) {
        fail = false;
        throw transient('D365 answered 503');
      }
      return { customerAccount: 'US-2' };
    });
    const message = await acceptedMessage(app);
    // random() = 0.5, attempt 1, base 2 s → 1 s.
    await expect(app.process(message)).resolves.toEqual({ kind: 'retrying', delaySeconds: 1 });
    expect(app.sent.at(-1)).toEqual({ message, delaySeconds: 1 });
    expect(app.record(message.correlationId)).toMatchObject({
      status: 'retrying',
      lastError: 'D365 answered 503',
      attempts: 1,
      nextAttemptAt: '2026-11-26T18:00:01.000Z',
    });
    app.advance(1);
    await expect(app.process(message)).resolves.toMatchObject({ kind: 'succeeded', outcome: 'created' });
    expect(app.record(message.correlationId)).toMatchObject({ attempts: 2, status: 'succeeded' });
    expect(app.record(message.correlationId).lastError).toBeUndefined();
    expect(app.calls).toEqual(['lookup', 'create', 'lookup', 'create']);
  });

  it.each([
    ['a timeout (no clear answer)', transient('D365 timed out', { uncertain: true })],
    ['a 503 (a gateway may answer it after D365 committed)', transient('D365 answered 503')],
    ['a 429', transient('D365 throttled the request (429)', { retryAfterSeconds: 1, throttled: true })],
  ])(
    'after %s on the create, the next attempt looks the customer up first and records what D365 holds',
    async (_name, failure) => {
      let fail = true;
      const app = setup(
        async () => {
          if (fail) {
            fail = false;
            throw failure;
          }
          return { customerAccount: 'US-9' };
        },
        { duplicatePolicy: 'create', existing: 'US-7' },
      );
      const message = await acceptedMessage(app);
      await expect(app.process(message)).resolves.toMatchObject({ kind: 'retrying' });
      expect(app.record(message.correlationId).submittedAt).toBeDefined();
      app.advance(5);
      await expect(app.process(message)).resolves.toEqual({
        kind: 'succeeded',
        customerAccount: 'US-7',
        outcome: 'created',
      });
      expect(app.calls).toEqual(['create', 'lookup']);
    },
  );

  it('under link, a customer its own earlier create made is reported created, not linked', async () => {
    let fail = true;
    const app = setup(async () => {
      if (fail) {
        fail = false;
        throw transient('D365 answered 503');
      }
      return { customerAccount: 'US-9' };
    });
    const message = await acceptedMessage(app);
    await app.process(message);
    app.lookups.push(async () => 'US-8');
    app.advance(5);
    await expect(app.process(message)).resolves.toEqual({
      kind: 'succeeded',
      customerAccount: 'US-8',
      outcome: 'created',
    });
    expect(app.calls).toEqual(['lookup', 'create', 'lookup']);
  });

  it('retries a lookup that failed (a 500 read as a business error), never ends the request on it', async () => {
    const app = setup(created);
    app.lookups.push(async () => {
      throw permanent('business_error', 'An error has occurred.');
    });
    const message = await acceptedMessage(app);
    await expect(app.process(message)).resolves.toMatchObject({ kind: 'retrying' });
    expect(app.record(message.correlationId)).toMatchObject({ status: 'retrying' });
    expect(app.record(message.correlationId).lastError).toContain('lookup failed');
    app.advance(5);
    await expect(app.process(message)).resolves.toMatchObject({ kind: 'succeeded', outcome: 'created' });
    expect(app.calls).toEqual(['lookup', 'lookup', 'create']);
  });

  it('looks up after a business rejection of the create and records the customer D365 committed anyway', async () => {
    const app = setup(async () => {
      throw permanent('business_error', 'Update has been canceled.');
    });
    app.lookups.push(
      async () => undefined,
      async () => 'US-31',
    );
    const message = await acceptedMessage(app);
    await expect(app.process(message)).resolves.toEqual({
      kind: 'succeeded',
      customerAccount: 'US-31',
      outcome: 'created',
    });
    expect(app.calls).toEqual(['lookup', 'create', 'lookup']);
  });

  it('fences the create: no create is sent by an invocation whose request was taken over', async () => {
    const app = setup(created, { duplicatePolicy: 'create', existing: undefined });
    const message = await acceptedMessage(app);
    // Another invocation takes the request over while this one waits for its D365 slot.
    const acquire = app.deps.gate.acquire.bind(app.deps.gate);
    app.deps.gate.acquire = async (ms) => {
      const record = app.record(message.correlationId);
      await app.statusStore.update(record, { status: 'processing', leaseUntil: '2026-11-26T18:05:00.000Z' });
      return acquire(ms);
    };
    await expect(app.process(message)).resolves.toEqual({ kind: 'discarded' });
    expect(app.calls).toEqual([]);
  });

  it('renews its lease while it waits for a D365 slot, so queueing never eats it', async () => {
    const app = setup(created, { leaseSeconds: 3, maxInlineWaitMs: 10_000 });
    const message = await acceptedMessage(app);
    let busy = 2;
    const acquire = app.deps.gate.acquire.bind(app.deps.gate);
    app.deps.gate.acquire = async (ms) => {
      if (busy-- > 0) {
        app.advance(1);
        return { retryAt: Date.now() + 100, reason: 'busy' as const };
      }
      return acquire(ms);
    };
    const leases: string[] = [];
    const update = app.statusStore.update.bind(app.statusStore);
    app.statusStore.update = async (current, changes) => {
      if (changes.leaseUntil) leases.push(changes.leaseUntil);
      return update(current, changes);
    };
    await expect(app.process(message)).resolves.toMatchObject({ kind: 'succeeded' });
    // Claimed at 18:00:00 for 3 s; each wait (1 s) renewed it; the fence covers the call (30 + 5 s).
    expect(leases).toEqual([
      '2026-11-26T18:00:03.000Z',
      '2026-11-26T18:00:04.000Z',
      '2026-11-26T18:00:05.000Z',
      '2026-11-26T18:00:37.000Z',
    ]);
    expect(app.calls).toEqual(['lookup', 'create']);
  });

  it('sends the create only with lease left for its whole timeout (the submitting write extends it)', async () => {
    const leases: (string | undefined)[] = [];
    const app = setup(
      async () => {
        leases.push(app.record(message.correlationId).leaseUntil);
        return { customerAccount: 'US-5' };
      },
      { leaseSeconds: 10, callTimeoutMs: 30_000 },
    );
    const message = await acceptedMessage(app);
    await app.process(message);
    expect(leases).toEqual(['2026-11-26T18:00:35.000Z']);
  });

  it('gives the attempt back when the fleet gate stays full, instead of using it up', async () => {
    const app = setup(created);
    app.deps.gate.acquire = async () => ({ retryAt: Date.now() + 100, reason: 'busy' as const });
    app.deps.maxInlineWaitMs = 0;
    const message = await acceptedMessage(app);
    await expect(app.process(message)).resolves.toMatchObject({ kind: 'deferred' });
    expect(app.record(message.correlationId)).toMatchObject({ status: 'retrying', attempts: 0 });
    expect(app.sent.at(-1)!.message).toEqual(message);
    expect(app.calls).toEqual([]);
  });
});
