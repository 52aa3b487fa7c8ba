import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { TableClient } from '@azure/data-tables';
import { tableCustomerLinks } from '../../shared/adapters/table-customer-links';
import { CustomerLink, StatusConflictError } from '../../shared/ports';

// Link retention against Azurite (started by the global setup), with the real Table SDK: the query
// on the service's Timestamp and the ETag-conditional delete.
const client = TableClient.fromConnectionString(
  process.env.TEST_STORAGE_CONNECTION_STRING!,
  `links${randomBytes(4).toString('hex')}`,
  { allowInsecureConnection: true },
);
const links = tableCustomerLinks(async () => client);

const link = (sourceCustomerId: string | undefined, createCorrelationId: string) => ({
  source: 'shop-eu',
  sourceCustomerId,
  legalEntity: 'USRT',
  createCorrelationId,
  createdAt: '2026-11-26T18:00:00.000Z',
  sentDigests: '{"salt":"s","fields":{}}',
  fieldStamps: '{}',
});
const byReference = (sourceCustomerId: string) =>
  links.get({ kind: 'reference', source: 'shop-eu', sourceCustomerId });
const byAccount = (customerAccount: string) =>
  links.get({ kind: 'account', legalEntity: 'USRT', customerAccount });
const rowCount = async () => {
  let count = 0;
  for await (const _row of client.listEntities()) count += 1;
  return count;
};
const ids = (found: CustomerLink[]) => found.map((l) => l.createCorrelationId).sort();

let cutoff: string;

beforeAll(async () => {
  await client.createTable();
  await links.reserve(link('pending', 'c-pending')); // reserved at intake, never completed
  await links.reserve(link('shopify-1', 'c-ref'));
  await links.complete(
    { ...link('shopify-1', 'c-ref'), customerAccount: 'US-001' },
    '2026-11-26T18:00:01.000Z',
  );
  await links.complete(
    { ...link(undefined, 'c-plain'), customerAccount: 'US-002' },
    '2026-11-26T18:00:01.000Z',
  );
  // The service stamps each write; the retention cutoff falls between these rows and the next.
  await sleep(30);
  cutoff = new Date().toISOString();
  await sleep(30);
  await links.complete(
    { ...link('shopify-2', 'c-recent'), customerAccount: 'US-003' },
    '2026-11-26T18:00:02.000Z',
  );
});

describe('customer links in Table storage: retention', () => {
  it('finds the links last written before the cutoff, reserved ones too, not account pointers nor later links', async () => {
    expect(ids(await links.findChangedBefore(cutoff, 10))).toEqual(['c-pending', 'c-plain', 'c-ref']);
    expect(await links.findChangedBefore(cutoff, 2)).toHaveLength(2);
    expect(await links.findChangedBefore('2026-01-01T00:00:00.000Z', 10)).toEqual([]);
  });

  it('keeps a link changed after it was found (the delete is conditional on its ETag)', async () => {
    const found = (await links.findChangedBefore(cutoff, 10)).find((l) => l.createCorrelationId === 'c-ref')!;
    await links.save((await byReference('shopify-1'))!, { fieldStamps: '{"Email":"2026-11-27T00:00:00Z"}' });

    await expect(links.delete(found)).rejects.toBeInstanceOf(StatusConflictError);
    expect(await byAccount('US-001')).toMatchObject({ fieldStamps: '{"Email":"2026-11-27T00:00:00Z"}' });
    expect(ids(await links.findChangedBefore(cutoff, 10))).toEqual(['c-pending', 'c-plain']);
  });

  it('deletes a link with its account pointer; the same customer links again afterwards', async () => {
    const before = await rowCount(); // pending, shopify-1 + pointer, US-002, shopify-2 + pointer
    const current = (await byReference('shopify-1'))!;
    await links.delete(current);
    for (const expired of await links.findChangedBefore(cutoff, 10)) await links.delete(expired);

    expect(await byReference('shopify-1')).toBeUndefined();
    expect(await byAccount('US-001')).toBeUndefined();
    expect(await byReference('pending')).toBeUndefined();
    expect(await byAccount('US-002')).toBeUndefined();
    expect(await byAccount('US-003')).toMatchObject({ sourceCustomerId: 'shopify-2' });
    expect(await rowCount()).toBe(before - 4); // shopify-2 and its pointer stay
    await expect(links.delete(current)).resolves.toBeUndefined(); // gone already: nothing to do

    await links.complete(
      { ...link('shopify-1', 'c-again'), customerAccount: 'US-001' },
      '2026-11-28T00:00:00.000Z',
    );
    expect(await byAccount('US-001')).toMatchObject({
      sourceCustomerId: 'shopify-1',
      createCorrelationId: 'c-again',
    });
  });
});

describe('customer links in Table storage: an account pointer left behind', () => {
  it('gives way when the account is linked again (retention stopped between the link and its pointer)', async () => {
    await links.complete(
      { ...link('shopify-9', 'c-old'), customerAccount: 'US-009' },
      '2026-11-26T18:00:01.000Z',
    );
    const home = (await byReference('shopify-9'))!;
    await client.deleteEntity(
      // the link's own row, as `delete` removes it first; its pointer stays behind
      (await findPartition((row) => row.createCorrelationId === 'c-old'))!,
      '',
    );
    expect(home.customerAccount).toBe('US-009');
    expect(await byAccount('US-009')).toBeUndefined();

    await links.complete(
      { ...link(undefined, 'c-plain-again'), customerAccount: 'US-009' },
      '2026-11-28T00:00:00.000Z',
    );
    expect(await byAccount('US-009')).toMatchObject({ createCorrelationId: 'c-plain-again' });
  });
});

async function findPartition(match: (row: Record<string, unknown>) => boolean): Promise<string | undefined> {
  for await (const row of client.listEntities<Record<string, unknown>>())
    if (match(row)) return row.partitionKey;
  return undefined;
}
