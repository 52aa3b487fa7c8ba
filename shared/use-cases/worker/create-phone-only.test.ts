import { testWorkerDeps } from '../../../test/support/worker-deps';
import { memoryStatusStore } from '../../../test/support/memory-status-store';
import { memoryIdentityClaims } from '../../../test/support/memory-identity-claims';
import { sampleCustomer } from '../../../test/fixtures/sample-customers';
import { acceptCustomer } from '../accept-customer';
import { claimKeyOf, matchKeyOf } from '../../domain/customer-match';
import { toStatusAnswer } from '../../domain/status';
import type { NameAndPhoneMatch } from '../../domain/recovery-match';
import type { QueueMessage } from '../../domain/queue-message';
import { CustomerQueue, D365Client, PersonKey } from '../../ports';
import { WorkerDeps } from './deps';
import { processQueuedRequest } from './dispatch';

/**
 * A customer without an e-mail (issue 32): the duplicate policy looks it up by name and phone among
 * D365's customers without an e-mail, under a fleet-wide claim on that key, never by e-mail.
 */
function setup(
  policy: WorkerDeps['duplicatePolicy'],
  byNameAndPhone: (NameAndPhoneMatch[] | undefined)[],
  possibleDuplicates?: string[],
) {
  const statusStore = memoryStatusStore();
  const sent: QueueMessage[] = [];
  const queue: CustomerQueue = { send: async (message) => void sent.push(message) };
  const calls: string[] = [];
  const nameLookups: PersonKey[] = [];
  const clock = new Date('2026-12-07T12:00:00.000Z');
  const d365: D365Client = {
    createCustomer: async () => {
      calls.push('create');
      return { customerAccount: 'US-000900' };
    },
    findCustomersByEmail: async () => {
      calls.push('email-lookup');
      return [];
    },
    findCustomersByNameAndPhone: async (_legalEntity, person) => {
      calls.push('name-and-phone-lookup');
      nameLookups.push(person);
      return byNameAndPhone.shift();
    },
    ...(possibleDuplicates && {
      findPossibleDuplicates: async (_legalEntity: string, person: PersonKey) => {
        calls.push('possible-duplicates-lookup');
        nameLookups.push(person);
        return possibleDuplicates;
      },
    }),
  };
  const claims = memoryIdentityClaims(() => clock);
  const claimed: string[] = [];
  const deps = testWorkerDeps({
    statusStore,
    queue,
    d365,
    duplicatePolicy: policy,
    retry: { baseSeconds: 2, maxDelaySeconds: 300, maxAttempts: 10, maxTotalSeconds: 3600 },
    identityClaims: {
      ...claims,
      claim: (key, owner, until) => {
        claimed.push(key);
        return claims.claim(key, owner, until);
      },
    },
    settleSeconds: 5,
    now: () => clock,
  });
  return { deps, sent, calls, nameLookups, claimed, record: (id: string) => statusStore.records.get(id)! };
}

/** The full sample without its e-mail, its phone written nationally (read in the address country, USA). */
function phoneOnly() {
  const body = sampleCustomer('full');
  delete body.Customer.EmailAddress;
  body.Customer.LastName = 'Berg';
  body.Customer.ContactNumber = '(425) 555-0100';
  return body;
}

async function run(app: ReturnType<typeof setup>) {
  const result = await acceptCustomer(phoneOnly(), app.deps);
  if (result.kind !== 'accepted') throw new Error(result.kind);
  const outcome = await processQueuedRequest(app.sent.at(-1)!, app.deps);
  return { id: result.record.correlationId, outcome };
}

const row = (account: string, hasEmail = false): NameAndPhoneMatch => ({ account, hasEmail });

