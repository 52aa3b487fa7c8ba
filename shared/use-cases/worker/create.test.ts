import { memoryStatusStore } from '../../../test/support/memory-status-store';
import { memoryIdentityClaims } from '../../../test/support/memory-identity-claims';
import { acceptCustomer, AcceptOptions } from '../accept-customer';
import { CustomerRequest } from '../../domain/customer-contract';
import { d365Gate } from '../../adapters/d365/d365-gate';
import { permanent, transient } from '../../domain/failure';
import { backoffSeconds } from '../../domain/retry-policy';
import { WorkerDeps } from './deps';
import { processQueuedRequest } from './dispatch';
import { replayFailedRequest } from '../replay-request';
import { QueueMessage } from '../../domain/queue-message';
import { toStatusAnswer } from '../../domain/status';
import { reconcile } from '../reconcile';
import { CustomerQueue, D365Client, IdentityClaims, silentLog, Telemetry, TelemetryEvent } from '../../ports';
import { sampleCustomer } from '../../../test/fixtures/sample-customers';

const full = sampleCustomer('full');

interface Sent {
  message: QueueMessage;
  delaySeconds?: number;
}

type Create = (request: CustomerRequest) => Promise<{ customerAccount: string }>;

function setup(create: Create, options: Partial<WorkerDeps> & { existing?: string | string[] } = {}) {
  const statusStore = memoryStatusStore();
  const sent: Sent[] = [];
  const poisoned: QueueMessage[] = [];
  const queue: CustomerQueue = {
    send: async (message, o) => void sent.push({ message, delaySeconds: o?.delaySeconds }),
  };
  const poisonQueue: CustomerQueue = { send: async (message) => void poisoned.push(message) };
  const events: TelemetryEvent[] = [];
  const telemetry: Telemetry = { trackEvent: (event) => void events.push(event), trackMetric: () => {} };
  const calls: string[] = [];
  let clock = new Date('2026-11-26T18:00:00.000Z');
  const lookups: (() => Promise<string | string[] | undefined>)[] = [];
  const d365: D365Client = {
    createCustomer: async (request) => {
      calls.push('create');
      return create(request);
    },
    findCustomersByEmail: async () => {
      calls.push('lookup');
      const next = lookups.shift();
      const found = next ? await next() : options.existing;
      return found === undefined ? [] : [found].flat();
    },
    findCustomersByNameAndPhone: async () => [],
  };
  const deps: WorkerDeps = {
    statusStore,
    queue,
    poisonQueue,
    telemetry,
    log: silentLog,
    d365,
    gate: d365Gate(4),
    target: 'custom-service',
    defaultCustomerGroup: '30',
    duplicatePolicy: 'link',
    retry: { baseSeconds: 2, maxDelaySeconds: 300, maxAttempts: 3, maxTotalSeconds: 3600 },
    leaseSeconds: 60,
    callTimeoutMs: 30_000,
    identityClaims: memoryIdentityClaims(() => clock),
    maxInlineWaitMs: 5_000,
    // The settle wait after an uncertain create has tests of its own (process-customer-answers.test.ts).
    settleSeconds: 0,
    now: () => clock,
    random: () => 0.5,
    ...options,
  };
  return {
    deps,
    statusStore,
    lookups,
    sent,
    poisoned,
    events,
    calls,
    advance: (seconds: number) => (clock = new Date(clock.getTime() + seconds * 1000)),
    accept: (body: unknown, o?: AcceptOptions) => acceptCustomer(body, deps, o),
    process: (message: unknown) => processQueuedRequest(message, deps),
    record: (id: string) => statusStore.records.get(id)!,
  };
}

async function acceptedMessage(app: ReturnType<typeof setup>): Promise<QueueMessage> {
  const result = await app.accept(full);
  expect(result.kind).toBe('accepted');
  return app.sent.at(-1)!.message;
}

