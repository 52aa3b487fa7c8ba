import { testWorkerDeps } from '../../../test/support/worker-deps';
import { memoryStatusStore } from '../../../test/support/memory-status-store';
import { acceptCustomer } from '../accept-customer';
import { transient } from '../../domain/failure';
import { ACCOUNT_LOOKUP_ROUNDS } from './deps';
import { processQueuedRequest } from './dispatch';
import { replayFailedRequest } from '../replay-request';
import { QueueMessage } from '../../domain/queue-message';
import { toStatusAnswer } from '../../domain/status';
import { CustomerQueue, D365Client, PersonKey } from '../../ports';
import { NameAndPhoneMatch } from '../../domain/recovery-match';
import { sampleCustomer } from '../../../test/fixtures/sample-customers';

/**
 * The answer classes of issue 11 as the worker meets them: a 2xx without an account (look it up,
 * never create again; `needs_review` if it cannot be found) and an uncertain create that is only
 * repeated once D365 had time to settle.
 */
type CreateAnswer = () => Promise<{ customerAccount?: string }>;

function setup(
  create: CreateAnswer,
  lookups: (string | undefined)[],
  byNameAndPhone: NameAndPhoneMatch[][] = [],
) {
  const statusStore = memoryStatusStore();
  const sent: { message: QueueMessage; delaySeconds?: number }[] = [];
  const queue: CustomerQueue = {
    send: async (message, o) => void sent.push({ message, delaySeconds: o?.delaySeconds }),
  };
  const calls: string[] = [];
  const nameLookups: PersonKey[] = [];
  let clock = new Date('2026-11-26T18:00:00.000Z');
  const d365: D365Client = {
    createCustomer: async () => {
      calls.push('create');
      return create();
    },
    findCustomersByEmail: async () => {
      calls.push('lookup');
      const found = lookups.shift();
      return found === undefined ? [] : [found];
    },
    findCustomersByNameAndPhone: async (_legalEntity, person) => {
      nameLookups.push(person);
      return byNameAndPhone.shift() ?? [];
    },
  };
  const deps = testWorkerDeps({
    statusStore,
    queue,
    d365,
    duplicatePolicy: 'create',
    retry: { baseSeconds: 2, maxDelaySeconds: 300, maxAttempts: 10, maxTotalSeconds: 3600 },
    settleSeconds: 5,
    now: () => clock,
  });
  return {
    deps,
    sent,
    calls,
    nameLookups,
    advance: (seconds: number) => (clock = new Date(clock.getTime() + seconds * 1000)),
    record: (id: string) => statusStore.records.get(id)!,
    /** Delivers the last queued message again, after its delay has passed. */
    async next() {
      const last = sent.at(-1)!;
      clock = new Date(clock.getTime() + (last.delaySeconds ?? 0) * 1000);
      return processQueuedRequest(last.message, deps);
    },
  };
}

async function accepted(app: ReturnType<typeof setup>): Promise<string> {
  const result = await acceptCustomer(sampleCustomer('full'), app.deps);
  if (result.kind !== 'accepted') throw new Error(result.kind);
  return result.record.correlationId;
}

describe('a 2xx without a customer account', () => {
  it('is a created customer whose account is looked up after the settle time, never a second create', async () => {
    const app = setup(async () => ({}), [undefined, 'US-000777']);
    const id = await accepted(app);

    await expect(app.next()).resolves.toEqual({ kind: 'retrying', delaySeconds: 5 });
    expect(app.record(id)).toMatchObject({ status: 'retrying' });
    expect(app.record(id).acceptedWithoutAccountAt).toBeDefined();
    expect(app.record(id).errorCode).toBeUndefined();

    // Not visible yet on the first look: look again, do not create.
    await expect(app.next()).resolves.toMatchObject({ kind: 'retrying' });
    await expect(app.next()).resolves.toEqual({
      kind: 'succeeded',
      customerAccount: 'US-000777',
      outcome: 'created',
    });
    expect(app.calls).toEqual(['create', 'lookup', 'lookup']);
  });

  it('ends as needs_review when it cannot be found, and an operator replay is refused', async () => {
    const app = setup(async () => ({}), []);
    const id = await accepted(app);
    for (let i = 0; i < 10 && app.record(id).status !== 'needs_review'; i += 1) await app.next();

    expect(app.calls.filter((c) => c === 'create')).toHaveLength(1);
    expect(app.calls.filter((c) => c === 'lookup').length).toBeGreaterThanOrEqual(ACCOUNT_LOOKUP_ROUNDS);
    const answer = toStatusAnswer(app.record(id));
    expect(answer).toMatchObject({ status: 'needs_review', error: { code: 'account_not_found' } });
    expect(answer.error?.message).toMatch(/never replayed/);
    await expect(replayFailedRequest(id, app.deps)).resolves.toEqual({ kind: 'not-failed' });
  });
});

