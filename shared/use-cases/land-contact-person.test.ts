import { memoryStatusStore } from '../../test/support/memory-status-store';
import { memoryIdentityClaims } from '../../test/support/memory-identity-claims';
import { testWorkerDeps } from '../../test/support/worker-deps';
import { d365Gate } from '../adapters/d365/d365-gate';
import type { ContactIdentity, ContactPerson } from '../domain/contact-person';
import { permanent, transient } from '../domain/failure';
import { QueueMessage } from '../domain/queue-message';
import { toStatusAnswer } from '../domain/status';
import { CustomerQueue, D365Client, D365ContactPersons, TelemetryEvent } from '../ports';
import { acceptCustomer } from './accept-customer';
import { contactsClaimKey } from './land-contact-person';
import { WorkerDeps } from './worker/deps';
import { processQueuedRequest } from './worker/dispatch';

/**
 * The worker lands an organisation's contact person (CustomersV3 target) through the contact persons
 * port: listed before the post, never posted twice, a failure reported without failing the
 * organisation (our own ports stubbed; no sockets).
 */
const organisation = (extra: Record<string, unknown> = {}) => ({
  Customer: {
    LegalEntity: 'USRT',
    PartyType: 'Organization',
    OrganizationName: 'Contoso',
    TaxNumber: 'US123456789',
    FirstName: 'Jana',
    LastName: 'Novak',
    EmailAddress: 'jana@contoso.example',
    ContactNumber: '+14255550100',
    CurrencyCode: 'USD',
    ...extra,
  },
});

type Post = (contact: ContactPerson, stored: ContactIdentity[]) => Promise<void>;

function setup(options: { post?: Post; target?: WorkerDeps['target']; stored?: ContactIdentity[] } = {}) {
  const statusStore = memoryStatusStore();
  const sent: QueueMessage[] = [];
  const queue: CustomerQueue = { send: async (message) => void sent.push(message) };
  const events: TelemetryEvent[] = [];
  const clock = new Date('2026-12-01T20:00:00.000Z');
  const stored: ContactIdentity[] = [...(options.stored ?? [])];
  const calls: string[] = [];
  const d365: D365Client = {
    createCustomer: async () => ({ customerAccount: 'US-000042' }),
    findCustomersByEmail: async () => [],
    findCustomersByNameAndPhone: async () => [],
  };
  const contactPersons: D365ContactPersons = {
    listContactPersons: async (legalEntity, account) => {
      calls.push(`list ${legalEntity} ${account}`);
      return stored.map((c) => ({ ...c }));
    },
    addContactPerson: async (legalEntity, account, contact) => {
      calls.push(`post ${legalEntity} ${account}`);
      if (options.post) return options.post(contact, stored);
      stored.push(contact);
    },
  };
  const identityClaims = memoryIdentityClaims(() => clock);
  const deps = testWorkerDeps({
    statusStore,
    queue,
    poisonQueue: queue,
    telemetry: { trackEvent: (event) => void events.push(event), trackMetric: () => {} },
    d365,
    gate: d365Gate(2),
    target: options.target ?? 'odata',
    duplicatePolicy: 'create',
    retry: { baseSeconds: 0.01, maxDelaySeconds: 0.05, maxAttempts: 3, maxTotalSeconds: 3600 },
    identityClaims,
    now: () => clock,
    contactPersons,
  });
  const run = async (body: Record<string, unknown> = organisation()) => {
    const accepted = await acceptCustomer(body, deps);
    expect(accepted.kind).toBe('accepted');
    const message = sent.at(-1)!;
    const result = await processQueuedRequest(message, deps);
    return { result, record: statusStore.records.get(message.correlationId)! };
  };
  return { stored, calls, events, run, identityClaims };
}

describe('landing an organisation’s contact person (CustomersV3 target)', () => {
  it('lists the organisation’s contacts, posts its contact person once and records `created`', async () => {
    const app = setup();
    const { result, record } = await app.run();
    expect(result).toMatchObject({ kind: 'succeeded', customerAccount: 'US-000042', outcome: 'created' });
    expect(app.calls).toEqual(['list USRT US-000042', 'post USRT US-000042']);
    expect(app.stored).toEqual([
      { firstName: 'Jana', lastName: 'Novak', email: 'jana@contoso.example', phone: '+14255550100' },
    ]);
    const answer = toStatusAnswer(record);
    expect(answer.contactPerson).toBe('created');
    expect(JSON.stringify(answer)).not.toContain('Novak'); // the outcome, never the values
    expect(app.events.find((e) => e.name === 'CustomerContactPerson')).toMatchObject({
      properties: { outcome: 'created' },
    });
  });

  it('does not post a contact that is already there (same e-mail, another case): `found`', async () => {
    const app = setup({ stored: [{ firstName: 'J.', lastName: 'Novak', email: 'JANA@contoso.example' }] });
    const { record } = await app.run();
    expect(app.calls).toEqual(['list USRT US-000042']);
    expect(toStatusAnswer(record).contactPerson).toBe('found');
  });

  it('after an uncertain failure (a 504 after D365 added it) lists again and does not post twice', async () => {
    let struck = false;
    const app = setup({
      post: async (contact, stored) => {
        stored.push(contact);
        if (!struck) {
          struck = true;
          throw transient('gateway 504', { uncertain: true });
        }
      },
    });
    const { record } = await app.run();
    expect(app.calls).toEqual(['list USRT US-000042', 'post USRT US-000042', 'list USRT US-000042']);
    expect(app.stored).toHaveLength(1);
    expect(toStatusAnswer(record).contactPerson).toBe('created');
  });

  it('a refused contact is `failed` and the organisation stays `succeeded`', async () => {
    const app = setup({
      post: async () => {
        throw permanent('business_error', 'Infolog: Warning: something');
      },
    });
    const { result, record } = await app.run();
    expect(result).toMatchObject({ kind: 'succeeded', outcome: 'created' });
    expect(app.calls).toEqual(['list USRT US-000042', 'post USRT US-000042', 'list USRT US-000042']);
    expect(toStatusAnswer(record).contactPerson).toBe('failed');
  });

  it('waits for another request holding the organisation’s contact claim, then finds its contact', async () => {
    const app = setup();
    const held = await app.identityClaims.claim(
      contactsClaimKey('USRT', 'US-000042'),
      'other-request',
      new Date('2026-12-01T20:01:00.000Z').toISOString(),
    );
    expect('held' in held).toBe(false);
    // The other request ends: its contact is there and its claim released.
    setTimeout(() => {
      app.stored.push({ firstName: 'Jana', lastName: 'Novak', email: 'jana@contoso.example' });
      if (!('held' in held)) void held.release();
    }, 50);
    const { record } = await app.run();
    expect(app.calls).toEqual(['list USRT US-000042']);
    expect(toStatusAnswer(record).contactPerson).toBe('found');
  });

  it('lands nothing for a person, nor on the custom-service target', async () => {
    const person = setup();
    const { record } = await person.run({
      Customer: {
        ...organisation().Customer,
        PartyType: undefined,
        OrganizationName: undefined,
        TaxNumber: undefined,
      },
    });
    expect(person.calls).toEqual([]);
    expect(toStatusAnswer(record)).not.toHaveProperty('contactPerson');
    const custom = setup({ target: 'custom-service' });
    const second = await custom.run();
    expect(custom.calls).toEqual([]);
    expect(toStatusAnswer(second.record)).not.toHaveProperty('contactPerson');
  });
});
