import { app, InvocationContext } from '@azure/functions';
import { appServices, reconcileDeps } from '../shared/composition';
import { invocationLog } from '../shared/adapters/invocation-log';
import { reconcile } from '../shared/use-cases/reconcile';

/**
 * Every 30 seconds: resumes requests whose instance died (lease ended) and re-queues requests stranded
 * by a crash between claim and queue write (see shared/use-cases/reconcile.ts).
 */
export async function reconcileCustomers(_timer: unknown, context: InvocationContext): Promise<void> {
  await reconcile(reconcileDeps(appServices(), invocationLog(context)));
}

app.timer('reconcileCustomers', { schedule: '*/30 * * * * *', handler: reconcileCustomers });
