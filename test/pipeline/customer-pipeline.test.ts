import { AppStack, postJson, startAppStack, waitForTerminal } from '../support/app-stack';
import { sampleCustomer } from '../fixtures/sample-customers';
import { emulatorVault } from '../../dev/local-stack/emulator-clients';

const full = sampleCustomer('full');
const minimal = sampleCustomer('minimal');

/** Personal values from the fixtures that must never appear in anything the app writes. */
const PERSONAL = [
  'Alex',
  'Trump',
  'abc1234@gmail.com',
  '+923004000101',
  '923004000101',
  'safari villas',
  '11/10/1997',
  'Johar town',
];

/**
 * Quick retries so transient-failure tests take seconds. Both fixtures share one e-mail address,
 * so this file creates regardless of duplicates (the duplicate policy has tests of its own).
 */
const SETTINGS = {
  RETRY_BASE_SECONDS: '0',
  RETRY_MAX_ATTEMPTS: '3',
  DUPLICATE_POLICY: 'create',
  AzureFunctionsJobHost__extensions__queues__maxPollingInterval: '00:00:00.500',
};

const hostLines: string[] = [];
let stack: AppStack;

beforeAll(async () => {
  stack = await startAppStack({ settings: SETTINGS, onHostLine: (line) => hostLines.push(line) });
});

afterAll(async () => {
  await stack?.stop();
});

beforeEach(async () => {
  await stack.emulatorApi('DELETE', '/_emulator/faults');
});

/** How many requests D365 received since the emulator's counters were last reset. */
async function d365Requests(): Promise<number> {
  const stats = await stack.emulatorApi<{ d365: { requests: Record<string, number> } }>(
    'GET',
    '/_emulator/stats',
  );
  return Object.values(stats.d365.requests).reduce((a, b) => a + b, 0);
}

async function accept(body: unknown) {
  const answer = await postJson(`${stack.url}/api/customers`, body);
  expect(answer.status).toBe(202);
  return answer;
}

