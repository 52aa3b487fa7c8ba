import { TableClient } from '@azure/data-tables';
import type { AppStack } from '../dev/local-stack/app-stack';
import { BENCH_SHOP, BENCH_SOURCE, shopEmail } from './backfill-seed';

/**
 * What the backfill bench checks after the run (bench/backfill.ts): the shop's page reads against
 * the job's pages, each shop customer once in D365 and once among the app's requests.
 */
export interface JobRow {
  page: number;
  state: string;
  cursor?: string;
  total?: number;
  counts: Record<string, number>;
}

/** The job's row as stored (read from the table: the host may be down). */
export async function readJobRow(stack: AppStack, jobId: string): Promise<JobRow> {
  const table = TableClient.fromConnectionString(
    stack.env.AzureWebJobsStorage!,
    stack.env.BACKFILL_TABLE_NAME!,
    { allowInsecureConnection: true },
  );
  const entity = await table.getEntity<Record<string, unknown>>(jobId, '');
  return {
    page: Number(entity.page ?? 0),
    state: String(entity.state),
    ...(typeof entity.cursor === 'string' && entity.cursor !== '' && { cursor: entity.cursor }),
    ...(entity.total !== undefined && { total: Number(entity.total) }),
    counts: JSON.parse(String(entity.counts ?? '{}')) as Record<string, number>,
  };
}

type ShopReport = {
  customers?: { id: string; email: string | null }[];
  apps: { customerPages: number; customerPagesRepeated: number; requests: number; throttled: number }[];
};

/** The shop's page reads so far (the emulator's counters); with its customers' IDs unless `light`. */
export async function shopPages(stack: AppStack, light = false) {
  const report = await stack.emulatorApi<ShopReport>(
    'GET',
    `/_emulator/shopify/shops/${BENCH_SHOP}${light ? '?customers=none' : ''}`,
  );
  const app = report.apps[0]!;
  return {
    fetched: app.customerPages,
    repeated: app.customerPagesRepeated,
    requests: app.requests,
    throttled: app.throttled,
    customerIds: (report.customers ?? []).map((c) => c.id),
  };
}

/**
 * Each seeded shop customer in D365 exactly once (by e-mail: the ones made before the run were
 * linked, not made again), and exactly one create request of the app per shop customer ID, ended.
 */
export async function tallyCustomers(stack: AppStack, count: number, tag: string, shopIds: string[]) {
  const d365 = await stack.customers();
  const byEmail = new Map<string, number>();
  for (const c of d365) {
    const email = String(c.fields.PrimaryContactEmail ?? '').toLowerCase();
    byEmail.set(email, (byEmail.get(email) ?? 0) + 1);
  }
  let lost = 0;
  let duplicated = 0;
  for (let n = 0; n < count; n += 1) {
    const times = byEmail.get(shopEmail(tag, n)) ?? 0;
    if (times === 0) lost += 1;
    if (times > 1) duplicated += 1;
  }
  const ids = new Set(shopIds);
  const perId = new Map<string, number>();
  const statuses: Record<string, number> = {};
  const outcomes: Record<string, number> = {};
  const accounts = new Set<string>();
  type Row = {
    status: string;
    outcome?: string;
    sourceCustomerId?: string;
    kind?: string;
    customerAccount?: string;
  };
  for await (const row of stack.table.listEntities<Row>({
    queryOptions: { filter: `source eq '${BENCH_SOURCE}'` },
  })) {
    if (row.kind || !row.sourceCustomerId || !ids.has(row.sourceCustomerId)) continue;
    perId.set(row.sourceCustomerId, (perId.get(row.sourceCustomerId) ?? 0) + 1);
    statuses[row.status] = (statuses[row.status] ?? 0) + 1;
    if (row.outcome) outcomes[row.outcome] = (outcomes[row.outcome] ?? 0) + 1;
    if (row.customerAccount) accounts.add(row.customerAccount);
  }
  const once = [...ids].filter((id) => perId.get(id) === 1).length;
  return {
    d365Customers: d365.length,
    seededInD365Lost: lost,
    seededInD365Duplicated: duplicated,
    requests: {
      shopIdsOnce: once,
      shopIdsMissing: [...ids].filter((id) => !perId.has(id)).length,
      shopIdsMoreThanOnce: [...perId.values()].filter((v) => v > 1).length,
      distinctAccounts: accounts.size,
      statuses,
      outcomes,
    },
  };
}
