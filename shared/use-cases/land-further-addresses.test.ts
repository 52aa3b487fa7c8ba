import { memoryStatusStore } from '../../test/support/memory-status-store';
import { memoryIdentityClaims } from '../../test/support/memory-identity-claims';
import { sampleCustomer } from '../../test/fixtures/sample-customers';
import { mapToCustomersV3 } from '../adapters/d365/d365-payload';
import { d365Gate } from '../adapters/d365/d365-gate';
import { permanent, transient } from '../domain/failure';
import { AddressPlace, FurtherAddress, placeKey } from '../domain/further-addresses';
import { toStatusAnswer } from '../domain/status';
import { acceptCustomer } from './accept-customer';
import { addressesClaimKey } from './land-further-addresses';
import { WorkerDeps } from './worker/deps';
import { processQueuedRequest } from './worker/dispatch';
import { QueueMessage } from '../domain/queue-message';
import { CustomerQueue, D365Client, D365PostalAddresses, TelemetryEvent } from '../ports';
import { testWorkerDeps } from '../../test/support/worker-deps';

/**
 * The worker lands a create's further addresses (CustomersV3 target) through the postal addresses
 * port: looked up before every post, never posted twice, failures reported by pointer without
 * failing the customer (our own ports stubbed; no sockets).
 */

/** The full sample with 3 billing and 3 shipping addresses: 2 + 2 beyond what CustomersV3 holds. */
function manyAddresses(): Record<string, unknown> {
  const body = sampleCustomer('full');
  const customer = body.Customer as {
    BillingAddress: Record<string, unknown>[];
    ShippingAddress: Record<string, unknown>[];
  };
  const [billing] = customer.BillingAddress;
  const [shipping] = customer.ShippingAddress;
  customer.BillingAddress.push(
    { ...billing, PrimaryAddress: 'No', Street: '2 Second Billing St', Addresstitle: 'Billing 2' },
    { ...billing, PrimaryAddress: 'No', Street: '3 Third Billing St', Addresstitle: 'Billing 3' },
  );
  customer.ShippingAddress.push(
    { ...shipping, Street: '2 Second Dock', Addresstitle: 'Dock 2' },
    { ...shipping, Street: '3 Third Dock', Addresstitle: 'Dock 3' },
  );
  return body;
}

const FURTHER = [
  '/Customer/BillingAddress/1',
  '/Customer/BillingAddress/2',
  '/Customer/ShippingAddress/1',
  '/Customer/ShippingAddress/2',
];

type Post = (address: FurtherAddress, stored: AddressPlace[]) => Promise<void>;

function setup(options: { post?: Post; target?: WorkerDeps['target']; deps?: Partial<WorkerDeps> } = {}) {
  const statusStore = memoryStatusStore();
  const sent: QueueMessage[] = [];
  const queue: CustomerQueue = { send: async (message) => void sent.push(message) };
  const events: TelemetryEvent[] = [];
  const clock = new Date('2026-12-01T20:00:00.000Z');
  const stored: AddressPlace[] = [];
  const calls: string[] = [];
  const d365: D365Client = {
    createCustomer: async () => ({ customerAccount: 'US-000042' }),
    findCustomersByEmail: async () => [],
    findCustomersByNameAndPhone: async () => [],
  };
  const postalAddresses: D365PostalAddresses = {
    listPostalAddresses: async (legalEntity, account) => {
      calls.push(`list ${legalEntity} ${account}`);
      return stored.map((place) => ({ ...place }));
    },
    addPostalAddress: async (_legalEntity, _account, address) => {
      calls.push(`post ${address.pointer} ${address.role}`);
      if (options.post) return options.post(address, stored);
      stored.push(address);
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
    duplicatePolicy: 'link',
    retry: { baseSeconds: 0.01, maxDelaySeconds: 0.05, maxAttempts: 3, maxTotalSeconds: 3600 },
    identityClaims,
    now: () => clock,
    postalAddresses,
    furtherAddressesOf: (request) => mapToCustomersV3(request).further,
    ...options.deps,
  });
  const run = async () => {
    const accepted = await acceptCustomer(manyAddresses(), deps);
    expect(accepted.kind).toBe('accepted');
    const message = sent.at(-1)!;
    const result = await processQueuedRequest(message, deps);
    return { result, record: statusStore.records.get(message.correlationId)! };
  };
  return { deps, stored, calls, events, run, identityClaims, statusStore };
}

