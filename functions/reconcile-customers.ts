import { app, InvocationContext } from '@azure/functions';
import { appServices, reconcileDeps } from '../shared/app-services';
import { invocationLog } from '../shared/log';
import { reconcile } from '../shared/reconcile';

/** Every minute: re-queues requests stranded by a crash between claim and queue write (see shared/reconcile.ts). */
export async function reconcileCustomers(_timer: unknown, context: InvocationContext): Promise<void> {
  await reconcile(reconcileDeps(appServices(), invocationLog(context)));
}

app.timer('reconcileCustomers', { schedule: '0 */1 * * * *', handler: reconcileCustomers });
