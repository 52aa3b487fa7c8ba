import { randomUUID } from 'node:crypto';
import { principalHeader } from '../support/principal';
import { AppStack, postJson, startAppStack, waitForTerminal } from '../support/app-stack';
import { sampleCustomer } from '../fixtures/sample-customers';

const full = sampleCustomer('full');
const customer = () => ({
  Customer: { ...full.Customer, EmailAddress: `caller.${randomUUID()}@example.com` },
});

const POS = principalHeader('11111111-aaaa-4aaa-8aaa-000000000001', ['Customers.Create', 'Customers.Read']);
const WEB = principalHeader('11111111-aaaa-4aaa-8aaa-000000000002', ['Customers.Create', 'Customers.Read']);
const READER = principalHeader('11111111-aaaa-4aaa-8aaa-000000000003', ['Customers.Read']);
const OPERATOR = principalHeader('11111111-aaaa-4aaa-8aaa-000000000004', ['Customers.Operate']);

const as = (principal?: string): Record<string, string> =>
  principal ? { 'x-ms-client-principal': principal } : {};

describe('callers behind App Service Authentication (CALLER_AUTH=app-service)', () => {
  let stack: AppStack;

  beforeAll(async () => {
    stack = await startAppStack({
      settings: {
        CALLER_AUTH: 'app-service',
        RATE_LIMIT_PER_MINUTE: '20',
        DEV_FUNCTION_KEY: 'pos-key',
        DEV_MASTER_KEY: 'master',
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const key = { 'x-functions-key': 'pos-key' };

  it('still requires the function key, then a principal (401) holding the route role (403)', async () => {
    const noKey = await postJson(`${stack.url}/api/customers`, customer(), as(POS));
    expect(noKey.status).toBe(401);
    // Every 401 of a keyed route is empty: the platform's (no key) and the app's (no principal, with
    // WWW-Authenticate), as the OpenAPI document declares it.
    const noPrincipal = await postJson(`${stack.url}/api/customers`, customer(), key);
    expect(noPrincipal.status).toBe(401);
    expect(noPrincipal.headers.get('www-authenticate')).toBe('Bearer');
    for (const answer of [noKey, noPrincipal]) {
      expect(answer.headers.get('content-type')).toBeNull();
      expect(answer.text).toBe('');
    }
    expect((await postJson(`${stack.url}/api/customers`, customer(), { ...key, ...as(READER) })).status).toBe(
      403,
    );
    expect((await postJson(`${stack.url}/api/customers`, customer(), { ...key, ...as(POS) })).status).toBe(
      202,
    );
  });

  it("answers 404 for another caller's request, 200 for its own and for an operator", async () => {
    const answer = await postJson(`${stack.url}/api/customers`, customer(), { ...key, ...as(POS) });
    const { statusUrl } = answer.json as { statusUrl: string };
    const read = (principal: string) => fetch(statusUrl, { headers: { ...key, ...as(principal) } });
    expect((await read(POS)).status).toBe(200);
    expect((await read(WEB)).status).toBe(404);
    expect((await read(OPERATOR)).status).toBe(200);
    // The owner is recorded with the request (never shown in the answer).
    const { correlationId } = answer.json as { correlationId: string };
    const entity = await stack.table.getEntity<{ caller: string }>(correlationId, '');
    expect(entity.caller).toBe('11111111-aaaa-4aaa-8aaa-000000000001');
  });

  it('scopes Idempotency-Keys to the caller', async () => {
    const body = customer();
    const k = randomUUID();
    const pos = await postJson(`${stack.url}/api/customers`, body, {
      ...key,
      ...as(POS),
      'idempotency-key': k,
    });
    const web = await postJson(`${stack.url}/api/customers`, body, {
      ...key,
      ...as(WEB),
      'idempotency-key': k,
    });
    expect((pos.json as { correlationId: string }).correlationId).not.toBe(
      (web.json as { correlationId: string }).correlationId,
    );
  });

  it('lets only an operator (with the master key) replay a failed request', async () => {
    const answer = await postJson(
      `${stack.url}/api/customers`,
      { Customer: { ...customer().Customer, CustomerGroup: 'NOPE' } },
      { ...key, ...as(POS) },
    );
    const { correlationId } = answer.json as { correlationId: string };
    const final = await waitForTerminal(
      `${stack.url}/api/customers/status/${correlationId}?code=pos-key`,
      30_000,
      {
        ...as(POS),
      },
    );
    expect(final.status).toBe('failed');
    const replay = (headers: Record<string, string>) =>
      fetch(`${stack.url}/api/customers/status/${correlationId}/retry`, { method: 'POST', headers });
    expect((await replay({ ...key, ...as(OPERATOR) })).status).toBe(401); // a function key is not enough
    expect((await replay({ 'x-functions-key': 'master', ...as(POS) })).status).toBe(403);
    const replayed = await replay({ 'x-functions-key': 'master', ...as(OPERATOR) });
    expect(replayed.status).toBe(202);
    expect(((await replayed.json()) as { status: string }).status).toBe('queued');
  });

  it('answers 429 with Retry-After when one caller exceeds its budget, without touching another', async () => {
    const flood = principalHeader('11111111-aaaa-4aaa-8aaa-0000000000ff', ['Customers.Create']);
    const statuses: number[] = [];
    const started = Date.now();
    let limited: Awaited<ReturnType<typeof postJson>> | undefined;
    // The bucket holds 20 and refills one every 3 s: on a slow machine it refills while the flood
    // runs, so the bound counts the refill of the time it took, and the flood goes on until a 429.
    for (let i = 0; i < 60 && !limited; i += 1) {
      const answer = await postJson(`${stack.url}/api/customers`, customer(), { ...key, ...as(flood) });
      statuses.push(answer.status);
      if (answer.status === 429) limited = answer;
    }
    const refilled = Math.ceil((Date.now() - started) / 3_000);
    expect(statuses.filter((s) => s === 202).length).toBeLessThanOrEqual(20 + refilled);
    expect(limited?.status).toBe(429);
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await postJson(`${stack.url}/api/customers`, customer(), { ...key, ...as(WEB) })).status).toBe(
      202,
    );
  });
});
