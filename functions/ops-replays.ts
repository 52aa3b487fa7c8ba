import { app, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { getConfig } from '../shared/config/config';
import { appServices, bulkReplayDeps } from '../shared/composition';
import { invocationLog } from '../shared/adapters/invocation-log';
import { operatorAuthLevel } from '../shared/http/operator-auth';
import {
  cancelJob,
  listJobs,
  ReplayAction,
  runReplayAction,
  showJob,
  startJob,
} from '../shared/http/operations/replay-routes';

/**
 * Bulk replay (issue 31, docs/operations.md): `POST /api/ops/replays` starts a job by filter or by
 * IDs, `GET /api/ops/replays(/{jobId})` shows progress, `POST …/{jobId}/cancel` stops it. The job is
 * advanced by `runReplayJobs` (functions/run-replay-jobs.ts), paced below live traffic.
 */
const handle =
  (action: ReplayAction) =>
  (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const services = appServices();
    return runReplayAction(
      request,
      services.config.callers,
      () => bulkReplayDeps(services, invocationLog(context)),
      action,
    );
  };

app.http('opsStartReplay', {
  methods: ['POST'],
  route: 'ops/replays',
  authLevel: operatorAuthLevel(getConfig().callers.auth),
  handler: handle(startJob),
});

app.http('opsListReplays', {
  methods: ['GET'],
  route: 'ops/replays',
  authLevel: operatorAuthLevel(getConfig().callers.auth),
  handler: handle(listJobs),
});

app.http('opsReplay', {
  methods: ['GET'],
  route: 'ops/replays/{jobId}',
  authLevel: operatorAuthLevel(getConfig().callers.auth),
  handler: handle(showJob),
});

app.http('opsCancelReplay', {
  methods: ['POST'],
  route: 'ops/replays/{jobId}/cancel',
  authLevel: operatorAuthLevel(getConfig().callers.auth),
  handler: handle(cancelJob),
});
