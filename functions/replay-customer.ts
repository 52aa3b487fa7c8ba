import { parseCorrelationId } from '../shared/domain/correlation-id';
import { app, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { appServices } from '../shared/composition';
import { requireCaller } from '../shared/http/caller';
import { invocationLog } from '../shared/adapters/invocation-log';
import { problemResponse, problems } from '../shared/http/problem';
import { replayFailedRequest } from '../shared/use-cases/replay-request';
import { toStatusAnswer } from '../shared/domain/status';

/**
 * `POST /api/customers/status/{correlationId}/retry` (admin key): re-queues a failed request once
 * the operator fixed its cause. Never creates a second customer (the worker looks it up first).
 */
export async function replayCustomer(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const { config, statusStore, queue } = appServices();
  const check = requireCaller(request, 'operator', config.callers);
  if (!check.ok) return check.response;
  const correlationId = parseCorrelationId(request.params.correlationId);
  if (correlationId === undefined) return problemResponse(problems.invalidCorrelationId());
  const result = await replayFailedRequest(correlationId, {
    statusStore,
    queue,
    log: invocationLog(context),
  });
  switch (result.kind) {
    case 'not-found':
      return problemResponse(problems.notFound());
    case 'not-failed':
      return problemResponse(problems.notReplayable('Only a failed request can be replayed.'));
    case 'no-payload':
      return problemResponse(
        problems.notReplayable('The request is past its retention; nothing is left to replay.'),
      );
    case 'replayed':
      return { status: 202, jsonBody: toStatusAnswer(result.record) };
  }
}

app.http('replayCustomer', {
  methods: ['POST'],
  route: 'customers/status/{correlationId}/retry',
  authLevel: 'admin',
  handler: replayCustomer,
});
