import { odata, TableClient } from '@azure/data-tables';

/**
 * A backfill job as the pipeline tests run it (issue 30): started through `POST /api/backfills`
 * (202 and the job's `Location`), then its progress read until it is no longer `running`.
 */
export async function startBackfill(appUrl: string, body: Record<string, unknown>): Promise<string> {
  const started = await fetch(`${appUrl}/api/backfills`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (started.status !== 202)
    throw new Error(`backfill not started: ${started.status} ${await started.text()}`);
  return started.headers.get('location')!;
}

export async function backfillEnded<P extends { state: string }>(
  location: string,
  options: { timeoutMs: number; pollMs: number },
): Promise<P> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const progress = (await (await fetch(location)).json()) as P;
    if (progress.state !== 'running') return progress;
    if (Date.now() > deadline) throw new Error(`backfill still running: ${JSON.stringify(progress)}`);
    await new Promise((r) => setTimeout(r, options.pollMs));
  }
}

export type SourceRow = { status: string; sourceCustomerId: string };

/** The status records of one source's customer requests (none yet while the table does not exist). */
export async function sourceRequests(table: TableClient, source: string): Promise<SourceRow[]> {
  const rows: SourceRow[] = [];
  try {
    for await (const row of table.listEntities<SourceRow>({
      queryOptions: { filter: odata`source eq ${source} and kind eq ''` },
    }))
      rows.push({ status: row.status, sourceCustomerId: row.sourceCustomerId });
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
  return rows;
}
