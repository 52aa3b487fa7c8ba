import { attributeLookupRows, batchedEmailLookup, BatchedEmailLookupOptions } from './batched-email-lookup';
import { d365Gate } from './d365-gate';
import { transient } from '../../domain/failure';
import { D365Client, D365EmailBatchLookup, D365Gate, D365GateUnavailableError } from '../../ports';
import { CUSTOMER_LOOKUP_TOP } from './odata-filter';

/** A stub of our own D365 port: accounts by lower-case e-mail, and what was asked of it. */
function stubD365(accounts: Record<string, string[]>) {
  const calls: { kind: 'one' | 'many'; emails: string[] }[] = [];
  let failNext: unknown;
  let incomplete = new Set<string>();
  let release: (() => void) | undefined;
  let hold: Promise<void> | undefined;
  const answer = (email: string): string[] => accounts[email.toLowerCase()] ?? [];
  const throwIfFailing = (): void => {
    const error = failNext;
    failNext = undefined;
    if (error) throw error;
  };
  const inner: Pick<D365Client, 'findCustomersByEmail'> & D365EmailBatchLookup = {
    async findCustomersByEmail(_legalEntity, email) {
      calls.push({ kind: 'one', emails: [email] });
      await hold;
      throwIfFailing();
      return answer(email);
    },
    async findCustomersByEmails(_legalEntity, emails) {
      calls.push({ kind: 'many', emails: [...emails] });
      await hold;
      throwIfFailing();
      return new Map(emails.map((e) => [e, incomplete.has(e) ? undefined : answer(e)]));
    },
  };
  return {
    inner,
    calls,
    failOnce: (error: unknown) => (failNext = error),
    incompleteFor: (...emails: string[]) => (incomplete = new Set(emails)),
    /** Makes D365 calls wait until `open()`. */
    holdCalls: () => (hold = new Promise((resolve) => (release = resolve))),
    open: () => {
      release?.();
      hold = undefined;
    },
  };
}

const options: BatchedEmailLookupOptions = { maxBatch: 25, windowMs: 5, maxGateWaitMs: 1_000 };
const ACCOUNTS = { 'ana@example.com': ['US-001'], 'bo@example.com': ['US-002', 'US-003'] };