describe('a customer without an e-mail', () => {
  it('is created when D365 has nobody of its name and phone; looked up by E.164, never by e-mail', async () => {
    const app = setup('link', [[]]);
    const { id, outcome } = await run(app);
    expect(outcome).toMatchObject({ kind: 'succeeded', customerAccount: 'US-000900', outcome: 'created' });
    expect(app.calls).toEqual(['name-and-phone-lookup', 'create']);
    expect(app.nameLookups).toEqual([{ firstName: 'Cust', lastName: 'Berg', phone: '+14255550100' }]);
    // The fleet-wide claim is on the household's key: last name and phone (possible duplicates too).
    const key = claimKeyOf(
      'USRT',
      matchKeyOf({ FirstName: 'Cust', LastName: 'Berg', ContactNumber: '+14255550100' }),
    );
    expect(app.claimed).toEqual([key]);
    expect(app.record(id).emailKey).toBeUndefined();
  });

  it('is linked to the one customer without an e-mail of its name and phone (matchedOn name_and_phone)', async () => {
    const app = setup('link', [[row('US-000001')]]);
    const { id, outcome } = await run(app);
    expect(outcome).toMatchObject({ kind: 'succeeded', customerAccount: 'US-000001', outcome: 'linked' });
    expect(app.calls).toEqual(['name-and-phone-lookup']);
    expect(app.record(id).matchedOn).toBe('name_and_phone');
  });

  it('never takes a customer that holds an e-mail for it', async () => {
    const app = setup('link', [[row('US-000001', true)]]);
    const { outcome } = await run(app);
    expect(outcome).toMatchObject({ kind: 'succeeded', customerAccount: 'US-000900', outcome: 'created' });
  });

  it('is for an operator when several match: needs_review with the accounts and the fields, no values', async () => {
    const app = setup('link', [[row('US-000001'), row('US-000002')]]);
    const { id } = await run(app);
    expect(app.calls).toEqual(['name-and-phone-lookup']);
    const answer = toStatusAnswer(app.record(id));
    expect(answer).toMatchObject({
      status: 'needs_review',
      error: { code: 'account_not_found' },
      existingAccounts: ['US-000001', 'US-000002'],
      matchedOn: 'name_and_phone',
    });
    expect(JSON.stringify(answer)).not.toMatch(/Berg|555|Cust/);
  });

  it('is refused under DUPLICATE_POLICY=reject when one matches', async () => {
    const app = setup('reject', [[row('US-000001')]]);
    const { id } = await run(app);
    expect(app.record(id)).toMatchObject({
      status: 'failed',
      errorCode: 'duplicate',
      matchedOn: 'name_and_phone',
    });
  });

  it('is for an operator when its name cannot be looked up exactly (the lookup did not run)', async () => {
    const app = setup('link', [undefined]);
    const { id } = await run(app);
    expect(app.record(id)).toMatchObject({ status: 'needs_review', errorCode: 'account_not_found' });
    expect(app.calls).not.toContain('create');
  });

  it('is for an operator when nobody matches exactly but a possible duplicate exists (an initial): never linked, never created', async () => {
    const app = setup('link', [[]], ['US-000007']);
    const { id, outcome } = await run(app);
    expect(outcome).toEqual({ kind: 'needs-review' });
    expect(app.calls).toEqual(['name-and-phone-lookup', 'possible-duplicates-lookup']);
    expect(app.nameLookups[1]).toEqual({ firstName: 'Cust', lastName: 'Berg', phone: '+14255550100' });
    const answer = toStatusAnswer(app.record(id));
    expect(answer).toMatchObject({
      status: 'needs_review',
      error: { code: 'possible_duplicate' },
      existingAccounts: ['US-000007'],
      matchedOn: 'name_initial_and_phone',
    });
    expect(JSON.stringify(answer)).not.toMatch(/Berg|555|Cust/);
  });

  it('is created when nobody matches exactly and nobody is a possible duplicate', async () => {
    const app = setup('link', [[]], []);
    const { outcome } = await run(app);
    expect(outcome).toMatchObject({ kind: 'succeeded', customerAccount: 'US-000900', outcome: 'created' });
    expect(app.calls).toEqual(['name-and-phone-lookup', 'possible-duplicates-lookup', 'create']);
  });

  it('looks for possible duplicates only when nobody matches exactly', async () => {
    const app = setup('link', [[row('US-000001')]], ['US-000007']);
    const { outcome } = await run(app);
    expect(outcome).toMatchObject({ kind: 'succeeded', customerAccount: 'US-000001', outcome: 'linked' });
    expect(app.calls).toEqual(['name-and-phone-lookup']);
  });
});
