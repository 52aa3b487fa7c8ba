import { randomInt } from 'node:crypto';
import { AppStack, postJson, startAppStack, waitForTerminal } from '../support/app-stack';
import { sampleCustomer } from '../fixtures/sample-customers';

/**
 * Recovery by name and phone through the real worker: a custom service whose X++ code does not
 * store the e-mail (emulator setting `customServiceStoresEmail: false`). After a create that reached
 * D365 (a 200 without an account, a 504 after the commit) nobody has the request's e-mail, so the
 * worker finds the customer by first name, last name and phone; several such customers are for an
 * operator (`needs_review`), never a guess and never a second create.
 */
let stack: AppStack;

beforeAll(async () => {
  stack = await startAppStack({
    settings: { RETRY_BASE_SECONDS: '1', RETRY_MAX_DELAY_SECONDS: '1', D365_SETTLE_SECONDS: '1' },
  });
  await stack.emulatorApi('PATCH', '/_emulator/settings', { customServiceStoresEmail: false });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

afterEach(async () => {
  await stack.emulatorApi('DELETE', '/_emulator/faults');
  await stack.emulatorApi('PATCH', '/_emulator/settings', { customServiceResponse: 'object' });
});

const letters = (n: number): string =>
  Array.from({ length: n }, () => String.fromCharCode(97 + randomInt(26))).join('');

/** A customer with a name and phone nobody else in this run has. */
function person() {
  const base = sampleCustomer('minimal').Customer;
  return {
    Customer: {
      ...base,
      FirstName: `Rec${letters(8)}`,
      LastName: `Match${letters(6)}`,
      // A valid NANP number (exchange 200-999): the contract reads numbers by the numbering plan (issue 32).
      ContactNumber: `+1425${randomInt(200, 1000)}${randomInt(1000, 10_000)}`,
      EmailAddress: `recovery.${letters(10)}@example.com`,
    },
  };
}

const withPhone = async (phone: string) =>
  (await stack.customers()).filter((c) => c.fields.PrimaryContactPhone === phone);

async function submit(body: ReturnType<typeof person>) {
  const accepted = await postJson(`${stack.url}/api/customers`, body);
  expect(accepted.status).toBe(202);
  return waitForTerminal((accepted.json as { statusUrl: string }).statusUrl, 45_000);
}

describe('recovery by name and phone', () => {
  it('finds the customer a 200 without an account created, and says it matched on name and phone', async () => {
    await stack.emulatorApi('PATCH', '/_emulator/settings', { customServiceResponse: 'empty' });
    const body = person();
    const final = await submit(body);
    const held = await withPhone(body.Customer.ContactNumber);
    expect(held).toHaveLength(1);
    expect(held[0]?.fields.PrimaryContactEmail).toBe('');
    expect(final).toMatchObject({
      status: 'succeeded',
      outcome: 'created',
      customerAccount: held[0]?.account,
      matchedOn: 'name_and_phone',
    });
    expect(JSON.stringify(final)).not.toContain(body.Customer.ContactNumber);
    expect(JSON.stringify(final)).not.toContain(body.Customer.FirstName);
  }, 60_000);

  it('recovers a create answered 504 after its commit without creating a second customer', async () => {
    await stack.emulatorApi('POST', '/_emulator/faults', {
      service: 'd365',
      after: true,
      status: 504,
      count: 1,
    });
    const body = person();
    const final = await submit(body);
    const held = await withPhone(body.Customer.ContactNumber);
    expect(held).toHaveLength(1);
    expect(final).toMatchObject({
      status: 'succeeded',
      customerAccount: held[0]?.account,
      matchedOn: 'name_and_phone',
    });
  }, 60_000);

  it('leaves several customers with the name and phone to an operator (needs_review, the accounts listed)', async () => {
    const body = person();
    // Two customers with this name and phone and no e-mail exist already (created through the custom service).
    for (let i = 0; i < 2; i += 1) {
      const other = { Customer: { ...body.Customer, EmailAddress: `other.${i}.${letters(6)}@example.com` } };
      expect(await submit(other)).toMatchObject({ status: 'succeeded' });
    }
    await stack.emulatorApi('PATCH', '/_emulator/settings', { customServiceResponse: 'empty' });
    const final = await submit(body);
    const held = await withPhone(body.Customer.ContactNumber);
    expect(held).toHaveLength(3);
    expect(final).toMatchObject({
      status: 'needs_review',
      error: { code: 'account_not_found' },
      matchedOn: 'name_and_phone',
    });
    expect([...(final.existingAccounts as string[])].sort()).toEqual(held.map((c) => c.account).sort());
  }, 90_000);

  it('sends a phone-only customer written with an initial to an operator: possible_duplicate, nothing created (issue 32)', async () => {
    const john = person();
    delete (john.Customer as { EmailAddress?: string }).EmailAddress;
    const created = await submit(john);
    expect(created).toMatchObject({ status: 'succeeded', outcome: 'created' });
    // "R." for "Rec…" with the same last name and phone, the number written nationally: the same
    // person, or another of the household (J. Smith: Jane or John).
    const initial = {
      Customer: {
        ...john.Customer,
        FirstName: `${john.Customer.FirstName[0]}.`,
        ContactNumber: john.Customer.ContactNumber.replace(/^\+1(\d{3})(\d{3})(\d{4})$/, '($1) $2-$3'),
      },
    };
    const answer = await postJson(`${stack.url}/api/customers`, initial, { Prefer: 'wait=30' });
    expect(answer.status).toBe(409);
    expect(answer.json).toMatchObject({ code: 'possible_duplicate' });
    const final = await waitForTerminal((answer.json as { statusUrl: string }).statusUrl, 45_000);
    expect(final).toMatchObject({
      status: 'needs_review',
      error: { code: 'possible_duplicate' },
      existingAccounts: [created.customerAccount],
      matchedOn: 'name_initial_and_phone',
    });
    expect(JSON.stringify([final, answer.json])).not.toMatch(
      new RegExp(`${john.Customer.LastName}|${john.Customer.ContactNumber.slice(5)}`),
    );
    // D365 holds John only.
    expect(await withPhone(john.Customer.ContactNumber)).toHaveLength(1);
  }, 90_000);
});
