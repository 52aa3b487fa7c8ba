import { app, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { invocationLog } from '../shared/adapters/invocation-log';
import { appServices } from '../shared/composition';
import { getConfig } from '../shared/config/config';
import { backfillStatusRoute, startBackfillRoute } from '../shared/http/backfill-routes';
import { operatorAuthLevel } from '../shared/http/operator-auth';

/**
 * `POST /api/backfills` (operator): start loading a shop's existing customers into D365 (issue 30);
 * `GET /api/backfills/{jobId}` (operator): its progress. The pages run on `backfillPage`.
 */
export function startBackfillHandler(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const services = appServices();
  return startBackfillRoute(request, {
    config: services.config,
    auditLog: services.auditLog,
    backfillJobs: services.backfill.jobs,
    backfillQueue: services.backfill.queue,
    shopClients: services.shopClients,
    log: invocationLog(context),
  });
}

export function backfillStatusHandler(request: HttpRequest): Promise<HttpResponseInit> {
  const services = appServices();
  return backfillStatusRoute(request, { config: services.config, backfillJobs: services.backfill.jobs });
}

app.http('startBackfill', {
  methods: ['POST'],
  route: 'backfills',
  authLevel: operatorAuthLevel(getConfig().callers.auth),
  handler: startBackfillHandler,
});

app.http('backfillStatus', {
  methods: ['GET'],
  route: 'backfills/{jobId}',
  authLevel: operatorAuthLevel(getConfig().callers.auth),
  handler: backfillStatusHandler,
});
