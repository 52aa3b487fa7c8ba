import { randomBytes } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { IDENTITY_PARTITION_PREFIX, tableIdentityClaims } from '../../shared/adapters/table-identity-claims';
import { IdentityClaim } from '../../shared/ports';

// Customer-identity claims against Azurite (started by the global setup), with the real Table SDK:
// the conditional insert, the takeover of an expired claim by ETag, and what `until` says.
const client = TableClient.fromConnectionString(
  process.env.TEST_STORAGE_CONNECTION_STRING!,
  `claims${randomBytes(4).toString('hex')}`,
  { allowInsecureConnection: true },
);
let clock = new Date('2026-12-01T18:00:00.000Z');
const claims = tableIdentityClaims(
  async () => client,
  () => clock,
);
const at = (seconds: number) =>
  new Date(Date.parse('2026-12-01T18:00:00.000Z') + seconds * 1000).toISOString();
const held = (answer: Awaited<ReturnType<typeof claims.claim>>): IdentityClaim => {
  if ('held' in answer) throw new Error(`held until ${answer.until}`);
  return answer;
};

beforeAll(async () => {
  await client.createTable();
});

afterAll(async () => {
  await client.deleteTable();
});

beforeEach(() => {
  clock = new Date('2026-12-01T18:00:00.000Z');
});

describe('customer-identity claims in Table storage', () => {
  it('lets one owner hold an identity until its claim runs out; `until` follows every extension', async () => {
    const mine = held(await claims.claim('usrt|ada@example.com', 'request-a', at(70)));
    expect(mine.until).toBe(at(70));
    await expect(claims.claim('usrt|ada@example.com', 'request-b', at(70))).resolves.toEqual({
      held: true,
      until: at(70),
    });
    await expect(mine.extend(at(200))).resolves.toBe(true);
    expect(mine.until).toBe(at(200));
    const row = await client.getEntity<{ owner: string; until: string }>(
      `${IDENTITY_PARTITION_PREFIX}usrt|ada@example.com`,
      '',
    );
    expect([row.owner, row.until]).toEqual(['request-a', at(200)]);
    await mine.release();
    // Released: another request claims it at once.
    const theirs = held(await claims.claim('usrt|ada@example.com', 'request-b', at(70)));
    await theirs.release();
  });

  it('hands an expired claim to the next request; the old holder can then neither extend nor release it', async () => {
    const old = held(await claims.claim('usrt|bo@example.com', 'request-a', at(70)));
    clock = new Date(at(71));
    const next = held(await claims.claim('usrt|bo@example.com', 'request-b', at(141)));
    await expect(old.extend(at(300))).resolves.toBe(false);
    expect(old.until).toBe(at(70)); // not moved by the failed write
    await old.release(); // a no-op: the row is the new holder's
    await expect(claims.claim('usrt|bo@example.com', 'request-c', at(141))).resolves.toEqual({
      held: true,
      until: at(141),
    });
    await next.release();
  });
});
