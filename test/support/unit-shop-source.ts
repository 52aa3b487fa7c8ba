import { webhookSourceSchema } from '../../shared/config/webhook-sources';

/** The Shopify source the use-case unit tests share: `shop`, unit.myshopify.com, with an Admin API token, USRT/USD. */
export const UNIT_SHOPIFY_SOURCE = webhookSourceSchema.parse({
  kind: 'shopify',
  name: 'shop',
  shopDomain: 'unit.myshopify.com',
  secretName: 'webhook-shop',
  adminApiTokenSecretName: 'admin-shop',
  legalEntity: 'USRT',
  currency: 'USD',
});
