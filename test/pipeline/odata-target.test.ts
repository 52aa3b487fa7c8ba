import { AppStack, postJson, startAppStack, waitForTerminal } from '../support/app-stack';
import { sampleCustomer } from '../fixtures/sample-customers';

const full = sampleCustomer('full');

let stack: AppStack;

beforeAll(async () => {
  // Both requests use the fixture's e-mail; the second must reach D365 to meet its business error.
  stack = await startAppStack({ settings: { D365_TARGET: 'odata', DUPLICATE_POLICY: 'create' } });
});

afterAll(async () => {
  await stack?.stop();
});

describe('customer creation through the standard CustomersV3 entity', () => {
  it('creates the customer through OData and reports its account', async () => {
    const answer = await postJson(`${stack.url}/api/customers`, full);
    expect(answer.status).toBe(202);
    const final = await waitForTerminal((answer.json as { statusUrl: string }).statusUrl);
    expect(final).toMatchObject({ status: 'succeeded', outcome: 'created' });
    const customers = await stack.customers();
    expect(customers).toHaveLength(1);
    const customer = customers[0] as { account: string; via?: string; fields: Record<string, unknown> };
    expect(customer.account).toBe(final.customerAccount);
    expect(customer.via).toBe('odata');
    expect(customer.fields).toMatchObject({
      PersonFirstName: 'Cust',
      PrimaryContactEmail: 'abc1234@gmail.com',
      CustomerGroupId: '30',
      SalesCurrencyCode: 'USD',
      // The billing address is the primary one, with its role; the shipping one is the delivery address.
      AddressLocationRoles: 'Invoice',
      DeliveryAddressCity: 'Alton Bay',
    });
    expect(customer.fields).not.toHaveProperty('DateOfBirth');
  });

  it('records an OData business error (unknown customer group) with the Infolog text', async () => {
    const body = { Customer: { ...full.Customer, CustomerGroup: 'NOPE' } };
    const answer = await postJson(`${stack.url}/api/customers`, body);
    const final = await waitForTerminal((answer.json as { statusUrl: string }).statusUrl);
    expect(final.status).toBe('failed');
    expect(final.error?.code).toBe('business_error');
    expect(final.error?.message).toMatch(/[Cc]ustomer group/);
    expect(final.error?.message).not.toContain('Write failed for table row');
  });
});
