import { startEmulator } from '@d365-customer-sync/d365-emulator';
import { trustCertificate } from '../../dev/local-stack/app-stack';
import { d365Client } from '../../shared/adapters/d365/d365-client';
import { d365Gate } from '../../shared/adapters/d365/d365-gate';
import { batchedEmailLookup } from '../../shared/adapters/d365/batched-email-lookup';
import { parseCustomerRequest } from '../../shared/domain/customer-contract';
import { sampleCustomer } from '../fixtures/sample-customers';
import { emulatorD365Tokens } from '../../dev/local-stack/emulator-clients';

// The real D365 client (fetch), Key Vault and Entra ID clients against an emulator of this file's own.
describe('batched duplicate lookups against the emulated CustomersV3', () => {
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  beforeAll(async () => {
    emulator = await startEmulator({ host: '127.0.0.1', port: 0, log: () => undefined });
    trustCertificate(emulator.caCertPem);
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  const client = () => {
    const tokens = emulatorD365Tokens(emulator.url);
    return d365Client(tokens, {
      url: emulator.url,
      target: 'odata',
      servicePath: '/api/services/CreateCustomerServiceGroup/CreateCustomerService/CreateCustomer',
      accountField: 'CustomerAccount',
      timeoutMs: 5000,
    });
  };
  const create = async (d365: ReturnType<typeof client>, email: string): Promise<string> => {
    const body = sampleCustomer('full');
    body.Customer.EmailAddress = email;
    const parsed = parseCustomerRequest(body, { defaultCustomerGroup: '30' });
    if (!parsed.ok) throw new Error('sample does not parse');
    return (await d365.createCustomer(parsed.value)).customerAccount!;
  };
  const emulatorGet = async <T>(path: string): Promise<T> =>
    (await (await fetch(`${emulator.url}/_emulator${path}`)).json()) as T;
  const lookupRequests = async (): Promise<{ path: string; status: number | null }[]> =>
    (
      await emulatorGet<{ value: { path: string; endpoint: string; status: number | null }[] }>(
        '/requests?service=d365',
      )
    ).value.filter((r) => r.endpoint === 'odataQuery');

  it('answers 12 concurrent lookups with one D365 request, each with its own e-mail’s accounts', async () => {
    const d365 = client();
    const ana = await create(d365, 'Ana.Batch@Example.com');
    const bo1 = await create(d365, 'bo.batch@example.com');
    const bo2 = await create(d365, 'BO.BATCH@example.com');
    const lookup = batchedEmailLookup(d365, d365Gate(4), { maxBatch: 25, windowMs: 5, maxGateWaitMs: 5_000 });
    await lookup.findCustomersByEmail('USRT', 'warm-up@example.com'); // the token, outside the count
    const before = (await emulatorGet<{ d365: { requests: { odataQuery: number } } }>('/stats')).d365.requests
      .odataQuery;
    await fetch(`${emulator.url}/_emulator/requests`, { method: 'DELETE' });

    const emails = [
      'ana.batch@example.com',
      'Bo.Batch@Example.com',
      "o'neil.batch@example.com",
      ...Array.from({ length: 9 }, (_, i) => `nobody${i}.batch@example.com`),
    ];
    const answers = await Promise.all(emails.map((email) => lookup.findCustomersByEmail('USRT', email)));

    expect(answers[0]).toEqual([ana]);
    expect([...answers[1]!].sort()).toEqual([bo1, bo2].sort());
    expect(answers.slice(2)).toEqual(emails.slice(2).map(() => []));
    const after = (await emulatorGet<{ d365: { requests: { odataQuery: number } } }>('/stats')).d365.requests
      .odataQuery;
    expect(after - before).toBe(1);
    const logged = await lookupRequests();
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ status: 200 });
    // Each e-mail alone would have been a request of its own; a legal entity of its own is too.
    expect(
      await Promise.all([
        lookup.findCustomersByEmail('USRT', 'ana.batch@example.com'),
        lookup.findCustomersByEmail('DEMF', 'ana.batch@example.com'),
      ]),
    ).toEqual([[ana], []]);
    expect(await lookupRequests()).toHaveLength(3);
  });

  it('gives the first caller the 429 and the others the gate’s pause when D365 throttles a batch', async () => {
    const d365 = client();
    const lookup = batchedEmailLookup(d365, d365Gate(4), { maxBatch: 25, windowMs: 5, maxGateWaitMs: 5_000 });
    await lookup.findCustomersByEmail('USRT', 'warm-up@example.com');
    const response = await fetch(`${emulator.url}/_emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        service: 'd365',
        status: 429,
        retryAfter: 1,
        count: 1,
        method: 'GET',
        path: 'CustomersV3',
      }),
    });
    expect(response.status).toBe(201);
    const results = await Promise.allSettled(
      ['a.t@example.com', 'b.t@example.com', 'c.t@example.com'].map((e) =>
        lookup.findCustomersByEmail('USRT', e),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    const [first, ...others] = results.map((r) => (r as PromiseRejectedResult).reason as unknown);
    // One 429 costs one request an attempt; the batch's other callers get the pause and keep theirs.
    expect(first).toMatchObject({ failure: { kind: 'transient', throttled: true } });
    for (const other of others)
      expect(other).toMatchObject({ name: 'D365GateUnavailableError', reason: 'paused' });
  });
});
