import { spawnHost } from '@d365-customer-sync/functions-host';
import { APP_DIR } from '../../dev/local-stack/app-stack';
import { AppStack, postJson, startAppStack, waitForTerminal } from '../support/app-stack';
import { sampleCustomer } from '../fixtures/sample-customers';

/**
 * Further addresses on the CustomersV3 target, through the real worker, Azurite and the HTTPS
 * emulator: a contract with 3 billing and 3 shipping addresses ends with all 6 as the D365
 * customer's postal addresses (2 through CustomersV3, 4 through CustomerPostalAddresses), also when
 * the address POST's answer is lost after D365 committed it, and with two workers on one queue.
 */
let stack: AppStack;
let n = 0;

type PostalRows = { value: { AddressStreet: string; AddressLocationRoles: string }[]; duplicates: number };

/** The full sample with 3 billing and 3 shipping addresses, and an e-mail of its own. */
function customerWithSixAddresses(): Record<string, unknown> {
  n += 1;
  const body = sampleCustomer('full');
  const customer = body.Customer as {
    EmailAddress: string;
    BillingAddress: Record<string, unknown>[];
    ShippingAddress: Record<string, unknown>[];
  };
  customer.EmailAddress = `six.addresses.${n}@example.com`;
  const [billing] = customer.BillingAddress;
  const [shipping] = customer.ShippingAddress;
  for (const i of [2, 3]) {
    customer.BillingAddress.push({ ...billing, PrimaryAddress: 'No', Street: `${i} Billing Road ${n}` });
    customer.ShippingAddress.push({ ...shipping, Street: `${i} Shipping Road ${n}` });
  }
  return body;
}

async function create(body: unknown) {
  const answer = await postJson(`${stack.url}/api/customers`, body);
  expect(answer.status).toBe(202);
  return waitForTerminal((answer.json as { statusUrl: string }).statusUrl, 60_000);
}

const postalAddresses = (account: string) =>
  stack.emulatorApi<PostalRows>('GET', `/_emulator/customers/USRT/${account}/postal-addresses`);

const FURTHER = [
  '/Customer/BillingAddress/1',
  '/Customer/BillingAddress/2',
  '/Customer/ShippingAddress/1',
  '/Customer/ShippingAddress/2',
];

beforeAll(async () => {
  stack = await startAppStack({ settings: { D365_TARGET: 'odata', RETRY_BASE_SECONDS: '1' } });
});

afterAll(async () => {
  await stack?.stop();
});

afterEach(async () => {
  await stack.emulatorApi('DELETE', '/_emulator/faults');
});

describe('further addresses through CustomerPostalAddresses (CustomersV3 target)', () => {
  it('lands every address of the contract in D365 and reports them by pointer', async () => {
    const final = await create(customerWithSixAddresses());
    expect(final).toMatchObject({
      status: 'succeeded',
      outcome: 'created',
      addresses: { landed: FURTHER, failed: [] },
    });
    const rows = await postalAddresses(String(final.customerAccount));
    expect(rows.value).toHaveLength(6);
    expect(rows.value.filter((r) => r.AddressLocationRoles === 'Invoice')).toHaveLength(3);
    expect(rows.value.filter((r) => r.AddressLocationRoles === 'Delivery')).toHaveLength(3);
    expect(rows.duplicates).toBe(0);
  });

  it.each([
    ['504 (gateway)', 504],
    ['500 (update conflict, rolled back: transient)', 500],
  ])(
    'posts no duplicate address when an address POST answers %s after D365 committed it',
    async (_name, status) => {
      await stack.emulatorApi('POST', '/_emulator/faults', {
        service: 'd365',
        after: true,
        status,
        count: 1,
        path: '/data/CustomerPostalAddresses',
      });
      const final = await create(customerWithSixAddresses());
      expect(final).toMatchObject({ status: 'succeeded', addresses: { landed: FURTHER, failed: [] } });
      const rows = await postalAddresses(String(final.customerAccount));
      expect(rows.value).toHaveLength(6);
      expect(rows.duplicates).toBe(0);
      const faults = await stack.emulatorApi<{ value: unknown[] }>('GET', '/_emulator/faults');
      expect(faults.value).toEqual([]); // the fault struck
    },
  );

  it('reports an address D365 refuses (unknown state) without failing the customer', async () => {
    const body = customerWithSixAddresses();
    (
      (body.Customer as { ShippingAddress: Record<string, unknown>[] }).ShippingAddress[2] as Record<
        string,
        unknown
      >
    ).State = 'ZZ';
    const final = await create(body);
    expect(final).toMatchObject({
      status: 'succeeded',
      outcome: 'created',
      addresses: { landed: FURTHER.slice(0, 3), failed: ['/Customer/ShippingAddress/2'] },
    });
    expect((await postalAddresses(String(final.customerAccount))).value).toHaveLength(5);
  });

  it('lands each customer’s addresses exactly once with two workers on one queue', async () => {
    const second = await spawnHost({ appDir: APP_DIR, port: 0, env: stack.env });
    try {
      const bodies = Array.from({ length: 6 }, customerWithSixAddresses);
      const answers = await Promise.all(
        bodies.map((body, i) => postJson(`${i % 2 === 0 ? stack.url : second.url}/api/customers`, body)),
      );
      const finals = await Promise.all(
        answers.map((a) => waitForTerminal((a.json as { statusUrl: string }).statusUrl, 90_000)),
      );
      for (const final of finals) {
        expect(final).toMatchObject({ status: 'succeeded', addresses: { landed: FURTHER, failed: [] } });
        expect((await postalAddresses(String(final.customerAccount))).value).toHaveLength(6);
      }
      expect((await stack.emulatorApi<PostalRows>('GET', '/_emulator/postal-addresses')).duplicates).toBe(0);
    } finally {
      await second.stop();
    }
  });
});
