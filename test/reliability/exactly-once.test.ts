import { randomUUID } from 'node:crypto';
import { AppStack, postJson, startAppStack, waitForTerminal } from '../support/app-stack';
import { sampleCustomer } from '../fixtures/sample-customers';

const fixture = sampleCustomer('full');

/** A customer of its own: the duplicate policy (link) treats one e-mail as one customer. */
const customer = (tag = randomUUID()) => ({
  Customer: { ...fixture.Customer, EmailAddress: `eo.${tag}@example.com` },
});
const emailOf = (body: ReturnType<typeof customer>): string => body.Customer.EmailAddress;

/** Quick recovery so each scenario takes seconds: short timeouts, leases and back-off. */
const SETTINGS = {
  RETRY_BASE_SECONDS: '1',
  RETRY_MAX_DELAY_SECONDS: '2',
  D365_TIMEOUT_MS: '1500',
  PROCESSING_LEASE_SECONDS: '3',
  DEV_HOST_QUEUE_LEASE_SECONDS: '3',
  AzureFunctionsJobHost__extensions__queues__maxPollingInterval: '00:00:00.500',
};

interface LoggedRequest {
  at: string;
  answeredAt: string | null;
  endpoint: string;
  status: number | null;
  retryAfter: number | null;
}

let stack: AppStack;

beforeAll(async () => {
  stack = await startAppStack({ settings: SETTINGS });
});

afterAll(async () => {
  await stack?.stop();
});

beforeEach(async () => {
  await stack.emulatorApi('DELETE', '/_emulator/faults');
});

const customersWith = async (email: string) =>
  (await stack.customers()).filter((c) => c.fields.PrimaryContactEmail === email);

/** Waits until D365 (the emulator) holds a customer with this e-mail. */
async function waitForCustomer(email: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await customersWith(email)).length === 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function d365Log(): Promise<LoggedRequest[]> {
  return (await stack.emulatorApi<{ value: LoggedRequest[] }>('GET', '/_emulator/requests?service=d365'))
    .value;
}

describe('idempotent intake', () => {
  it('turns 50 concurrent requests with one Idempotency-Key into one correlation ID and one customer', async () => {
    const body = customer();
    const key = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        postJson(`${stack.url}/api/customers`, body, { 'idempotency-key': key }),
      ),
    );
    const statuses = new Set(answers.map((a) => a.status));
    expect([...statuses].filter((s) => s !== 202 && s !== 409)).toEqual([]);
    const accepted = answers.filter((a) => a.status === 202);
    expect(accepted.length).toBeGreaterThan(0);
    const ids = new Set(accepted.map((a) => (a.json as { correlationId: string }).correlationId));
    expect(ids.size).toBe(1);
    expect(accepted.filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(
      accepted.length - 1,
    );
    for (const conflict of answers.filter((a) => a.status === 409)) {
      expect(conflict.headers.get('content-type')).toBe('application/problem+json');
      expect(conflict.headers.get('retry-after')).toBe('1');
    }
    const [id] = [...ids];
    await waitForTerminal(`${stack.url}/api/customers/status/${id}`);
    // A late repeat gets the same answer.
    const late = await postJson(`${stack.url}/api/customers`, body, { 'idempotency-key': key });
    expect((late.json as { correlationId: string }).correlationId).toBe(id);
    expect(late.headers.get('idempotent-replayed')).toBe('true');
    expect(await customersWith(emailOf(body))).toHaveLength(1);
  });

  it('answers 422 to the same key with another body, and 400 to a malformed key', async () => {
    const key = randomUUID();
    expect(
      (await postJson(`${stack.url}/api/customers`, customer(), { 'idempotency-key': key })).status,
    ).toBe(202);
    const other = await postJson(`${stack.url}/api/customers`, customer(), { 'idempotency-key': key });
    expect(other.status).toBe(422);
    expect((other.json as { type: string }).type).toContain('idempotency-key-reused');
    const malformed = await postJson(`${stack.url}/api/customers`, customer(), {
      'idempotency-key': 'x'.repeat(300),
    });
    expect(malformed.status).toBe(400);
  });
});

