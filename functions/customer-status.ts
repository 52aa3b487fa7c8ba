import { app, HttpRequest, HttpResponseInit } from '@azure/functions';
import { appServices } from '../shared/composition';
import { requireCaller } from '../shared/http/caller';
import { getCustomerStatus } from '../shared/use-cases/customer-status';
import { problemResponse, problems } from '../shared/http/problem';
import { isTerminal } from '../shared/domain/status';

/** `GET /api/customers/status/{correlationId}`: the request's state, account number or error. */
export async function customerStatus(request: HttpRequest): Promise<HttpResponseInit> {
  const { config, statusStore } = appServices();
  const check = requireCaller(request, 'read', config.callers);
  if (!check.ok) return check.response;
  const result = await getCustomerStatus(request.params.correlationId ?? '', statusStore, check.caller);
  switch (result.kind) {
    case 'malformed-id':
      return problemResponse(problems.invalidCorrelationId());
    case 'not-found':
      return problemResponse(problems.notFound());
    case 'found':
      return {
        status: 200,
        headers: {
          'cache-control': 'no-store',
          ...(!isTerminal(result.answer.status) && { 'retry-after': String(config.statusRetryAfterSeconds) }),
        },
        jsonBody: result.answer,
      };
  }
}

app.http('customerStatus', {
  methods: ['GET'],
  route: 'customers/status/{correlationId}',
  authLevel: 'function',
  handler: customerStatus,
});
