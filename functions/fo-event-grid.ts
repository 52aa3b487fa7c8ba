import { app, InvocationContext } from '@azure/functions';
import { appServices, foGridEventDeps } from '../shared/composition';
import { invocationLog } from '../shared/adapters/invocation-log';
import { getConfig } from '../shared/config/config';
import { acceptGridEvent } from '../shared/use-cases/fo-events/accept-grid-event';

/**
 * Event Grid trigger (issue 29): F&O's Azure Event Grid endpoint publishes each data event to a
 * topic whose subscription calls this function, one event per invocation, on the HTTPS intake's
 * use-case. Throws only when the event could not be stored, so the host answers 500 and Event Grid
 * delivers it again. Registered only with FO_EVENTS_DELIVERY=eventGrid: otherwise there is no such
 * function and its webhook answers 404, as for a disabled function.
 */
export async function foEventGrid(event: unknown, context: InvocationContext): Promise<void> {
  await acceptGridEvent(event, foGridEventDeps(appServices(), invocationLog(context)));
}

if (getConfig().foEvents.delivery === 'eventGrid') {
  app.eventGrid('foEventGrid', { handler: foEventGrid });
}
