import { randomUUID } from 'node:crypto';
import { BackfillJob, backfillMessage, BackfillStart, emptyCounts } from '../../domain/backfill';
import type { BackfillJobs, BackfillQueue, Log, ShopClients } from '../../ports';
import { clock } from '../clock';

export interface StartBackfillDeps {
  backfillJobs: BackfillJobs;
  backfillQueue: BackfillQueue;
  shopClients: ShopClients;
  log: Log;
  now?: () => Date;
  newId?: () => string;
}

export type StartBackfillResult =
  | { kind: 'started'; job: BackfillJob }
  /** Not a shop source with an Admin API token (WEBHOOK_SOURCES): there is nothing to page through. */
  | { kind: 'unknown-source' }
  /** `read: bulk` of a shop without bulk operations (BigCommerce). */
  | { kind: 'bulk-unsupported' };

/**
 * An operator starts a backfill of one shop (issue 30): the job row, then its first page's message.
 * A lost message leaves the job `running` with page 0: starting it again is safe (every customer's
 * intake key is its own, so nothing is sent twice).
 */
export async function startBackfill(
  request: BackfillStart,
  operatorId: string,
  deps: StartBackfillDeps,
): Promise<StartBackfillResult> {
  const client = deps.shopClients.forSource(request.source, 'read');
  if (!client) return { kind: 'unknown-source' };
  if (request.read === 'bulk' && !client.listCustomersInBulk) return { kind: 'bulk-unsupported' };
  const now = clock(deps).toISOString();
  const job = await deps.backfillJobs.create({
    jobId: (deps.newId ?? randomUUID)(),
    source: request.source,
    ...(request.since !== undefined && { since: new Date(request.since).toISOString() }),
    dryRun: request.dryRun ?? false,
    ...(request.read === 'bulk' && { read: 'bulk' as const }),
    state: 'running',
    page: 0,
    counts: emptyCounts(),
    startedBy: operatorId,
    startedAt: now,
    updatedAt: now,
  });
  await deps.backfillQueue.send(backfillMessage(job.jobId, 0));
  deps.log.info('backfill.started', {
    jobId: job.jobId,
    source: job.source,
    outcome: job.dryRun ? 'dry-run' : 'run',
  });
  return { kind: 'started', job };
}
