import { randomUUID } from 'node:crypto';
import {
  call,
  CREATE_CUSTOMER_PATH,
  customerPayload,
  d365Token,
  useEmulator,
  stillPendingAfter,
  waitFor,
  addFault,
  restoreDefaults,
} from './support/emulator';

/**
 * Faults with `after: true` strike once D365 committed: the customer is created (and counted), then the
 * answer is replaced by a hang, a reset or a gateway status, as when a gateway times out after a commit.
 */
const emulator = useEmulator();
let token: string;

beforeAll(async () => {
  token = await d365Token(emulator);
});

beforeEach(async () => {
  await restoreDefaults(emulator);
});

const uniqueEmail = (): string => `after-${randomUUID().slice(0, 8)}@example.com`;

const createCustomer = (email: string, signal?: AbortSignal) =>
  call(emulator, 'POST', CREATE_CUSTOMER_PATH, {
    token,
    body: customerPayload({ EmailAddress: email }),
    signal,
  });

const createViaOData = (email: string) =>
  call(emulator, 'POST', '/data/CustomersV3', {
    token,
    body: {
      dataAreaId: 'USRT',
      PartyType: 'Person',
      SalesCurrencyCode: 'USD',
      PersonFirstName: 'Ada',
      PersonLastName: 'Lovelace',
      CustomerGroupId: '30',
      PrimaryContactEmail: email,
    },
  });

interface ControlCustomer {
  account: string;
  legalEntity: string;
  fields: Record<string, unknown>;
}

const customersWith = async (email: string): Promise<ControlCustomer[]> =>
  (await call<{ value: ControlCustomer[] }>(emulator, 'GET', '/_emulator/customers')).body.value.filter(
    (c) => c.fields.PrimaryContactEmail === email,
  );

const customersCreated = async (): Promise<number> =>
  Number((await call(emulator, 'GET', '/_emulator/stats')).body.customersCreated);

const causeCode = (error: unknown): string | undefined =>
  (error as { cause?: { code?: string } } | undefined)?.cause?.code;

