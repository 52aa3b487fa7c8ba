import { app, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { webhookHttpDeps } from '../shared/composition';
import { standardWebhook } from '../shared/http/webhooks/intake';

/**
 * `POST /api/webhooks/standard?source={name}`: a Standard Webhooks sender posts a customer in our own
 * contract; `webhook-id` is its Idempotency-Key. Anonymous at the host: the signature is the
 * authentication (docs/webhooks.md). The source is a query parameter so that one fixed path can be
 * excluded from App Service Authentication.
 */
export async function webhookStandard(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  return standardWebhook(request, webhookHttpDeps(context));
}

app.http('webhookStandard', {
  methods: ['POST'],
  route: 'webhooks/standard',
  authLevel: 'anonymous',
  handler: webhookStandard,
});
