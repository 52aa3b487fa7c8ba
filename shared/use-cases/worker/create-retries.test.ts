import { transient } from '../../domain/failure';
import { toStatusAnswer } from '../../domain/status';
import { acceptedMessage, created, workerSetup as setup } from '../../../test/support/worker-app';

describe('processing a queued customer: claims, retries, duplicates', () => {
  it('under link, two requests for one customer never both create: the second waits for the claim, then links', async () => {
    const app = setup(created);
    const first = await acceptedMessage(app);
    const second = await acceptedMessage(app);
    // The first holds the customer's claim (between its lookup and its create) when the second comes.
    app.deps.d365.createCustomer = async () => {
      app.calls.push('create');
      await expect(app.process(second)).resolves.toMatchObject({ kind: 'deferred' });
      app.lookups.push(async () => 'US-000042');
      return { customerAccount: 'US-000042' };
    };
    await expect(app.process(first)).resolves.toMatchObject({ kind: 'succeeded', outcome: 'created' });
    expect(app.record(second.correlationId)).toMatchObject({ status: 'retrying', attempts: 0 });
    app.advance(5);
    await expect(app.process(second)).resolves.toEqual({
      kind: 'succeeded',
      customerAccount: 'US-000042',
      outcome: 'linked',
    });
    expect(app.calls).toEqual(['lookup', 'create', 'lookup']);
  });

  it('waits exactly Retry-After on 429, and pauses every call of the instance meanwhile', async () => {
    let fail = true;
    const app = setup(async () => {
      if (fail) {
        fail = false;
        throw transient('D365 throttled the request (429)', { retryAfterSeconds: 7, throttled: true });
      }
      return { customerAccount: 'US-3' };
    });
    const message = await acceptedMessage(app);
    await expect(app.process(message)).resolves.toEqual({ kind: 'retrying', delaySeconds: 7 });
    expect(app.sent.at(-1)!.delaySeconds).toBe(7);
    expect(app.deps.gate.pausedUntil()).toBeGreaterThan(Date.now() + 6000);
    expect(app.events.map((e) => e.name)).toContain('D365Throttled');
    // Another request arriving during the pause is put back on the queue, without an attempt.
    const other = await acceptedMessage(app);
    await expect(app.process(other)).resolves.toMatchObject({ kind: 'deferred' });
    expect(app.record(other.correlationId).attempts).toBe(0);
  });

  it('gives up after the last attempt: failed (retries exhausted) and the message kept in the poison queue', async () => {
    const app = setup(async () => {
      throw transient('D365 answered 503');
    });
    const message = await acceptedMessage(app);
    for (let attempt = 1; attempt < 3; attempt += 1) {
      await expect(app.process(message)).resolves.toMatchObject({ kind: 'retrying' });
      app.advance(10);
    }
    await expect(app.process(message)).resolves.toEqual({ kind: 'failed', code: 'retries_exhausted' });
    const record = app.record(message.correlationId);
    expect(record).toMatchObject({ status: 'failed', errorCode: 'retries_exhausted', attempts: 3 });
    expect(record.errorMessage).toContain('D365 answered 503');
    expect(record.payload).toBeDefined();
    expect(app.poisoned).toEqual([message]);
    expect(app.events.map((e) => e.name)).toContain('CustomerPoisoned');
  });

  it('gives up when the next attempt would pass the total retry time', async () => {
    const app = setup(
      async () => {
        throw transient('D365 answered 503', { retryAfterSeconds: 600 });
      },
      { retry: { baseSeconds: 2, maxDelaySeconds: 300, maxAttempts: 10, maxTotalSeconds: 300 } },
    );
    const message = await acceptedMessage(app);
    await expect(app.process(message)).resolves.toEqual({ kind: 'failed', code: 'retries_exhausted' });
  });

  it('leaves a request held by another invocation alone until its lease ends', async () => {
    const app = setup(created);
    const message = await acceptedMessage(app);
    const record = app.record(message.correlationId);
    await app.statusStore.update(record, { status: 'processing', leaseUntil: '2026-11-26T18:00:30.000Z' });
    await expect(app.process(message)).resolves.toEqual({ kind: 'deferred', delaySeconds: 30 });
    expect(app.calls).toEqual([]);
    app.advance(31);
    await expect(app.process(message)).resolves.toMatchObject({ kind: 'succeeded' });
  });

  it('claims again when the record changed between its read and its claim (the intake marking it queued)', async () => {
    const app = setup(created);
    const message = await acceptedMessage(app);
    const get = app.statusStore.get.bind(app.statusStore);
    let raced = false;
    app.statusStore.get = async (id) => {
      const record = await get(id);
      if (!raced && record) {
        raced = true;
        // Someone writes the record right after our read (its ETag changes).
        await app.statusStore.update(record, { updatedAt: record.updatedAt });
      }
      return record;
    };
    await expect(app.process(message)).resolves.toMatchObject({ kind: 'succeeded' });
    expect(app.sent).toHaveLength(1);
  });

  it('after a crash mid-call (last seen submitting), records the customer D365 already has instead of creating another', async () => {
    const app = setup(created, { existing: 'US-000777', duplicatePolicy: 'create' });
    const message = await acceptedMessage(app);
    const record = app.record(message.correlationId);
    await app.statusStore.update(record, {
      status: 'submitting',
      attempts: 1,
      submittedAt: '2026-11-26T18:00:00.000Z',
      leaseUntil: '2026-11-26T17:59:00.000Z',
    });
    await expect(app.process(message)).resolves.toEqual({
      kind: 'succeeded',
      customerAccount: 'US-000777',
      outcome: 'created',
    });
    expect(app.calls).toEqual(['lookup']);
  });

  it.each([
    ['link', { kind: 'succeeded', customerAccount: 'US-000001', outcome: 'linked' }, 'succeeded'],
    ['reject', { kind: 'failed', code: 'duplicate' }, 'failed'],
  ] as const)(
    'applies DUPLICATE_POLICY=%s to a customer that existed before',
    async (policy, result, status) => {
      const app = setup(created, { existing: 'US-000001', duplicatePolicy: policy });
      const message = await acceptedMessage(app);
      await expect(app.process(message)).resolves.toEqual(result);
      expect(app.record(message.correlationId).status).toBe(status);
      expect(app.calls).toEqual(['lookup']);
    },
  );

  it('names the existing account when DUPLICATE_POLICY=reject refuses a customer', async () => {
    const app = setup(created, { existing: 'US-000001', duplicatePolicy: 'reject' });
    const message = await acceptedMessage(app);
    await app.process(message);
    expect(toStatusAnswer(app.record(message.correlationId))).toMatchObject({
      status: 'failed',
      existingAccounts: ['US-000001'],
      error: {
        code: 'duplicate',
        message:
          'A customer with this e-mail address already exists in the legal entity (DUPLICATE_POLICY=reject): account US-000001.',
      },
    });
  });

  it('links to the first of several matching customers and lists them all', async () => {
    const app = setup(created, { existing: ['US-000001', 'US-000003'], duplicatePolicy: 'link' });
    const message = await acceptedMessage(app);
    await expect(app.process(message)).resolves.toMatchObject({
      customerAccount: 'US-000001',
      outcome: 'linked',
    });
    expect(toStatusAnswer(app.record(message.correlationId))).toMatchObject({
      status: 'succeeded',
      customerAccount: 'US-000001',
      outcome: 'linked',
      existingAccounts: ['US-000001', 'US-000003'],
    });
  });

  it('lists no other accounts when exactly one customer matched a link', async () => {
    const app = setup(created, { existing: 'US-000001', duplicatePolicy: 'link' });
    const message = await acceptedMessage(app);
    await app.process(message);
    expect(toStatusAnswer(app.record(message.correlationId))).not.toHaveProperty('existingAccounts');
  });

  it('creates without looking up under DUPLICATE_POLICY=create', async () => {
    const app = setup(created, { existing: 'US-000001', duplicatePolicy: 'create' });
    const message = await acceptedMessage(app);
    await expect(app.process(message)).resolves.toMatchObject({ kind: 'succeeded', outcome: 'created' });
    expect(app.calls).toEqual(['create']);
  });

  it('records a request whose stored payload is not a customer as failed (invalid_message) and never retries it', async () => {
    const app = setup(created);
    const message = await acceptedMessage(app);
    const stored = app.record(message.correlationId);
    await app.statusStore.update(stored, { payload: JSON.stringify({ Customer: { LegalEntity: 'USRT' } }) });
    await expect(app.process(message)).resolves.toEqual({ kind: 'discarded' });
    expect(app.record(message.correlationId)).toMatchObject({
      status: 'failed',
      errorCode: 'invalid_message',
    });
    await expect(app.process('not json at all')).resolves.toEqual({ kind: 'discarded' });
    expect(app.calls).toHaveLength(0);
  });

  it('reads the customer from the record, not the message: a message names its request and holds no personal data', async () => {
    const app = setup(created);
    const message = await acceptedMessage(app);
    expect(Object.keys(message).sort()).toEqual(['acceptedAt', 'correlationId', 'v']);
    // A legacy message (written before issue 27) that still carries a request: the record's payload wins.
    const legacy = { ...message, request: { Customer: { LegalEntity: 'USRT' } } };
    await expect(app.process(legacy)).resolves.toMatchObject({ kind: 'succeeded' });
  });

  it('accepts the message as the library hands it over: an object or a JSON string', async () => {
    const app = setup(created);
    const message = await acceptedMessage(app);
    await expect(app.process(JSON.stringify(message))).resolves.toMatchObject({ kind: 'succeeded' });
  });

  it('lets an unexpected storage error through, so the host redelivers the message', async () => {
    const app = setup(created);
    const message = await acceptedMessage(app);
    app.statusStore.get = async () => {
      throw new Error('table unreachable');
    };
    await expect(app.process(message)).rejects.toThrow('table unreachable');
  });
});