describe('faults after the commit (after: true)', () => {
  it('reset: the client sees ECONNRESET, yet the customer was created and counted', async () => {
    const rule = await addFault(emulator, { service: 'd365', after: true, reset: true, count: 1 });
    const email = uniqueEmail();
    const before = await customersCreated();

    const error = await createCustomer(email).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(causeCode(error)).toBe('ECONNRESET');

    const created = await customersWith(email);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ legalEntity: 'USRT', account: expect.stringMatching(/^US-\d{6}$/) });
    expect(await customersCreated()).toBe(before + 1);

    const [entry] = (
      await call<{ value: Record<string, unknown>[] }>(
        emulator,
        'GET',
        '/_emulator/requests?endpoint=customService',
      )
    ).body.value.slice(-1);
    expect(entry).toMatchObject({ fault: rule.id, status: null, answeredAt: null });

    // count: 1 used up: the next create is answered normally.
    expect((await createCustomer(uniqueEmail())).status).toBe(200);
  });

  it('hang: the answer never comes (the client times out), yet the customer exists', async () => {
    await addFault(emulator, { service: 'd365', after: true, hang: true, count: 1 });
    const email = uniqueEmail();
    const controller = new AbortController();
    const outcome = createCustomer(email, controller.signal).then(
      () => 'answered',
      (e: unknown) => e,
    );

    const [created] = await waitFor(async () => {
      const found = await customersWith(email);
      return found.length > 0 && found;
    }, 'the customer to be committed');
    expect(created?.fields.PrimaryContactEmail).toBe(email);
    expect(await stillPendingAfter(outcome, 300)).toBe('pending');

    controller.abort(new DOMException('The client gave up waiting.', 'TimeoutError'));
    expect(await outcome).toMatchObject({ name: 'TimeoutError' });
    expect(await customersWith(email)).toHaveLength(1);
  });

  it('status 504: the gateway page instead of the answer, yet the customer exists', async () => {
    await addFault(emulator, { service: 'd365', after: true, status: 504, count: 1 });
    const email = uniqueEmail();
    const answer = await createCustomer(email);
    expect(answer.status).toBe(504);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    expect(answer.text).toMatch(/^<!DOCTYPE html>/);
    expect(await customersWith(email)).toHaveLength(1);
  });

  it('applies to OData creates too (503 after the entity was written)', async () => {
    await addFault(emulator, { service: 'd365', after: true, status: 503, count: 1 });
    const email = uniqueEmail();
    const answer = await createViaOData(email);
    expect(answer.status).toBe(503);
    const created = await customersWith(email);
    expect(created).toHaveLength(1);

    const query = await call<{ value: unknown[] }>(
      emulator,
      'GET',
      `/data/CustomersV3?cross-company=true&$filter=PrimaryContactEmail eq '${encodeURIComponent(email)}'`,
      { token },
    );
    expect(query.body.value).toHaveLength(1);
  });

  it('is not used up by queries or by creates that fail validation (nothing was committed)', async () => {
    await addFault(emulator, { service: 'd365', after: true, status: 504, count: 1 });
    expect((await call(emulator, 'GET', '/data/CustomersV3?$top=1', { token })).status).toBe(200);
    const rejected = await call(emulator, 'POST', CREATE_CUSTOMER_PATH, {
      token,
      body: customerPayload({ CustomerGroup: 'NOPE' }),
    });
    expect(rejected.status).toBe(500);
    expect(rejected.body).toMatchObject({ ExceptionType: 'Microsoft.Dynamics.Ax.Xpp.ErrorException' });
    expect((await call<{ value: unknown[] }>(emulator, 'GET', '/_emulator/faults')).body.value).toHaveLength(
      1,
    );

    const email = uniqueEmail();
    expect((await createCustomer(email)).status).toBe(504);
    expect(await customersWith(email)).toHaveLength(1);
    expect((await createCustomer(uniqueEmail())).status).toBe(200);
  });

  it('latencyMs alone delays the real answer while the customer already exists', async () => {
    await addFault(emulator, { service: 'd365', after: true, latencyMs: 1500, count: 1 });
    const email = uniqueEmail();
    const answer = createCustomer(email);
    await waitFor(async () => (await customersWith(email)).length === 1, 'the customer to be committed');
    expect(await stillPendingAfter(answer, 100)).toBe('pending');
    const settled = await answer;
    expect(settled.status).toBe(200);
    expect(settled.body.CustomerAccount).toBe((await customersWith(email))[0]?.account);
  });

  it('leaves faults without `after` striking before anything is committed', async () => {
    await addFault(emulator, { service: 'd365', status: 504, count: 1 });
    const email = uniqueEmail();
    expect((await createCustomer(email)).status).toBe(504);
    expect(await customersWith(email)).toEqual([]);
  });

  it('frees the concurrency slot once committed: a hung answer does not throttle the next request', async () => {
    await call(emulator, 'PATCH', '/_emulator/settings', { body: { throttle: { concurrency: 1 } } });
    await addFault(emulator, { service: 'd365', after: true, hang: true, count: 1 });
    const email = uniqueEmail();
    const controller = new AbortController();
    const hung = createCustomer(email, controller.signal).catch((e: unknown) => e);
    await waitFor(async () => (await customersWith(email)).length === 1, 'the customer to be committed');

    expect((await createCustomer(uniqueEmail())).status).toBe(200);
    controller.abort();
    await hung;
  });

  it.each([
    [{ service: 'token', after: true, status: 503 }],
    [{ service: 'keyvault', after: true, reset: true }],
    [{ service: 'd365', after: true }],
    [{ service: 'd365', after: 'yes', status: 504 }],
    [{ service: 'd365', after: true, hang: true, reset: true }],
  ])('rejects the rule %j with 400', async (rule) => {
    const answer = await call<{ error: string }>(emulator, 'POST', '/_emulator/faults', { body: rule });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatch(/^Invalid fault rule: /);
  });

  it('names the problem when `after` is used with another service', async () => {
    const answer = await call<{ error: string }>(emulator, 'POST', '/_emulator/faults', {
      body: { service: 'token', after: true, status: 503 },
    });
    expect(answer.body.error).toContain('after: after applies to service "d365" only');
  });

  it('lists the rule with its `after` flag', async () => {
    await addFault(emulator, { service: 'd365', after: true, reset: true });
    const rules = (await call<{ value: Record<string, unknown>[] }>(emulator, 'GET', '/_emulator/faults'))
      .body.value;
    expect(rules).toEqual([expect.objectContaining({ service: 'd365', after: true, reset: true })]);
  });
});