const created: Create = async () => ({ customerAccount: 'US-000042' });

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

  it('records a malformed message as failed (invalid_message) and never retries it', async () => {
    const app = setup(created);
    const message = await acceptedMessage(app);
    const broken = { ...message, request: { Customer: { LegalEntity: 'USRT' } } };
    await expect(app.process(broken)).resolves.toEqual({ kind: 'discarded' });
    expect(app.record(message.correlationId)).toMatchObject({
      status: 'failed',
      errorCode: 'invalid_message',
    });
    await expect(app.process('not json at all')).resolves.toEqual({ kind: 'discarded' });
    expect(app.calls).toHaveLength(0);
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

describe('back-off', () => {
  it('draws a full-jitter delay below min(cap, base · 2^(attempt−1))', () => {
    const policy = { baseSeconds: 2, maxDelaySeconds: 300, maxAttempts: 10, maxTotalSeconds: 3600 };
    expect(backoffSeconds(1, policy, () => 0.999)).toBeCloseTo(1.998);
    expect(backoffSeconds(4, policy, () => 0.5)).toBe(8);
    expect(backoffSeconds(20, policy, () => 0.999)).toBeCloseTo(299.7);
    expect(backoffSeconds(3, policy, () => 0)).toBe(0);
  });
});

describe('replay by an operator', () => {
  it('re-queues a failed request with a fresh budget, and refuses others', async () => {
    const app = setup(async () => {
      throw permanent('not_registered', 'D365 answered 403');
    });
    const message = await acceptedMessage(app);
    await app.process(message);
    const deps = {
      statusStore: app.statusStore,
      queue: app.deps.queue,
      telemetry: app.deps.telemetry,
      log: silentLog,
    };
    const replayed = await replayFailedRequest(message.correlationId, deps);
    expect(replayed).toMatchObject({ kind: 'replayed', record: { status: 'queued', attempts: 0 } });
    expect(app.record(message.correlationId).errorCode).toBeUndefined();
    expect(app.sent.at(-1)!.message).toMatchObject({
      correlationId: message.correlationId,
      request: message.request,
    });
    await expect(replayFailedRequest(message.correlationId, deps)).resolves.toEqual({ kind: 'not-failed' });
    await expect(replayFailedRequest('0b6f4c1e-1d2a-4c3b-8e4f-5a6b7c8d9e0f', deps)).resolves.toEqual({
      kind: 'not-found',
    });
  });
});

describe('idempotent intake', () => {
  it('replays the first answer for the same key and body, refuses another body, and claims once', async () => {
    const app = setup(created);
    const first = await app.accept(full, { idempotencyKey: 'k-1' });
    const again = await app.accept(full, { idempotencyKey: 'k-1' });
    expect(first).toMatchObject({ kind: 'accepted', replayed: false, record: { status: 'queued' } });
    expect(again).toMatchObject({ kind: 'accepted', replayed: true });
    expect(again.kind === 'accepted' && again.record.correlationId).toBe(
      first.kind === 'accepted' && first.record.correlationId,
    );
    expect(app.sent).toHaveLength(1);
    const other = { Customer: { ...full.Customer, FirstName: 'Someone' } };
    await expect(app.accept(other, { idempotencyKey: 'k-1' })).resolves.toEqual({ kind: 'key-reused' });
    // Same body with different spacing and key order is the same request.
    const reordered = JSON.parse(JSON.stringify({ Customer: { ...full.Customer, LegalEntity: ' usrt ' } }));
    await expect(app.accept(reordered, { idempotencyKey: 'k-1' })).resolves.toMatchObject({ replayed: true });
  });

  it('scopes keys to the caller', async () => {
    const app = setup(created);
    const a = await app.accept(full, { idempotencyKey: 'k', caller: 'pos-1' });
    const b = await app.accept(full, { idempotencyKey: 'k', caller: 'web-1' });
    expect(a.kind === 'accepted' && a.record.correlationId).not.toBe(
      b.kind === 'accepted' && b.record.correlationId,
    );
  });

  it('answers in-progress while the first request is being accepted, and takes a dead claim over', async () => {
    const app = setup(created);
    const first = await app.accept(full, { idempotencyKey: 'k-2' });
    const id = first.kind === 'accepted' ? first.record.correlationId : '';
    // Simulate a crash between the claim and the queue write.
    await app.statusStore.update(app.record(id), { status: 'accepting' });
    app.sent.length = 0;
    await expect(app.accept(full, { idempotencyKey: 'k-2' })).resolves.toEqual({ kind: 'in-progress' });
    app.advance(11);
    await expect(app.accept(full, { idempotencyKey: 'k-2' })).resolves.toMatchObject({ kind: 'accepted' });
    expect(app.sent).toHaveLength(1);
    expect(app.record(id).status).toBe('queued');
  });

  it('removes the claim again when the message cannot be written, and reports unavailable', async () => {
    const app = setup(created);
    app.deps.queue.send = async () => {
      throw new Error('queue down');
    };
    await expect(app.accept(full, { idempotencyKey: 'k-3' })).resolves.toEqual({ kind: 'unavailable' });
    await expect(app.accept(full)).resolves.toEqual({ kind: 'unavailable' });
    expect(app.statusStore.records.size).toBe(0);
  });

  it('rejects an invalid body without writing anything', async () => {
    const app = setup(created);
    const result = await app.accept({ Customer: { ...full.Customer, EmailAddress: 'nope' } });
    expect(result.kind).toBe('invalid');
    expect(app.statusStore.records.size).toBe(0);
    expect(app.sent).toHaveLength(0);
  });
});

describe('the reconciler', () => {
  it('re-queues a request stranded in queued, leaves fresh ones alone, and fails one past its time', async () => {
    const app = setup(created);
    const stranded = await acceptedMessage(app);
    const old = await acceptedMessage(app);
    app.advance(400);
    const fresh = await acceptedMessage(app);
    await app.statusStore.update(app.record(old.correlationId), { queuedAt: '2026-11-26T16:00:00.000Z' });
    // `old` was touched now; make it stale too.
    app.statusStore.records.get(old.correlationId)!.updatedAt = '2026-11-26T17:00:00.000Z';
    app.sent.length = 0;
    const metrics: unknown[] = [];
    const report = await reconcile({
      statusStore: app.statusStore,
      queue: app.deps.queue,
      telemetry: { trackEvent: () => {}, trackMetric: (m) => void metrics.push(m) },
      queueDepths: async () => ({ 'customer-create': 3, 'customer-create-poison': 1 }),
      log: silentLog,
      retry: { baseSeconds: 2, maxDelaySeconds: 300, maxAttempts: 10, maxTotalSeconds: 3600 },
      reconcileAfterSeconds: 300,
      now: () => new Date('2026-11-26T18:06:40.000Z'),
    });
    expect(report).toEqual({ requeued: 1, failed: 1, skipped: 0 });
    expect(metrics).toEqual([
      { name: 'QueueDepth', value: 3, properties: { queue: 'customer-create' } },
      { name: 'QueueDepth', value: 1, properties: { queue: 'customer-create-poison' } },
    ]);
    expect(app.sent.map((s) => s.message.correlationId)).toEqual([stranded.correlationId]);
    expect(app.record(old.correlationId)).toMatchObject({ status: 'failed', errorCode: 'retries_exhausted' });
    expect(app.record(fresh.correlationId).status).toBe('queued');
    // A re-sent message for a request that meanwhile finished is acknowledged without D365.
    await app.process(stranded);
    await expect(app.process(app.sent[0]!.message)).resolves.toEqual({ kind: 'already-finished' });
  });

  it('resumes a request whose instance died as soon as its lease ends, without waiting for the age threshold', async () => {
    const app = setup(created, { existing: 'US-000900', duplicatePolicy: 'create' });
    const message = await acceptedMessage(app);
    await app.statusStore.update(app.record(message.correlationId), {
      status: 'submitting',
      attempts: 1,
      submittedAt: '2026-11-26T18:00:00.000Z',
      leaseUntil: '2026-11-26T18:00:35.000Z',
    });
    app.sent.length = 0;
    const deps = {
      statusStore: app.statusStore,
      queue: app.deps.queue,
      telemetry: app.deps.telemetry,
      log: silentLog,
      retry: { baseSeconds: 2, maxDelaySeconds: 300, maxAttempts: 10, maxTotalSeconds: 3600 },
      reconcileAfterSeconds: 300,
    };
    const at = (iso: string) => reconcile({ ...deps, now: () => new Date(iso) });
    await expect(at('2026-11-26T18:00:36.000Z')).resolves.toMatchObject({ requeued: 0 });
    await expect(at('2026-11-26T18:00:41.000Z')).resolves.toMatchObject({ requeued: 1 });
    expect(app.record(message.correlationId)).toMatchObject({ status: 'retrying' });
    expect(app.sent.map((s) => s.message.correlationId)).toEqual([message.correlationId]);
    // A second reconciler (another instance) finds nothing to do.
    await expect(at('2026-11-26T18:00:42.000Z')).resolves.toMatchObject({ requeued: 0 });
    app.advance(45);
    await expect(app.process(app.sent[0]!.message)).resolves.toMatchObject({
      kind: 'succeeded',
      customerAccount: 'US-000900',
    });
    expect(app.calls).toEqual(['lookup']);
  });
});