describe('faults from D365', () => {
  it('gets every request through a 429 storm, 5xx bursts, hangs and resets, one customer each', async () => {
    for (const fault of [
      { service: 'd365', status: 429, retryAfter: 2, count: 6 },
      { service: 'd365', status: 503, count: 4 },
      { service: 'd365', status: 502, count: 2 },
      { service: 'd365', status: 504, count: 2 },
      { service: 'd365', hang: true, count: 2 },
      { service: 'd365', reset: true, count: 3 },
    ]) {
      await stack.emulatorApi('POST', '/_emulator/faults', fault);
    }
    const bodies = Array.from({ length: 12 }, () => customer());
    const answers = await Promise.all(bodies.map((b) => postJson(`${stack.url}/api/customers`, b)));
    const finals = await Promise.all(
      answers.map((a) => waitForTerminal((a.json as { statusUrl: string }).statusUrl, 220_000)),
    );
    expect(finals.map((f) => f.status)).toEqual(bodies.map(() => 'succeeded'));
    for (const body of bodies) expect(await customersWith(emailOf(body))).toHaveLength(1);
    // Every rule struck as often as it was told to (a rule with a count is removed when used up).
    const faults = await stack.emulatorApi<{ value: unknown[] }>('GET', '/_emulator/faults');
    expect(faults.value).toEqual([]);
  }, 240_000);

  it('honours Retry-After: after a 429 no D365 call arrives before the time it allowed', async () => {
    await stack.emulatorApi('DELETE', '/_emulator/requests');
    await stack.emulatorApi('POST', '/_emulator/faults', {
      service: 'd365',
      status: 429,
      retryAfter: 2,
      count: 3,
    });
    const bodies = Array.from({ length: 6 }, () => customer());
    const answers = await Promise.all(bodies.map((b) => postJson(`${stack.url}/api/customers`, b)));
    await Promise.all(
      answers.map((a) => waitForTerminal((a.json as { statusUrl: string }).statusUrl, 60_000)),
    );
    const log = await d365Log();
    const throttles = log.filter((r) => r.status === 429);
    expect(throttles).toHaveLength(3);
    for (const throttle of throttles) {
      const answered = Date.parse(throttle.answeredAt!);
      const allowed = answered + throttle.retryAfter! * 1000;
      // Requests already on their way when the 429 left may still arrive (up to D365_MAX_CONCURRENCY);
      // on a loaded machine one sent just before the app read the 429 can take a few hundred ms to
      // arrive. After that grace (500 ms of the 2 s allowed), nothing until Retry-After has passed: an
      // app that ignored Retry-After would send its other requests' retries inside that 1.5 s.
      const early = log.filter((r) => Date.parse(r.at) > answered + 500 && Date.parse(r.at) < allowed - 20);
      expect(early).toEqual([]);
    }
  }, 180_000);
});

describe('secret rotation', () => {
  let rotating: AppStack;
  afterAll(async () => {
    await rotating?.stop();
  });

  it('keeps every request succeeding while the client secret is rotated, without a restart', async () => {
    // Short-lived tokens, so the app goes back to Entra ID with its cached secret during the test.
    rotating = await startAppStack({ settings: SETTINGS, emulator: { tokenLifetimeSeconds: 2 } });
    const stats = () =>
      rotating.emulatorApi<{ keyVault: { reads: number }; tokenErrors: number }>('GET', '/_emulator/stats');
    const send = async () => {
      const answer = await postJson(`${rotating.url}/api/customers`, customer());
      return waitForTerminal((answer.json as { statusUrl: string }).statusUrl, 60_000);
    };
    const first = await Promise.all(Array.from({ length: 5 }, send));
    const before = await stats();
    await rotating.emulatorApi('POST', '/_emulator/rotate-secret');
    await new Promise((r) => setTimeout(r, 2500));
    const second = await Promise.all(Array.from({ length: 5 }, send));
    expect([...first, ...second].map((f) => f.status)).toEqual(Array(10).fill('succeeded'));
    const after = await stats();
    // Entra ID refused the old secret, and the app read the new one from Key Vault.
    expect(after.tokenErrors).toBeGreaterThan(before.tokenErrors);
    expect(after.keyVault.reads).toBeGreaterThan(before.keyVault.reads);
  });
});

