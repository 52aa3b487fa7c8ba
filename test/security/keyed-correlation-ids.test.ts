import { randomUUID } from 'node:crypto';
import { AppStack, startAppStack } from '../support/app-stack';
import { sampleCustomer } from '../fixtures/sample-customers';
import { principalHeader } from '../support/principal';
import { keyedCorrelationId, legacyCorrelationId } from '../../shared/domain/correlation-id';

/**
 * Keyed correlation IDs (issue 24, point 8) on the local stack, with `CALLER_AUTH=app-service` and
 * distinct Entra principals: the ID of an Idempotency-Key is the HMAC under the fleet's Key Vault
 * secret (put once into the emulated vault, as the deployment does), so a caller's key does not
 * tell anyone its request; a retry finds its request, another caller's same key is another
 * request; a request accepted before the change (under its unkeyed ID) is found by its retry.
 */
const SHOP_A_ID = '24242424-bbbb-4bbb-8bbb-000000000001';
const SHOP_B_ID = '24242424-bbbb-4bbb-8bbb-000000000002';
const SHOP_A = principalHeader(SHOP_A_ID, ['Customers.Create', 'Customers.Read']);
const SHOP_B = principalHeader(SHOP_B_ID, ['Customers.Create', 'Customers.Read']);
const ROUTE = 'POST /api/customers';

let stack: AppStack;

beforeAll(async () => {
  stack = await startAppStack({ settings: { CALLER_AUTH: 'app-service', DUPLICATE_POLICY: 'create' } });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

async function create(principal: string, key: string, email: string) {
  const body = sampleCustomer('minimal');
  body.Customer = { ...body.Customer, EmailAddress: email };
  const response = await fetch(`${stack.url}/api/customers`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-ms-client-principal': principal,
      'idempotency-key': key,
    },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { correlationId?: string };
  return { status: response.status, correlationId: json.correlationId };
}

async function status(principal: string, id: string): Promise<number> {
  const response = await fetch(`${stack.url}/api/customers/status/${id}`, {
    headers: { 'x-ms-client-principal': principal },
  });
  await response.arrayBuffer();
  return response.status;
}

/** Reads of the correlation-ID key's value in the emulated vault (the request log, by path). */
async function keyValueReads(): Promise<number> {
  const { value } = await stack.emulatorApi<{ value: { path: string; endpoint: string }[] }>(
    'GET',
    '/_emulator/requests?service=keyvault&endpoint=getSecret',
  );
  return value.filter((entry) => entry.path.startsWith('/secrets/correlation-id-key/')).length;
}

describe('keyed correlation IDs on the local stack', () => {
  it('a retry with the same key gets the same ID; another caller with the same key gets another', async () => {
    const key = `order-${randomUUID()}`;
    const email = `keyed.${randomUUID()}@example.com`;
    const first = await create(SHOP_A, key, email);
    expect(first.status).toBe(202);
    const retry = await create(SHOP_A, key, email);
    expect(retry.correlationId).toBe(first.correlationId);
    const other = await create(SHOP_B, key, email);
    expect(other.status).toBe(202);
    expect(other.correlationId).not.toBe(first.correlationId);
    // Neither caller learns or reaches the other's request.
    expect(await status(SHOP_B, first.correlationId!)).toBe(404);
    expect(await status(SHOP_A, first.correlationId!)).toBe(200);
  });

  it('an ID is not computable without the secret: not the unkeyed hash, only the HMAC under the vault key', async () => {
    const key = `order-${randomUUID()}`;
    const { correlationId } = await create(SHOP_A, key, `secret.${randomUUID()}@example.com`);
    const scope = { caller: SHOP_A_ID, route: ROUTE, key };
    expect(correlationId).not.toBe(legacyCorrelationId(scope));
    expect(correlationId).not.toBe(
      keyedCorrelationId(Buffer.from('a guessed secret of 32+ characters'), scope),
    );
    expect(correlationId).toBe(keyedCorrelationId(stack.correlationKey!.secret, scope));
  });

  it('a retry of a key accepted before the change (its record under the unkeyed ID) finds that request', async () => {
    const key = `order-${randomUUID()}`;
    const email = `legacy.${randomUUID()}@example.com`;
    const first = await create(SHOP_A, key, email);
    // As if accepted before keyed IDs: the same record under the unkeyed ID of its key.
    const legacy = legacyCorrelationId({ caller: SHOP_A_ID, route: ROUTE, key });
    const entity = await stack.table.getEntity<Record<string, unknown>>(first.correlationId!, '');
    const { etag: _etag, timestamp: _timestamp, ...fields } = entity;
    await stack.table.createEntity({ ...fields, partitionKey: legacy, rowKey: '' });
    await stack.table.deleteEntity(first.correlationId!, '');

    const retry = await create(SHOP_A, key, email);
    expect(retry.correlationId).toBe(legacy);
    expect(await status(SHOP_A, legacy)).toBe(200);
    // No second request under the keyed ID.
    await expect(stack.table.getEntity(first.correlationId!, '')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('reads the key once per instance, however many keyed requests', async () => {
    const before = await keyValueReads();
    for (let i = 0; i < 5; i += 1)
      expect(
        (await create(SHOP_B, `bulk-${randomUUID()}`, `bulk.${i}.${randomUUID()}@example.com`)).status,
      ).toBe(202);
    expect(await keyValueReads()).toBe(before);
    // The stack's own check that the key exists, and the host's one read at start.
    expect(before).toBe(2);
  });
});
