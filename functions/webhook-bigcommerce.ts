import { app, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { webhookHttpDeps } from '../shared/composition';
import { bigCommerceWebhook } from '../shared/http/webhooks/intake';

/**
 * `POST /api/webhooks/bigcommerce`: BigCommerce's `store/customer/created`. Anonymous at the host:
 * the secret header set on the hook is the authentication; the worker reads the customer.
 */
export async function webhookBigCommerce(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  return bigCommerceWebhook(request, webhookHttpDeps(context));
}

app.http('webhookBigCommerce', {
  methods: ['POST'],
  route: 'webhooks/bigcommerce',
  authLevel: 'anonymous',
  handler: webhookBigCommerce,
});
