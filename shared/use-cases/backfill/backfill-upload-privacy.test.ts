import type { BackfillMessage } from '../../domain/backfill';
import { webhookSourceSchema } from '../../config/webhook-sources';
import { BackfillUploads, ShopCustomer, silentLog } from '../../ports';
import { processBackfillPage, BackfillPageDeps } from './backfill-page';
import { startBackfillUpload } from './start-backfill-upload';
import { memoryStatusStore } from '../../../test/support/memory-status-store';
import { memoryBackfillJobs } from '../../../test/support/memory-backfill-jobs';
import { testKeyCorrelation } from '../../../test/support/correlation-key';

/**
 * An uploaded export's rows are personal data (issue 30; SECURITY.md "What is held"): a page goes
 * once its job read it, and when the job fails (it is never resumed) every page it left goes at once
 * instead of waiting for retention. Pages are written with their upload time, which retention reads.
 */
const SOURCE = webhookSourceSchema.parse({
  kind: 'shopify',
  name: 'shop',
  shopDomain: 'unit.myshopify.com',
  secretName: 'webhook-shop',
  legalEntity: 'USRT',
  currency: 'USD',
});
const HEADER =
  'Customer ID,First Name,Last Name,Email,Company,Address1,Address2,City,Province,Province Code,Country,Country Code,Zip,Phone,Accepts Email Marketing,Accepts SMS Marketing,Total Spent,Total Orders,Tags,Note,Tax Exempt';
const csv = [
  HEADER,
  ...[1, 2, 3, 4, 5].map(
    (i) => `810000000000${i},Csv,Row ${i},csv.${i}@example.com,,,,,,,,,,,no,no,0.00,0,,,no`,
  ),
].join('\r\n');

function memoryUploads(): BackfillUploads & { pages: Map<string, ShopCustomer[]>; uploadedAt: string[] } {
  const pages = new Map<string, ShopCustomer[]>();
  const uploadedAt: string[] = [];
  const deleteWhere = (pick: (key: string) => boolean) => {
    const keys = [...pages.keys()].filter(pick);
    for (const key of keys) pages.delete(key);
    return keys.length;
  };
  return {
    pages,
    uploadedAt,
    async putPages(jobId, list, at) {
      list.forEach((customers, page) => pages.set(`${jobId}/${page}`, customers));
      uploadedAt.push(at);
    },
    getPage: async (jobId, page) => pages.get(`${jobId}/${page}`),
    deletePage: async (jobId, page) => void pages.delete(`${jobId}/${page}`),
    deletePages: async (jobId) => deleteWhere((key) => key.startsWith(`${jobId}/`)),
    deleteUploadedBefore: async () => 0,
    forgetCustomers: async () => 0,
  };
}

it('a CSV job that fails (a page gone) deletes every page it left; each page read went before', async () => {
  const uploads = memoryUploads();
  const jobs = memoryBackfillJobs();
  const sent: BackfillMessage[] = [];
  const backfillQueue = { send: async (message: BackfillMessage) => void sent.push(message) };
  const now = () => new Date('2026-12-07T10:00:00.000Z');
  const started = await startBackfillUpload(csv, { source: 'shop', dryRun: true }, 'master-key', {
    backfillJobs: jobs,
    backfillQueue,
    uploads,
    webhookSources: [SOURCE],
    pageSize: 2,
    log: silentLog,
    now,
  });
  if (started.kind !== 'started') throw new Error(started.kind);
  const { jobId } = started.job;
  expect([...uploads.pages.keys()]).toEqual([`${jobId}/0`, `${jobId}/1`, `${jobId}/2`]);
  expect(uploads.uploadedAt).toEqual(['2026-12-07T10:00:00.000Z']);

  const unreached = () => {
    throw new Error('not reached by a dry run');
  };
  const deps = {
    backfillJobs: jobs,
    backfillQueue,
    uploads,
    shopClients: { forSource: () => undefined },
    links: { get: async () => undefined },
    webhookSources: [SOURCE],
    accept: {
      statusStore: memoryStatusStore(),
      queue: { send: unreached },
      telemetry: { trackEvent: () => {}, trackMetric: () => {} },
      log: silentLog,
      target: 'custom-service',
      defaultCustomerGroup: '30',
      ...testKeyCorrelation(),
    },
    customerQueueDepth: unreached,
    pageSize: 2,
    maxBacklog: 10,
    retry: { baseSeconds: 2, maxDelaySeconds: 300, maxAttempts: 3, maxTotalSeconds: 3600 },
    telemetry: { trackEvent: () => {}, trackMetric: () => {} },
    log: silentLog,
    now,
  } as unknown as BackfillPageDeps;
  // Page 0 is read (and deleted); page 1 is gone (say, by retention): the job fails there.
  const first = await processBackfillPage(sent.shift(), deps);
  expect(first).toMatchObject({ kind: 'page', page: 0, last: false });
  expect([...uploads.pages.keys()]).toEqual([`${jobId}/1`, `${jobId}/2`]);
  uploads.pages.delete(`${jobId}/1`);
  const second = await processBackfillPage(sent.shift(), deps);
  expect(second).toMatchObject({ kind: 'failed', reason: expect.stringContaining('page 1 is gone') });
  expect(jobs.rows.get(jobId)).toMatchObject({ state: 'failed' });
  expect([...uploads.pages.keys()]).toEqual([]); // page 2, never to be read, went with the failure
});