describe('batched duplicate lookups', () => {
  it('answers concurrent lookups from one D365 query, each caller with its own e-mail’s accounts', async () => {
    const d365 = stubD365(ACCOUNTS);
    const lookup = batchedEmailLookup(d365.inner, d365Gate(4), options);
    const emails = ['Ana@Example.com', 'bo@example.com', 'cy@example.com', 'dee@example.com'];
    const answers = await Promise.all(emails.map((e) => lookup.findCustomersByEmail('USRT', e)));
    expect(answers).toEqual([['US-001'], ['US-002', 'US-003'], [], []]);
    expect(d365.calls).toEqual([{ kind: 'many', emails }]);
    expect(lookup.lookupStats()).toMatchObject({ lookups: 4, batches: 1, largestBatch: 4 });
  });

  it("releases its slot only after the callers' next gate requests, so the gate can hand it to their creates", async () => {
    const d365 = stubD365(ACCOUNTS);
    const inner = d365Gate(1);
    const events: string[] = [];
    const gate: D365Gate = {
      ...inner,
      async acquire(maxWaitMs, acquireOptions) {
        events.push(acquireOptions?.ahead ? 'lookup asks' : 'create asks');
        const slot = await inner.acquire(maxWaitMs, acquireOptions);
        if (!('run' in slot)) return slot;
        return { run: (call) => slot.run(call), release: () => (events.push('released'), slot.release()) };
      },
    };
    const lookup = batchedEmailLookup(d365.inner, gate, options);
    const creates = ['ana@example.com', 'cy@example.com'].map(async (email) => {
      await lookup.findCustomersByEmail('USRT', email);
      const slot = await gate.acquire(1_000); // the create, right after its answer (no I/O between)
      if ('run' in slot) await slot.release();
    });
    await Promise.all(creates);
    expect(events.slice(0, 4)).toEqual(['lookup asks', 'create asks', 'create asks', 'released']);
  });

  it('sends a lone lookup at once, without waiting for the window, as the single query', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    try {
      const d365 = stubD365(ACCOUNTS);
      const lookup = batchedEmailLookup(d365.inner, d365Gate(4), { ...options, windowMs: 60_000 });
      // No timer is advanced: the answer comes without the 60-second window ever running out.
      await expect(lookup.findCustomersByEmail('USRT', 'ana@example.com')).resolves.toEqual(['US-001']);
      expect(d365.calls).toEqual([{ kind: 'one', emails: ['ana@example.com'] }]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('collects lookups that arrive while a batch is in flight into the next batch', async () => {
    const d365 = stubD365(ACCOUNTS);
    const lookup = batchedEmailLookup(d365.inner, d365Gate(4), options);
    d365.holdCalls();
    const first = lookup.findCustomersByEmail('USRT', 'ana@example.com');
    await new Promise((resolve) => setImmediate(resolve));
    const later = ['bo@example.com', 'cy@example.com', 'dee@example.com'].map((e) =>
      lookup.findCustomersByEmail('USRT', e),
    );
    d365.open();
    await expect(first).resolves.toEqual(['US-001']);
    await expect(Promise.all(later)).resolves.toEqual([['US-002', 'US-003'], [], []]);
    expect(d365.calls.map((c) => c.emails.length)).toEqual([1, 3]);
  });

  it('keeps a batch open while it waits for a gate slot, and holds one slot per batch', async () => {
    const d365 = stubD365(ACCOUNTS);
    const gate = d365Gate(1);
    const create = await gate.acquire(1_000);
    if (!('run' in create)) throw new Error('no slot');
    const lookup = batchedEmailLookup(d365.inner, gate, options);
    const answers = Promise.all(
      ['ana@example.com', 'bo@example.com'].map((e) => lookup.findCustomersByEmail('USRT', e)),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    const late = lookup.findCustomersByEmail('USRT', 'cy@example.com');
    expect(d365.calls).toEqual([]); // the only slot is the create's
    await create.release();
    await expect(answers).resolves.toEqual([['US-001'], ['US-002', 'US-003']]);
    await expect(late).resolves.toEqual([]);
    expect(d365.calls).toEqual([
      { kind: 'many', emails: ['ana@example.com', 'bo@example.com', 'cy@example.com'] },
    ]);
  });

  it('takes its slot ahead of the creates already waiting on the instance (their requests wait for it)', async () => {
    const d365 = stubD365(ACCOUNTS);
    const gate = d365Gate(1);
    const held = await gate.acquire(1_000);
    if (!('run' in held)) throw new Error('no slot');
    const order: string[] = [];
    const create = gate.acquire(1_000).then(async (slot) => {
      order.push('create');
      if ('run' in slot) await slot.release();
    });
    const lookup = batchedEmailLookup(d365.inner, gate, options);
    const found = lookup.findCustomersByEmail('USRT', 'ana@example.com').then((accounts) => {
      order.push('lookup');
      return accounts;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await held.release();
    await expect(found).resolves.toEqual(['US-001']);
    await create;
    expect(order).toEqual(['lookup', 'create']);
  });

  it('caps a batch at maxBatch e-mails and at the query string limit', async () => {
    const d365 = stubD365(ACCOUNTS);
    const lookup = batchedEmailLookup(d365.inner, d365Gate(4), { ...options, maxBatch: 3 });
    const emails = Array.from({ length: 7 }, (_, i) => `c${i}@example.com`);
    await Promise.all(emails.map((e) => lookup.findCustomersByEmail('USRT', e)));
    expect(d365.calls.map((c) => c.emails.length)).toEqual([3, 3, 1]);

    const short = stubD365(ACCOUNTS);
    // Room for about two e-mails of this length in the query string.
    const tight = batchedEmailLookup(short.inner, d365Gate(4), { ...options, maxQueryLength: 260 });
    await Promise.all(emails.slice(0, 4).map((e) => tight.findCustomersByEmail('USRT', e)));
    expect(short.calls.map((c) => c.emails.length)).toEqual([2, 2]);
  });

  it('sends one e-mail once when several callers look it up, and answers each of them', async () => {
    const d365 = stubD365(ACCOUNTS);
    const lookup = batchedEmailLookup(d365.inner, d365Gate(4), options);
    const answers = await Promise.all(
      ['bo@example.com', 'BO@example.com', 'ana@example.com'].map((e) =>
        lookup.findCustomersByEmail('USRT', e),
      ),
    );
    expect(answers).toEqual([['US-002', 'US-003'], ['US-002', 'US-003'], ['US-001']]);
    expect(d365.calls).toEqual([{ kind: 'many', emails: ['bo@example.com', 'ana@example.com'] }]);
  });

  it('batches per legal entity', async () => {
    const d365 = stubD365(ACCOUNTS);
    const lookup = batchedEmailLookup(d365.inner, d365Gate(4), options);
    await Promise.all([
      lookup.findCustomersByEmail('USRT', 'ana@example.com'),
      lookup.findCustomersByEmail('DEMF', 'bo@example.com'),
      lookup.findCustomersByEmail('usrt', 'cy@example.com'),
    ]);
    expect(d365.calls.map((c) => c.emails)).toEqual([
      ['ana@example.com', 'cy@example.com'],
      ['bo@example.com'],
    ]);
  });

  it('looks an e-mail up alone when the batch’s answer cannot tell its accounts completely', async () => {
    const d365 = stubD365(ACCOUNTS);
    d365.incompleteFor('bo@example.com');
    const lookup = batchedEmailLookup(d365.inner, d365Gate(4), options);
    const answers = await Promise.all(
      ['ana@example.com', 'bo@example.com'].map((e) => lookup.findCustomersByEmail('USRT', e)),
    );
    expect(answers).toEqual([['US-001'], ['US-002', 'US-003']]);
    expect(d365.calls).toEqual([
      { kind: 'many', emails: ['ana@example.com', 'bo@example.com'] },
      { kind: 'one', emails: ['bo@example.com'] },
    ]);
    expect(lookup.lookupStats().alone).toBe(1);
  });

  it('gives every caller of a failed batch its error, and the next batch goes on', async () => {
    const d365 = stubD365(ACCOUNTS);
    const lookup = batchedEmailLookup(d365.inner, d365Gate(4), options);
    d365.failOnce(transient('D365 answered 503'));
    const failed = await Promise.allSettled(
      ['ana@example.com', 'bo@example.com'].map((e) => lookup.findCustomersByEmail('USRT', e)),
    );
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((failed[0] as PromiseRejectedResult).reason).toMatchObject({
      failure: { reason: 'D365 answered 503' },
    });
    await expect(lookup.findCustomersByEmail('USRT', 'ana@example.com')).resolves.toEqual(['US-001']);
  });

  it('pauses the gate on a 429 of a batch, so no call starts before Retry-After', async () => {
    const d365 = stubD365(ACCOUNTS);
    const gate = d365Gate(4);
    const lookup = batchedEmailLookup(d365.inner, gate, options);
    d365.failOnce(transient('D365 throttled the request (429)', { retryAfterSeconds: 30, throttled: true }));
    const before = Date.now();
    await expect(lookup.findCustomersByEmail('USRT', 'ana@example.com')).rejects.toMatchObject({
      failure: { throttled: true },
    });
    expect(gate.pausedUntil()).toBeGreaterThanOrEqual(before + 30_000);
    await expect(lookup.findCustomersByEmail('USRT', 'bo@example.com')).rejects.toBeInstanceOf(
      D365GateUnavailableError,
    );
    expect(d365.calls).toHaveLength(1);
  });

  it('charges a batch’s 429 to its first caller only: the others get the pause and keep their attempts', async () => {
    const d365 = stubD365(ACCOUNTS);
    const gate = d365Gate(4);
    const lookup = batchedEmailLookup(d365.inner, gate, options);
    d365.failOnce(transient('D365 throttled the request (429)', { retryAfterSeconds: 30, throttled: true }));
    const before = Date.now();
    const failed = await Promise.allSettled(
      ['ana@example.com', 'bo@example.com', 'cy@example.com'].map((e) =>
        lookup.findCustomersByEmail('USRT', e),
      ),
    );
    const reasons = failed.map((r) => (r as PromiseRejectedResult).reason as unknown);
    expect(reasons[0]).toMatchObject({ failure: { throttled: true } });
    for (const reason of reasons.slice(1)) {
      expect(reason).toBeInstanceOf(D365GateUnavailableError);
      expect(reason).toMatchObject({ reason: 'paused' });
      expect((reason as D365GateUnavailableError).retryAt).toBeGreaterThanOrEqual(before + 30_000);
    }
    expect(d365.calls).toHaveLength(1);
  });

  it('sends nothing and says when to ask again when no gate slot comes in time', async () => {
    const d365 = stubD365(ACCOUNTS);
    const gate: D365Gate = {
      acquire: async () => ({ retryAt: 1_000_000, reason: 'paused' }),
      pause: () => undefined,
      pausedUntil: () => 1_000_000,
    };
    const lookup = batchedEmailLookup(d365.inner, gate, options);
    const results = await Promise.allSettled(
      ['ana@example.com', 'bo@example.com'].map((e) => lookup.findCustomersByEmail('USRT', e)),
    );
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const reason = (result as PromiseRejectedResult).reason as D365GateUnavailableError;
      expect(reason).toBeInstanceOf(D365GateUnavailableError);
      expect(reason).toMatchObject({ retryAt: 1_000_000, reason: 'paused' });
    }
    expect(d365.calls).toEqual([]);
  });

  it('refuses an e-mail the safe filter builder refuses, without joining a batch', async () => {
    const d365 = stubD365(ACCOUNTS);
    const lookup = batchedEmailLookup(d365.inner, d365Gate(4), options);
    await expect(lookup.findCustomersByEmail('USRT', '*@example.com')).rejects.toMatchObject({
      name: 'UnsafeODataValueError',
    });
    expect(d365.calls).toEqual([]);
  });

  it('passes the client’s other methods through', async () => {
    const d365 = stubD365(ACCOUNTS);
    const createCustomer = jest.fn(async (_request: unknown) => ({ customerAccount: 'US-9' }));
    const lookup = batchedEmailLookup({ ...d365.inner, createCustomer }, d365Gate(4), options);
    await expect(lookup.createCustomer({} as never)).resolves.toEqual({ customerAccount: 'US-9' });
  });
});

describe('attributing the rows of a batched answer', () => {
  const emails = ['Ana@Example.com', 'bo@example.com'];

  it('matches e-mails without regard to case or trailing spaces, as F&O’s collation does', () => {
    const rows = [
      { CustomerAccount: 'US-2', PrimaryContactEmail: 'BO@EXAMPLE.COM' },
      { CustomerAccount: 'US-1', PrimaryContactEmail: 'ana@example.com  ' },
      { CustomerAccount: 'US-3', PrimaryContactEmail: 'bo@example.com' },
    ];
    expect(attributeLookupRows(emails, rows, { top: 20, nextLink: false })).toEqual(
      new Map([
        ['Ana@Example.com', ['US-1']],
        ['bo@example.com', ['US-2', 'US-3']],
      ]),
    );
  });

  it('cannot tell an e-mail with fewer than the lookup’s top rows from a full page', () => {
    const many = Array.from({ length: CUSTOMER_LOOKUP_TOP }, (_, i) => ({
      CustomerAccount: `US-${i}`,
      PrimaryContactEmail: 'bo@example.com',
    }));
    const rows = [...many, { CustomerAccount: 'US-A', PrimaryContactEmail: 'ana@example.com' }];
    const full = attributeLookupRows(emails, rows, { top: rows.length, nextLink: false });
    expect(full.get('Ana@Example.com')).toBeUndefined();
    expect(full.get('bo@example.com')).toHaveLength(CUSTOMER_LOOKUP_TOP);
    const paged = attributeLookupRows(emails, rows.slice(-1), { top: 20, nextLink: true });
    expect(paged.get('Ana@Example.com')).toBeUndefined();
  });

  it('cannot tell anything when a row matches none of the e-mails by our comparison', () => {
    // D365 answered a row for an e-mail we did not ask for (its collation may equate what ours does not).
    const rows = [{ CustomerAccount: 'US-K', PrimaryContactEmail: 'other@example.com' }];
    const answer = attributeLookupRows(['kim@example.com'], rows, { top: 10, nextLink: false });
    expect(answer.get('kim@example.com')).toBeUndefined();
  });
});