describe('customer creation end to end (custom service)', () => {
  it.each([
    ['full', full],
    ['minimal', minimal],
  ])('creates the %s fixture in D365 exactly once and reports the account number', async (_name, body) => {
    const before = await stack.customers();
    const answer = await accept(body);
    const { correlationId, status, statusUrl } = answer.json as {
      correlationId: string;
      status: string;
      statusUrl: string;
    };
    expect(correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(status).toBe('queued');
    expect(statusUrl).toBe(`${stack.url}/api/customers/status/${correlationId}`);
    expect(answer.headers.get('location')).toBe(statusUrl);
    expect(answer.headers.get('x-correlation-id')).toBe(correlationId);
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);

    const final = await waitForTerminal(statusUrl);
    expect(final).toMatchObject({
      correlationId,
      status: 'succeeded',
      legalEntity: 'USRT',
      outcome: 'created',
    });
    const after = await stack.customers();
    const created = after.slice(before.length);
    expect(created).toHaveLength(1);
    expect(created[0]!.account).toBe(final.customerAccount);
    // D365 received the normalised contract: trimmed, with the default customer group.
    const fields = created[0]!.contract as Record<string, unknown> & { BillingAddress: { Street: string }[] };
    expect(fields.CustomerGroup).toBe('30');
    expect(fields.BillingAddress[0]!.Street).toBe('185 aba road safari villas 8888 phase 7 johar town');
    expect(fields.FirstName).toBe(body.Customer.FirstName);
    expect(fields.DateOfBirth).toBe('11/10/1997');
  });

  it('answers the status without personal data, and 404 / 400 for unknown and malformed IDs', async () => {
    const { json } = await accept(full);
    const final = await waitForTerminal((json as { statusUrl: string }).statusUrl);
    const text = JSON.stringify(final);
    for (const value of PERSONAL) expect(text).not.toContain(value);
    expect(Object.keys(final).sort()).toEqual(
      [
        'attempts',
        'correlationId',
        'createdAt',
        'customerAccount',
        'legalEntity',
        'outcome',
        'status',
        'updatedAt',
      ].sort(),
    );

    const unknown = await fetch(`${stack.url}/api/customers/status/0b6f4c1e-1d2a-4c3b-8e4f-5a6b7c8d9e0f`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/problem+json');
    const malformed = await fetch(`${stack.url}/api/customers/status/not-a-uuid`);
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { status: number }).status).toBe(400);
  });

  it('records a D365 business error as failed with the reason, after exactly one D365 call', async () => {
    await stack.emulatorApi('POST', '/_emulator/stats/reset');
    const body = { Customer: { ...full.Customer, CustomerGroup: 'NOPE' } };
    const { json } = await accept(body);
    const final = await waitForTerminal((json as { statusUrl: string }).statusUrl);
    expect(final.status).toBe('failed');
    expect(final.error?.code).toBe('business_error');
    expect(final.error?.message).toMatch(/NOPE|[Cc]ustomer group/);
    expect(final.attempts).toBe(1);
    expect(await d365Requests()).toBe(1);
  });

  it('retries a transient 503 and then succeeds, creating one customer', async () => {
    await stack.emulatorApi('POST', '/_emulator/faults', { service: 'd365', status: 503, count: 1 });
    const before = (await stack.customers()).length;
    // A new e-mail: after the 503 the next attempt looks the customer up first (a gateway may answer
    // 503 after D365 committed), and under DUPLICATE_POLICY=create an earlier test's customer would match.
    const { json } = await accept({
      Customer: { ...minimal.Customer, EmailAddress: 'retry.503@example.com' },
    });
    const final = await waitForTerminal((json as { statusUrl: string }).statusUrl);
    expect(final.status).toBe('succeeded');
    // Attempt 2 only looks: the create may still be committing, so "not found" counts only once
    // D365_SETTLE_SECONDS have passed since it was sent; attempt 3 creates.
    expect(final.attempts).toBe(3);
    expect((await stack.customers()).length).toBe(before + 1);
  });

  it('ends as failed (retries exhausted) when D365 stays unavailable, keeping the message in the poison queue', async () => {
    await stack.emulatorApi('POST', '/_emulator/faults', { service: 'd365', status: 503 });
    const { json } = await accept(minimal);
    const { correlationId, statusUrl } = json as { correlationId: string; statusUrl: string };
    const final = await waitForTerminal(statusUrl, 150_000);
    expect(final.status).toBe('failed');
    expect(final.error?.code).toBe('retries_exhausted');
    expect(final.error?.message).toContain('503');
    expect(final.attempts).toBe(3);
    const poisoned = await stack.poisonQueue.peekMessages({ numberOfMessages: 32 });
    const ids = poisoned.peekedMessageItems.map(
      (m) =>
        (JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')) as { correlationId: string })
          .correlationId,
    );
    expect(ids).toContain(correlationId);
  }, 200_000);
});

describe('wrong client secret in Key Vault', () => {
  let fresh: AppStack;
  afterAll(async () => {
    await fresh?.stop();
  });

  it('fails with a clear reason, after reading Key Vault again, and does not call D365', async () => {
    // An app that has not read the secret yet, and a wrong secret in Key Vault.
    fresh = await startAppStack({ settings: SETTINGS, onHostLine: (line) => hostLines.push(line) });
    const vault = emulatorVault(fresh.emulator.url);
    const right = await vault.getSecret('d365-client-secret');
    await vault.setSecret('d365-client-secret', 'not-the-right-secret');

    const answer = await postJson(`${fresh.url}/api/customers`, minimal);
    const final = await waitForTerminal((answer.json as { statusUrl: string }).statusUrl);
    expect(final.status).toBe('failed');
    expect(final.error?.code).toBe('invalid_secret');
    expect(final.error?.message).toMatch(/Key Vault/);
    expect(final.error?.message).not.toContain('not-the-right-secret');
    const stats = await fresh.emulatorApi<{
      d365: { requests: Record<string, number> };
      keyVault: { reads: number };
    }>('GET', '/_emulator/stats');
    expect(Object.values(stats.d365.requests).reduce((a, b) => a + b, 0)).toBe(0);

    // An operator puts the right secret back: the next request works without a restart.
    await vault.setSecret('d365-client-secret', right.value!);
    const next = await postJson(`${fresh.url}/api/customers`, minimal);
    expect((await waitForTerminal((next.json as { statusUrl: string }).statusUrl)).status).toBe('succeeded');
  });
});

describe('what the app wrote', () => {
  it('never logged a fixture name, e-mail, phone, street or birth date', () => {
    expect(hostLines.length).toBeGreaterThan(20);
    const all = hostLines.join('\n');
    for (const value of PERSONAL) expect(all).not.toContain(value);
  });
});