describe('a crash after D365 created the customer', () => {
  it('records the existing customer after the host restarts, creating no second one', async () => {
    // D365 commits, then never answers; the host is killed while it waits.
    await stack.emulatorApi('POST', '/_emulator/faults', {
      service: 'd365',
      after: true,
      hang: true,
      count: 1,
    });
    const body = customer();
    const answer = await postJson(`${stack.url}/api/customers`, body);
    // The host comes back on the same port, so the caller's status URL keeps working.
    const { statusUrl } = answer.json as { statusUrl: string };
    await waitForCustomer(emailOf(body));
    expect(await customersWith(emailOf(body))).toHaveLength(1);
    expect(((await (await fetch(statusUrl)).json()) as { status: string }).status).toBe('submitting');
    await stack.restartHost('SIGKILL');

    const final = await waitForTerminal(statusUrl, 60_000);
    expect(final).toMatchObject({ status: 'succeeded', outcome: 'created' });
    const customers = await customersWith(emailOf(body));
    expect(customers).toHaveLength(1);
    expect(customers[0]!.account).toBe(final.customerAccount);
  });
});

describe('Prefer: wait', () => {
  it('answers 201 Created with the account when D365 answers in time', async () => {
    const answer = await postJson(`${stack.url}/api/customers`, customer(), { prefer: 'wait=10' });
    expect(answer.status).toBe(201);
    expect(answer.json).toMatchObject({
      status: 'succeeded',
      outcome: 'created',
      customerAccount: expect.any(String),
    });
    expect(answer.headers.get('preference-applied')).toBe('wait=10');
    expect(answer.headers.get('location')).toContain('/api/customers/status/');
  });

  it('answers 202 when D365 is slower than the wait, and the request still succeeds once', async () => {
    await stack.emulatorApi('POST', '/_emulator/faults', { service: 'd365', latencyMs: 1200, count: 2 });
    const body = customer();
    const answer = await postJson(`${stack.url}/api/customers`, body, { prefer: 'wait=1' });
    expect(answer.status).toBe(202);
    expect(answer.headers.get('preference-applied')).toBe('wait=1');
    const final = await waitForTerminal((answer.json as { statusUrl: string }).statusUrl, 30_000);
    expect(final.status).toBe('succeeded');
    expect(await customersWith(emailOf(body))).toHaveLength(1);
  });

  it('answers a business error as problem+json at once', async () => {
    const answer = await postJson(
      `${stack.url}/api/customers`,
      { Customer: { ...customer().Customer, CustomerGroup: 'NOPE' } },
      { prefer: 'wait=10' },
    );
    expect(answer.status).toBe(422);
    expect(answer.json).toMatchObject({ code: 'business_error', correlationId: expect.any(String) });
  });

  it('has the queue worker finish an inline attempt that died mid-call, with one customer', async () => {
    await stack.emulatorApi('POST', '/_emulator/faults', {
      service: 'd365',
      after: true,
      hang: true,
      count: 1,
    });
    const body = customer();
    const key = randomUUID();
    const post = () =>
      postJson(`${stack.url}/api/customers`, body, { prefer: 'wait=5', 'idempotency-key': key });
    const pending = post().catch(() => undefined);
    await waitForCustomer(emailOf(body));
    // D365 created it; the intake is waiting for an answer that never comes. Kill it.
    await stack.restartHost('SIGKILL');
    expect(await pending).toBeUndefined();
    // The POS sends the request again with the same key, as it would after a dropped connection.
    const again = await post();
    expect([201, 202]).toContain(again.status);
    const { correlationId } = again.json as { correlationId: string };
    const final = await waitForTerminal(`${stack.url}/api/customers/status/${correlationId}`, 60_000);
    expect(final).toMatchObject({ status: 'succeeded', outcome: 'created' });
    expect(await customersWith(emailOf(body))).toHaveLength(1);
  });
});
