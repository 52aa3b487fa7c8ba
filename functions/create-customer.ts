import { app, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { createHttpDeps } from '../shared/composition';
import { createCustomerHttp } from '../shared/http/create-intake';

/** `POST /api/customers`: a new customer, queued for D365 (shared/http/create-intake.ts). */
export async function createCustomer(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  return createCustomerHttp(request, createHttpDeps(context));
}

app.http('createCustomer', {
  methods: ['POST'],
  route: 'customers',
  authLevel: 'function',
  handler: createCustomer,
});
