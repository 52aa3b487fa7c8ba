import { app, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { webhookHttpDeps } from '../shared/composition';
import { shopifyWebhook } from '../shared/http/webhooks/intake';

/**
 * `POST /api/webhooks/shopify`: Shopify's `customers/create` and `customers/update` (issue 17). Anonymous at the host: `X-Shopify-Hmac-Sha256` is the authentication.
 */
export async function webhookShopify(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  return shopifyWebhook(request, webhookHttpDeps(context));
}

app.http('webhookShopify', {
  methods: ['POST'],
  route: 'webhooks/shopify',
  authLevel: 'anonymous',
  handler: webhookShopify,
});