describe('an uncertain create', () => {
  it('is not repeated before D365 had the settle time to show the customer', async () => {
    let creates = 0;
    const app = setup(async () => {
      creates += 1;
      if (creates === 1) throw transient('D365 timed out', { uncertain: true });
      return { customerAccount: 'US-000002' };
    }, [undefined, undefined]);
    const id = await accepted(app);

    // The timeout: retried after back-off (random 0.5 of 2 s = 1 s), shorter than the settle time.
    await expect(app.next()).resolves.toMatchObject({ kind: 'retrying' });
    expect(app.sent.at(-1)!.delaySeconds).toBe(1);
    // One second later the lookup finds nothing, but 5 s have not passed: look again at 5 s.
    await expect(app.next()).resolves.toEqual({ kind: 'retrying', delaySeconds: 4 });
    expect(app.calls).toEqual(['create', 'lookup']);
    // Settled and still not there: now it is safe to create again.
    await expect(app.next()).resolves.toMatchObject({ kind: 'succeeded', customerAccount: 'US-000002' });
    expect(app.calls).toEqual(['create', 'lookup', 'lookup', 'create']);
    expect(app.record(id).status).toBe('succeeded');
  });

  it('records the customer a slow commit shows on the look after the settle time', async () => {
    const app = setup(async () => {
      throw transient('D365 answered 504', { uncertain: true });
    }, [undefined, 'US-000003']);
    await accepted(app);
    await app.next();
    await app.next();
    await expect(app.next()).resolves.toMatchObject({ kind: 'succeeded', customerAccount: 'US-000003' });
    expect(app.calls).toEqual(['create', 'lookup', 'lookup']);
  });
});

describe('a recovery lookup by name and phone', () => {
  const theirs = (account: string, hasEmail = false): NameAndPhoneMatch => ({ account, hasEmail });

  it('recovers the one customer without an e-mail that has the name and phone, and says it matched on them', async () => {
    // The custom service's X++ code did not store the e-mail: nobody has it; one customer has the name and phone.
    const app = setup(async () => ({}), [undefined], [[theirs('US-000900')]]);
    const id = await accepted(app);
    await app.next(); // the 2xx without an account
    await expect(app.next()).resolves.toEqual({
      kind: 'succeeded',
      customerAccount: 'US-000900',
      outcome: 'created',
    });
    expect(app.nameLookups).toEqual([{ firstName: 'Cust', phone: '+923004000101' }]);
    expect(app.calls).toEqual(['create', 'lookup']);
    const answer = toStatusAnswer(app.record(id));
    expect(answer).toMatchObject({ status: 'succeeded', matchedOn: 'name_and_phone' });
    expect(JSON.stringify(answer)).not.toMatch(/Cust|923004000101/);
  });

  it('says matchedOn email when the e-mail found it, without looking up the name and phone', async () => {
    const app = setup(async () => ({}), ['US-000901'], [[theirs('US-000999')]]);
    const id = await accepted(app);
    await app.next();
    await expect(app.next()).resolves.toMatchObject({ kind: 'succeeded', customerAccount: 'US-000901' });
    expect(app.nameLookups).toEqual([]);
    expect(toStatusAnswer(app.record(id)).matchedOn).toBe('email');
  });

  it('ends as needs_review listing the candidates when several customers have the name and phone', async () => {
    const app = setup(async () => ({}), [undefined], [[theirs('US-000910'), theirs('US-000911')]]);
    const id = await accepted(app);
    await app.next();
    await expect(app.next()).resolves.toEqual({ kind: 'needs-review' });
    expect(app.calls.filter((c) => c === 'create')).toHaveLength(1);
    const answer = toStatusAnswer(app.record(id));
    expect(answer).toMatchObject({
      status: 'needs_review',
      error: { code: 'account_not_found' },
      existingAccounts: ['US-000910', 'US-000911'],
      matchedOn: 'name_and_phone',
    });
    expect(answer.error?.message).toMatch(/2 customers .* name and phone/);
  });

  it('does not take a customer that holds another e-mail for the request’s, and creates again only after settling', async () => {
    let creates = 0;
    const app = setup(
      async () => {
        creates += 1;
        if (creates === 1) throw transient('D365 timed out', { uncertain: true });
        return { customerAccount: 'US-000920' };
      },
      [undefined, undefined],
      [[theirs('US-000001', true)], [theirs('US-000001', true)]],
    );
    const id = await accepted(app);
    await app.next(); // the timeout
    await expect(app.next()).resolves.toMatchObject({ kind: 'retrying' }); // not settled yet
    await expect(app.next()).resolves.toMatchObject({ kind: 'succeeded', customerAccount: 'US-000920' });
    expect(app.calls).toEqual(['create', 'lookup', 'lookup', 'create']);
    // By name and phone only once settled, where a miss sends the create again.
    expect(app.nameLookups).toHaveLength(1);
    expect(app.record(id).matchedOn).toBeUndefined();
  });
});
