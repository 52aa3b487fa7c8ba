import { app, InvocationContext } from '@azure/functions';
import { appServices, bulkReplayDeps, reconcileDeps } from '../shared/composition';
import { invocationLog } from '../shared/adapters/invocation-log';
import { reconcile } from '../shared/use-cases/reconcile';
import { reviveReplays } from '../shared/use-cases/operations/bulk-replay';

/**
 * Every 30 seconds: resumes requests whose instance died (lease ended) and re-queues requests stranded
 * by a crash between claim and queue write (see shared/use-cases/reconcile.ts), and gives a bulk
 * replay job whose tick message was lost a new one (use-cases/operations/bulk-replay.ts).
 */
export async function reconcileCustomers(_timer: unknown, context: InvocationContext): Promise<void> {
  const log = invocationLog(context);
  await reconcile(reconcileDeps(appServices(), log));
  await reviveReplays(bulkReplayDeps(appServices(), log));
}

app.timer('reconcileCustomers', { schedule: '*/30 * * * * *', handler: reconcileCustomers });
