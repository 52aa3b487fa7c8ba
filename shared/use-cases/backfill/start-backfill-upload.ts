import { randomUUID } from 'node:crypto';
import { BackfillJob, backfillMessage, emptyCounts } from '../../domain/backfill';
import { CsvRowError, customersOfCsv } from '../../domain/backfill-csv';
import { CsvSyntaxError, parseCsv } from '../../domain/csv';
import type { WebhookSource } from '../../config/webhook-sources';
import type { BackfillJobs, BackfillQueue, BackfillUploads, Log, ShopCustomer } from '../../ports';
import { clock } from '../clock';

export interface StartBackfillUploadDeps {
  backfillJobs: BackfillJobs;
  backfillQueue: BackfillQueue;
  uploads: BackfillUploads;
  webhookSources: readonly WebhookSource[];
  pageSize: number;
  log: Log;
  now?: () => Date;
  newId?: () => string;
}

export type StartBackfillUploadResult =
  /** Started with the valid rows; `rejected`: the rows left out, with pointers (nothing of them is sent). */
  | { kind: 'started'; job: BackfillJob; rejected: CsvRowError[] }
  /** Not a Shopify source of WEBHOOK_SOURCES (the export's mapping is Shopify's). */
  | { kind: 'unknown-source' }
  /** Not CSV, no `Email` column, or no row that can be sent: nothing started. */
  | { kind: 'unreadable'; errors: CsvRowError[] };

/**
 * An operator uploads a Shopify customer export as the source of a backfill (issue 30): the valid
 * rows go, a page at a time, into the job's partition; then the job row (`read: csv`, its cursor
 * `csv:<pages>`, `total` the valid rows) and its first page's message. The pages run as any
 * backfill's (use-cases/backfill/backfill-page.ts), through the source's webhook intake.
 */
export async function startBackfillUpload(
  csv: string,
  request: { source: string; dryRun: boolean },
  operatorId: string,
  deps: StartBackfillUploadDeps,
): Promise<StartBackfillUploadResult> {
  const source = deps.webhookSources.find((s) => s.name === request.source);
  if (source?.kind !== 'shopify') return { kind: 'unknown-source' };
  let records;
  try {
    records = parseCsv(csv);
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    return { kind: 'unreadable', errors: [{ pointer: '/rows', detail: error.message }] };
  }
  const { customers, errors } = customersOfCsv(records);
  if (customers.length === 0)
    return {
      kind: 'unreadable',
      errors: errors.length > 0 ? errors : [{ pointer: '/rows', detail: 'The file has no customer rows.' }],
    };
  const listed: ShopCustomer[] = customers.map((c) => ({
    ...c,
    updatedAt: clock(deps).toISOString(),
    account: null,
  }));
  const pages: ShopCustomer[][] = [];
  for (let i = 0; i < listed.length; i += deps.pageSize) pages.push(listed.slice(i, i + deps.pageSize));
  const jobId = (deps.newId ?? randomUUID)();
  const now = clock(deps).toISOString();
  await deps.uploads.putPages(jobId, pages, now);
  const job = await deps.backfillJobs.create({
    jobId,
    source: request.source,
    dryRun: request.dryRun,
    read: 'csv',
    state: 'running',
    page: 0,
    cursor: `csv:${pages.length}`,
    total: listed.length,
    counts: emptyCounts(),
    startedBy: operatorId,
    startedAt: now,
    updatedAt: now,
  });
  await deps.backfillQueue.send(backfillMessage(job.jobId, 0));
  deps.log.info('backfill.started', { jobId, source: job.source, outcome: 'csv', total: listed.length });
  return { kind: 'started', job, rejected: errors };
}
