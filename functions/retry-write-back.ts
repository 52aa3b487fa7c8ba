import { app, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { appServices } from '../shared/composition';
import { parseCorrelationId } from '../shared/domain/correlation-id';
import { toStatusAnswer } from '../shared/domain/status';
import { invocationLog } from '../shared/adapters/invocation-log';
import { requireCaller } from '../shared/http/caller';
import { problemResponse, problems } from '../shared/http/problem';
import { retryWriteBack } from '../shared/use-cases/retry-write-back';

/**
 * `POST /api/customers/status/{correlationId}/write-back/retry` (admin key, operator role): writes
 * a failed shop write-back again once its cause is fixed (issue 28).
 */
export async function retryWriteBackRoute(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const { config, statusStore, writeBackQueue } = appServices();
  const check = requireCaller(request, 'operator', config.callers);
  if (!check.ok) return check.response;
  const correlationId = parseCorrelationId(request.params.correlationId);
  if (correlationId === undefined) return problemResponse(problems.invalidCorrelationId());
  const result = await retryWriteBack(correlationId, {
    statusStore,
    writeBackQueue,
    log: invocationLog(context),
  });
  switch (result.kind) {
    case 'not-found':
      return problemResponse(problems.notFound());
    case 'not-failed':
      return problemResponse(
        problems.notReplayable(
          'Only a failed shop write-back can be retried (this one is pending, written or absent).',
        ),
      );
    case 'retried':
      return { status: 202, jsonBody: toStatusAnswer(result.record) };
  }
}

app.http('retryWriteBack', {
  methods: ['POST'],
  route: 'customers/status/{correlationId}/write-back/retry',
  authLevel: 'admin',
  handler: retryWriteBackRoute,
});
