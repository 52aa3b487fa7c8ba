import { createAdminApiClient } from '@shopify/admin-api-client';
import { call, useEmulator } from './support/emulator';

/**
 * The emulated Shopify bulk query operations (issue 30), through Shopify's own client: the run's
 * rules (shape, how many at once by API version), the states, the JSONL file (children as lines of
 * their own with `__parentId`, grouped or not), the signed download with `Range`, its expiry.
 */
const SHOP = 'bulk-shop.myshopify.com';
const TOKEN = 'shpat_bulk_token_0001';

const emulator = useEmulator();

const client = (version: string) =>
  createAdminApiClient({
    storeDomain: SHOP,
    apiVersion: version,
    accessToken: TOKEN,
    logger: () => undefined,
    customFetchApi: (url, init) =>
      fetch(String(url).replace(`https://${SHOP}`, `${emulator.url}/shopify/${SHOP}`), init),
  });

const CUSTOMERS_QUERY = `{ customers { edges { node { id firstName
  addressesV2 { edges { node { id city } } } } } } }`;

const RUN = `mutation Run($query: String!, $group: Boolean!) {
  bulkOperationRunQuery(query: $query, groupObjects: $group) {
    bulkOperation { id status url }
    userErrors { code field message }
  }
}`;
const READ = `query Read($id: ID!) {
  bulkOperation(id: $id) { id status objectCount rootObjectCount fileSize url completedAt }
}`;

type Run = {
  bulkOperationRunQuery: {
    bulkOperation: { id: string; status: string; url: string | null } | null;
    userErrors: { code: string; field: string[]; message: string }[];
  };
};
type Read = {
  bulkOperation: {
    id: string;
    status: string;
    objectCount: string;
    rootObjectCount: string;
    fileSize: string | null;
    url: string | null;
  } | null;
};

async function seed(extra: Record<string, unknown> = {}) {
  const customers = Array.from({ length: 3 }, (_, i) => ({
    first_name: `Bulk${i}`,
    email: `bulk.${i}@example.com`,
    addresses: i === 1 ? [] : [{ city: `City${i}a` }, { city: `City${i}b` }],
  }));
  const answer = await call(emulator, 'PUT', `/_emulator/shopify/shops/${SHOP}`, {
    body: { apps: [{ token: TOKEN, clientSecret: 'shpss_bulk_secret_01' }], customers, ...extra },
  });
  expect(answer.status).toBe(200);
}

async function run(version: string, query = CUSTOMERS_QUERY, group = true) {
  const answer = await client(version).request(RUN, { variables: { query, group } });
  expect(answer.errors).toBeUndefined();
  return (answer.data as Run).bulkOperationRunQuery;
}

async function completed(id: string): Promise<NonNullable<Read['bulkOperation']>> {
  const deadline = Date.now() + 30_000;
  const seen = new Set<string>();
  for (;;) {
    const answer = await client('2026-10').request(READ, { variables: { id } });
    const operation = (answer.data as Read).bulkOperation!;
    seen.add(operation.status);
    if (operation.status === 'COMPLETED') {
      expect([...seen].every((s) => ['CREATED', 'RUNNING', 'COMPLETED'].includes(s))).toBe(true);
      return operation;
    }
    if (Date.now() > deadline) throw new Error(`bulk operation still ${operation.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const linesOf = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { id: string; __parentId?: string; city?: string });

describe('Shopify bulk query operations', () => {
  it('runs a bulk query: CREATED, RUNNING, COMPLETED; the file has every node on its own line', async () => {
    await seed();
    const started = await run('2026-10');
    expect(started.userErrors).toEqual([]);
    expect(started.bulkOperation).toMatchObject({ status: 'CREATED', url: null });
    const done = await completed(started.bulkOperation!.id);
    // 3 customers and 4 addresses; the roots are the customers.
    expect(done).toMatchObject({ objectCount: '7', rootObjectCount: '3' });
    const file = await fetch(done.url!);
    expect(file.status).toBe(200);
    const lines = linesOf(await file.text());
    expect(lines).toHaveLength(7);
    // Grouped: each customer's addresses follow it directly.
    expect(lines.map((l) => (l.__parentId ? 'a' : 'c')).join('')).toBe('caaccaa');
    for (const [index, line] of lines.entries()) {
      if (!line.__parentId) continue;
      const parent = lines
        .slice(0, index)
        .reverse()
        .find((l) => !l.__parentId)!;
      expect(line.__parentId).toBe(parent.id);
    }
    expect(Number(done.fileSize)).toBe(Buffer.byteLength(await (await fetch(done.url!)).text(), 'utf8'));
  });

  it('without groupObjects, children do not follow their parent directly', async () => {
    await seed();
    const started = await run('2026-10', CUSTOMERS_QUERY, false);
    const done = await completed(started.bulkOperation!.id);
    const lines = linesOf(await (await fetch(done.url!)).text());
    expect(lines.map((l) => (l.__parentId ? 'a' : 'c')).join('')).toBe('cccaaaa');
  });

  it('answers a Range request 206 with Content-Range, refuses a wrong signature and an expired URL', async () => {
    await seed({ bulkUrlTtlMs: 1_500, bulkRunMs: 0 });
    const started = await run('2026-10');
    const done = await completed(started.bulkOperation!.id);
    const whole = await (await fetch(done.url!)).text();
    const part = await fetch(done.url!, { headers: { range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${Buffer.byteLength(whole)}`);
    expect(await part.text()).toBe(Buffer.from(whole).subarray(10, 20).toString());
    const beyond = await fetch(done.url!, { headers: { range: `bytes=${Buffer.byteLength(whole)}-` } });
    expect(beyond.status).toBe(416);
    const forged = await fetch(done.url!.replace(/signature=[0-9a-f]/, 'signature=x'));
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    await new Promise((r) => setTimeout(r, 1_600));
    const expired = await fetch(done.url!);
    expect(expired.status).toBe(400);
    expect(await expired.text()).toContain('<Code>ExpiredToken</Code>');
  });

  it('runs one bulk query at a time before 2026-01, five as of 2026-01', async () => {
    await seed({ bulkRunMs: 60_000 });
    expect((await run('2025-10')).userErrors).toEqual([]);
    const second = await run('2025-10');
    expect(second.bulkOperation).toBeNull();
    expect(second.userErrors[0]).toMatchObject({ code: 'OPERATION_IN_PROGRESS', field: ['query'] });
    for (let i = 0; i < 4; i += 1) expect((await run('2026-10')).userErrors).toEqual([]);
    const sixth = await run('2026-10');
    expect(sixth.userErrors[0]).toMatchObject({ code: 'LIMIT_REACHED' });
    // `bulkOperation(id:)` is a 2026-01 field.
    const old = await client('2025-10').request(READ, { variables: { id: 'gid://shopify/BulkOperation/1' } });
    expect(JSON.stringify(old.errors)).toContain("Field 'bulkOperation' doesn't exist");
  });

  it('refuses a bulk query Shopify would not run', async () => {
    await seed();
    const noConnection = await run('2026-10', '{ shop { id } }');
    expect(noConnection.userErrors[0]).toMatchObject({ code: 'INVALID', field: ['query'] });
    const unknownField = await run('2026-10', '{ customers { edges { node { id shoeSize } } } }');
    expect(unknownField.userErrors[0]).toMatchObject({ code: 'INVALID' });
    const deep = await run(
      '2026-10',
      `{ customers { edges { node { id addressesV2 { edges { node { id } } }
        metafields { edges { node { id } } } } } } }`,
    );
    // Two connections side by side at depth 2 are allowed.
    expect(deep.userErrors).toEqual([]);
  });
});
