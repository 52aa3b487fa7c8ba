import { randomUUID } from 'node:crypto';
import { FleetStack, startFleetStack } from '../../dev/local-stack/fleet-stack';
import { sampleCustomer } from '../fixtures/sample-customers';
import { waitForTerminal } from '../support/app-stack';

/**
 * Keyed correlation IDs on a fleet (issue 24): three hosts read the one correlation-ID key of the
 * vault (each once, at start), so the same Idempotency-Key sent to all of them at once is one
 * request under one ID, and one customer in D365.
 */
const HOSTS = 3;
let stack: FleetStack;

beforeAll(async () => {
  stack = await startFleetStack({ hosts: HOSTS });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

async function post(host: number, key: string, body: unknown) {
  const response = await fetch(`${stack.url(host)}/api/customers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { correlationId?: string };
  return { status: response.status, correlationId: json.correlationId };
}

it('the same key sent to every host at once is one request under one ID, one customer', async () => {
  const key = `fleet-${randomUUID()}`;
  const email = `fleet.keyed.${randomUUID()}@example.com`;
  const body = sampleCustomer('minimal');
  body.Customer = { ...body.Customer, EmailAddress: email };

  const answers = await Promise.all(Array.from({ length: 9 }, (_, i) => post(i % HOSTS, key, body)));
  // 202 for the first, the replay for the others, or 409 while the first is still being accepted.
  expect(answers.every((a) => [200, 202, 409].includes(a.status))).toBe(true);
  const ids = new Set(answers.filter((a) => a.status !== 409).map((a) => a.correlationId));
  expect(ids.size).toBe(1);
  const [id] = [...ids];

  // Afterwards every host answers a retry with that ID.
  for (let host = 0; host < HOSTS; host += 1) expect((await post(host, key, body)).correlationId).toBe(id);
  const ended = await waitForTerminal(`${stack.url(0)}/api/customers/status/${id}`, 60_000);
  expect(ended.status).toBe('succeeded');
  const created = (await stack.customers()).filter((c) =>
    JSON.stringify(c.fields).toLowerCase().includes(email.toLowerCase()),
  );
  expect(created).toHaveLength(1);

  // Each host read the key's value once (the stack's own check is the first read).
  const { value } = await stack.emulatorApi<{ value: { path: string }[] }>(
    'GET',
    '/_emulator/requests?service=keyvault&endpoint=getSecret',
  );
  expect(value.filter((entry) => entry.path.startsWith('/secrets/correlation-id-key/'))).toHaveLength(
    1 + HOSTS,
  );
}, 120_000);
