import { app, InvocationContext } from '@azure/functions';
import { appServices, reconcileDeps } from '../shared/composition';
import { invocationLog } from '../shared/adapters/invocation-log';
import { reconcile } from '../shared/use-cases/reconcile';

/** Every minute: re-queues requests stranded by a crash between claim and queue write (see shared/reconcile.ts). */
export async function reconcileCustomers(_timer: unknown, context: InvocationContext): Promise<void> {
  await reconcile(reconcileDeps(appServices(), invocationLog(context)));
}

app.timer('reconcileCustomers', { schedule: '0 */1 * * * *', handler: reconcileCustomers });
