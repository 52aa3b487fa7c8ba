import { app, HttpRequest, HttpResponseInit } from '@azure/functions';
import { appServices } from '../shared/app-services';
import { getCustomerStatus } from '../shared/customer-status';
import { problemResponse, problems } from '../shared/problem';
import { isTerminal } from '../shared/status';

/** `GET /api/customers/status/{correlationId}`: the request's state, account number or error. */
export async function customerStatus(request: HttpRequest): Promise<HttpResponseInit> {
  const { config, statusStore } = appServices();
  const result = await getCustomerStatus(request.params.correlationId ?? '', statusStore);
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