describe('landing further addresses (CustomersV3 target)', () => {
  it('posts each address CustomersV3 could not hold once, after listing the customer’s addresses, and records them by pointer', async () => {
    const app = setup();
    const { result, record } = await app.run();
    expect(result).toEqual({ kind: 'succeeded', customerAccount: 'US-000042', outcome: 'created' });
    expect(app.calls).toEqual([
      'list USRT US-000042',
      'post /Customer/BillingAddress/1 Invoice',
      'post /Customer/BillingAddress/2 Invoice',
      'post /Customer/ShippingAddress/1 Delivery',
      'post /Customer/ShippingAddress/2 Delivery',
    ]);
    expect(toStatusAnswer(record).addresses).toEqual({ landed: FURTHER, failed: [] });
    expect(JSON.stringify(toStatusAnswer(record))).not.toContain('Billing St'); // pointers, never values
    const event = app.events.find((e) => e.name === 'CustomerAddresses');
    expect(event).toMatchObject({
      properties: { outcome: 'complete' },
      measurements: { addressesLanded: 4, addressesFailed: 0 },
    });
  });

  it('does not post an address D365 already holds at that place (compared as F&O does: case, trailing spaces)', async () => {
    const app = setup();
    app.stored.push({
      street: '2 SECOND BILLING ST  ',
      city: 'acworth',
      state: 'nh',
      zipCode: '00210',
      countryRegionId: 'usa',
    });
    const { record } = await app.run();
    expect(app.calls.filter((c) => c.startsWith('post'))).toEqual([
      'post /Customer/BillingAddress/2 Invoice',
      'post /Customer/ShippingAddress/1 Delivery',
      'post /Customer/ShippingAddress/2 Delivery',
    ]);
    expect(toStatusAnswer(record).addresses?.landed).toEqual(FURTHER);
  });

  it('after a 504 that came after D365 added the address, lists again and does not post it a second time', async () => {
    let struck = false;
    const app = setup({
      post: async (address, stored) => {
        stored.push(address);
        if (!struck && address.pointer === '/Customer/BillingAddress/2') {
          struck = true;
          throw transient('D365 answered 504', { uncertain: true });
        }
      },
    });
    const { result, record } = await app.run();
    expect(result.kind).toBe('succeeded');
    expect(app.calls.filter((c) => c === 'post /Customer/BillingAddress/2 Invoice')).toHaveLength(1);
    expect(app.calls.filter((c) => c.startsWith('list'))).toHaveLength(2);
    expect(new Set(app.stored.map(placeKey)).size).toBe(app.stored.length); // no duplicate place
    expect(toStatusAnswer(record).addresses).toEqual({ landed: FURTHER, failed: [] });
  });

  it('waits the settle time after an uncertain failure before listing again (a slow commit behind a 504)', async () => {
    let struck = false;
    const app = setup({
      deps: { settleSeconds: 0.4 },
      post: async (address, stored) => {
        if (!struck && address.pointer === '/Customer/ShippingAddress/1') {
          struck = true;
          setTimeout(() => stored.push(address), 200); // committed after the answer went out
          throw transient('D365 answered 504', { uncertain: true });
        }
        stored.push(address);
      },
    });
    const { record } = await app.run();
    expect(app.calls.filter((c) => c === 'post /Customer/ShippingAddress/1 Delivery')).toHaveLength(1);
    expect(new Set(app.stored.map(placeKey)).size).toBe(app.stored.length);
    expect(toStatusAnswer(record).addresses).toEqual({ landed: FURTHER, failed: [] });
  });

  it('reports an address D365 refuses (permanent) by pointer, lands the others, and keeps the customer created', async () => {
    const app = setup({
      post: async (address, stored) => {
        if (address.pointer === '/Customer/ShippingAddress/1')
          throw permanent(
            'business_error',
            "The value 'ZZ' in field 'State' is not found in the related table",
          );
        stored.push(address);
      },
    });
    const { result, record } = await app.run();
    expect(result).toMatchObject({ kind: 'succeeded', outcome: 'created' });
    expect(record.status).toBe('succeeded');
    expect(toStatusAnswer(record).addresses).toEqual({
      landed: FURTHER.filter((p) => p !== '/Customer/ShippingAddress/1'),
      failed: ['/Customer/ShippingAddress/1'],
    });
    expect(app.calls.filter((c) => c.startsWith('post /Customer/ShippingAddress/1'))).toHaveLength(1); // not retried
    expect(app.events.find((e) => e.name === 'CustomerAddresses')).toMatchObject({
      properties: { outcome: 'partial' },
      measurements: { addressesLanded: 3, addressesFailed: 1 },
    });
  });

  it('counts an address as landed when D365 answered an Infolog error but committed it (X++ error after the insert)', async () => {
    const app = setup({
      post: async (address, stored) => {
        stored.push(address);
        if (address.pointer === '/Customer/BillingAddress/1')
          throw permanent('business_error', 'Update has been canceled.');
      },
    });
    const { record } = await app.run();
    expect(toStatusAnswer(record).addresses).toEqual({ landed: FURTHER, failed: [] });
    expect(app.calls.filter((c) => c.startsWith('post /Customer/BillingAddress/1'))).toHaveLength(1);
  });

  it('retries transient failures with the retry policy, then reports what still failed without looping or failing the customer', async () => {
    const app = setup({
      post: async (address) => {
        throw transient(`D365 answered 503 (${address.pointer})`);
      },
    });
    const { result, record } = await app.run();
    expect(result.kind).toBe('succeeded');
    expect(app.calls.filter((c) => c.startsWith('list'))).toHaveLength(3); // maxAttempts
    expect(app.calls.filter((c) => c.startsWith('post'))).toHaveLength(3);
    expect(toStatusAnswer(record).addresses).toEqual({ landed: [], failed: FURTHER });
  });

  it('waits for another request that is landing this customer’s addresses, and reports them failed if it never lets go', async () => {
    const app = setup({ deps: { maxInlineWaitMs: 1_200 } });
    await app.identityClaims.claim(
      addressesClaimKey('USRT', 'US-000042'),
      'another-request',
      '2026-12-01T21:00:00.000Z',
    );
    const { result, record } = await app.run();
    expect(result.kind).toBe('succeeded');
    expect(app.calls).toEqual([]); // never listed or posted while the other request held the customer
    expect(toStatusAnswer(record).addresses).toEqual({ landed: [], failed: FURTHER });
  });

  it('stops before posting when another invocation took the request over (the lease fence)', async () => {
    const app = setup();
    const original = app.deps.postalAddresses!.listPostalAddresses;
    app.deps.postalAddresses!.listPostalAddresses = async (le, account) => {
      const rows = await original(le, account);
      // Another invocation renews the lease meanwhile: this one's next conditional write conflicts.
      for (const [id, row] of app.statusStore.records)
        app.statusStore.records.set(id, { ...row, etag: `${row.etag}-taken` });
      return rows;
    };
    const { result } = await app.run();
    expect(result).toEqual({ kind: 'discarded' });
    expect(app.calls.filter((c) => c.startsWith('post'))).toEqual([]);
  });

  it('does nothing on the custom-service target (its contract carries every address)', async () => {
    const app = setup({ target: 'custom-service' });
    const { record } = await app.run();
    expect(app.calls).toEqual([]);
    expect(toStatusAnswer(record).addresses).toBeUndefined();
  });

  it('lets a configuration failure (e.g. 404 for the entity) fail every remaining address at once', async () => {
    const app = setup({
      post: async () => {
        throw permanent('configuration', 'D365 answered 404 for CustomerPostalAddresses: check D365_URL.');
      },
    });
    const { record } = await app.run();
    expect(app.calls.filter((c) => c.startsWith('post'))).toHaveLength(1);
    expect(toStatusAnswer(record).addresses?.failed).toEqual(FURTHER);
  });
});
