import { app, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { invocationLog } from '../shared/adapters/invocation-log';
import { appServices } from '../shared/composition';
import { getConfig } from '../shared/config/config';
import { backfillStatusRoute, startBackfillRoute } from '../shared/http/backfill-routes';
import { startBackfillUploadRoute } from '../shared/http/backfill-upload-route';
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

/** `POST /api/backfills/csv` (operator): a Shopify customer export as the source of a backfill. */
export function startBackfillUploadHandler(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const services = appServices();
  return startBackfillUploadRoute(request, {
    config: services.config,
    auditLog: services.auditLog,
    backfillJobs: services.backfill.jobs,
    backfillQueue: services.backfill.queue,
    uploads: services.backfill.uploads,
    webhookSources: services.config.webhooks.sources,
    pageSize: services.config.backfill.pageSize,
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

app.http('startBackfillUpload', {
  methods: ['POST'],
  route: 'backfills/csv',
  authLevel: operatorAuthLevel(getConfig().callers.auth),
  handler: startBackfillUploadHandler,
});

app.http('backfillStatus', {
  methods: ['GET'],
  route: 'backfills/{jobId}',
  authLevel: operatorAuthLevel(getConfig().callers.auth),
  handler: backfillStatusHandler,
});
