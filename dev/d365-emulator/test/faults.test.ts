import {
  call,
  CREATE_CUSTOMER_PATH,
  customerPayload,
  d365Token,
  keyVaultToken,
  useEmulator,
  d365TokenAnswer,
  addFault,
} from './support/emulator';

const emulator = useEmulator({ randomSeed: 7 });
let token: string;

const THROTTLE_MESSAGE =
  'This request could not be processed at this time due to system experiencing high resource utilization.';

beforeAll(async () => {
  token = await d365Token(emulator);
});

beforeEach(async () => {
  await call(emulator, 'DELETE', '/_emulator/faults');
});

const createCustomer = (signal?: AbortSignal) =>
  call(emulator, 'POST', CREATE_CUSTOMER_PATH, { token, body: customerPayload(), signal });

const queryCustomers = () => call(emulator, 'GET', '/data/CustomersV3?$top=1', { token });

describe('fault rules', () => {
  it('answers 429 with Retry-After and the service protection message, then recovers after count', async () => {
    const rule = await addFault(emulator, { service: 'd365', status: 429, retryAfter: 2, count: 1 });
    expect(rule).toMatchObject({
      id: expect.any(String),
      service: 'd365',
      status: 429,
      retryAfter: 2,
      count: 1,
    });

    const throttled = await createCustomer();
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('2');
    expect(throttled.body).toEqual({ Message: THROTTLE_MESSAGE });

    expect((await createCustomer()).status).toBe(200);
  });

  it('defaults Retry-After to 1 and uses the OData error shape on /data', async () => {
    await addFault(emulator, { service: 'd365', status: 429, count: 1 });
    const answer = await queryCustomers();
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBe('1');
    expect(answer.body).toMatchObject({ error: { message: THROTTLE_MESSAGE } });
  });

  it('answers 503 with an HTML page, as a gateway does', async () => {
    await addFault(emulator, { service: 'd365', status: 503, count: 1 });
    const answer = await createCustomer();
    expect(answer.status).toBe(503);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    expect(answer.text).toMatch(/^<!DOCTYPE html>/);
  });

  it('answers 500 with the custom service exception body (and the OData error on /data)', async () => {
    await addFault(emulator, { service: 'd365', status: 500, count: 2 });
    const custom = await createCustomer();
    expect(custom.status).toBe(500);
    expect(custom.body).toMatchObject({
      Message: expect.stringMatching(/^An exception occured when invoking the operation - /),
      ExceptionType: 'Microsoft.Dynamics.Ax.Xpp.ErrorException',
      ActivityId: expect.any(String),
    });
    const odata = await queryCustomers();
    expect(odata.status).toBe(500);
    expect(odata.body).toMatchObject({ error: { code: '', message: 'An error has occurred.' } });
  });

  it('delays the real answer by latencyMs', async () => {
    await addFault(emulator, { service: 'd365', latencyMs: 400, count: 1 });
    const started = performance.now();
    const answer = await createCustomer();
    expect(answer.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(390);
  });

  it('hangs without answering until the client gives up, and keeps serving others', async () => {
    await addFault(emulator, { service: 'd365', hang: true, count: 1 });
    await expect(createCustomer(AbortSignal.timeout(500))).rejects.toMatchObject({ name: 'TimeoutError' });
    expect((await createCustomer()).status).toBe(200);
  });

  it('resets the connection (ECONNRESET)', async () => {
    await addFault(emulator, { service: 'd365', reset: true, count: 1 });
    const error = await createCustomer().then(
      () => undefined,
      (e: unknown) => e as Error & { cause?: { code?: string } },
    );
    expect(error?.cause?.code).toBe('ECONNRESET');
    expect((await createCustomer()).status).toBe(200);
  });

  it('applies a rule to the next `count` matching requests only, then removes it', async () => {
    await addFault(emulator, { service: 'd365', status: 503, count: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await queryCustomers()).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect((await call<{ value: unknown[] }>(emulator, 'GET', '/_emulator/faults')).body.value).toEqual([]);
  });

  it('applies a probability rule to about that share of requests, reproducibly for a seed', async () => {
    const run = async (): Promise<number[]> => {
      await call(emulator, 'PATCH', '/_emulator/settings', { body: { randomSeed: 42 } });
      const statuses: number[] = [];
      for (let i = 0; i < 100; i += 1) statuses.push((await queryCustomers()).status);
      return statuses;
    };
    await addFault(emulator, { service: 'd365', status: 503, probability: 0.3 });
    const first = await run();
    const faulted = first.filter((s) => s === 503).length;
    // Binomial(100, 0.3): mean 30, sd 4.6; the seeded sequence lands well inside 4 sd either way.
    expect(faulted).toBeGreaterThanOrEqual(12);
    expect(faulted).toBeLessThanOrEqual(48);
    expect(first.every((s) => s === 503 || s === 200)).toBe(true);
    expect(await run()).toEqual(first);
  });

  it('matches by service (and optional path), leaving other services alone', async () => {
    await addFault(emulator, { service: 'd365', status: 500, path: '/data/' });
    expect((await createCustomer()).status).toBe(200);
    expect((await queryCustomers()).status).toBe(500);
    expect((await d365TokenAnswer(emulator)).status).toBe(200);
  });

  it('faults Entra ID token requests with service "token"', async () => {
    await addFault(emulator, { service: 'token', status: 503, count: 1 });
    const unavailable = await d365TokenAnswer(emulator);
    expect(unavailable.status).toBe(503);
    expect(unavailable.text).toMatch(/^<!DOCTYPE html>/);

    await addFault(emulator, { service: 'token', status: 400, count: 1 });
    const rejected = await d365TokenAnswer(emulator);
    expect(rejected.body).toMatchObject({ error: 'invalid_client', error_codes: [7000215] });
  });

  it('faults Key Vault reads with service "keyvault"', async () => {
    const vaultToken = await keyVaultToken(emulator);
    await addFault(emulator, { service: 'keyvault', status: 429, retryAfter: 3, count: 1 });
    const throttled = await call(emulator, 'GET', `/secrets/${emulator.secretName}?api-version=7.5`, {
      token: vaultToken,
    });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('3');
    expect(throttled.body).toMatchObject({ error: { code: 'Throttled' } });
    const read = await call(emulator, 'GET', `/secrets/${emulator.secretName}?api-version=7.5`, {
      token: vaultToken,
    });
    expect(read.status).toBe(200);
  });

  it.each([
    [{ status: 429 }],
    [{ service: 'crm', status: 429 }],
    [{ service: 'd365', status: '429' }],
    [{ service: 'd365', status: 503, hang: true }],
    [{ service: 'd365', probability: 2, status: 503 }],
    [{ service: 'd365', status: 503, colour: 'red' }],
    [{ service: 'd365' }],
  ])('rejects the malformed rule %j with 400', async (rule) => {
    const answer = await call(emulator, 'POST', '/_emulator/faults', { body: rule });
    expect(answer.status).toBe(400);
  });

  it('lists rules and clears them all with DELETE', async () => {
    await addFault(emulator, { service: 'd365', status: 503 });
    await addFault(emulator, { service: 'token', latencyMs: 10 });
    expect((await call<{ value: unknown[] }>(emulator, 'GET', '/_emulator/faults')).body.value).toHaveLength(
      2,
    );
    expect((await call(emulator, 'DELETE', '/_emulator/faults')).status).toBe(204);
    expect((await call<{ value: unknown[] }>(emulator, 'GET', '/_emulator/faults')).body.value).toEqual([]);
    expect((await queryCustomers()).status).toBe(200);
  });
});
