/** The settings catalogue's part: D365, Entra ID and Key Vault: where and how the app reaches them. */
import { z } from 'zod';
import { define, guid, httpsUrl, oneOf, positiveInt } from './validators';
import type { SettingDefinition } from './validators';

export const d365Settings = [
  define({
    name: 'D365_URL',
    description:
      'Base URL of the Finance & Operations environment, e.g. `https://contoso.operations.dynamics.com`.',
    azure: true,
    schema: httpsUrl,
  }),
  define({
    name: 'D365_TENANT_ID',
    description: 'Entra ID tenant of the app registration that D365 knows.',
    azure: true,
    schema: guid,
  }),
  define({
    name: 'D365_CLIENT_ID',
    description: 'Application (client) ID of that app registration.',
    azure: true,
    schema: guid,
  }),
  define({
    name: 'KEY_VAULT_URL',
    description:
      "Key Vault that holds the app registration's client secret, e.g. `https://kv-d365sync.vault.azure.net`.",
    azure: true,
    schema: httpsUrl,
  }),
  define({
    name: 'D365_CLIENT_SECRET_NAME',
    description: 'Name of the Key Vault secret that holds the client secret.',
    default: 'd365-client-secret',
    local: 'd365-client-secret',
    azure: true,
    schema: z.string().regex(/^[0-9a-zA-Z-]{1,127}$/, 'must be a valid Key Vault secret name'),
  }),
  define({
    name: 'CORRELATION_KEY_SECRET_NAME',
    description:
      'Name of the Key Vault secret that correlation IDs of `Idempotency-Key`s (and webhook event keys) are derived under (HMAC-SHA256 of caller, route and key), so nobody can compute a request\'s ID from its key. Written once by the deployment (`CORRELATION_KEY_IN_VAULT`); the app uses the secret\'s oldest enabled version, read once per instance at start: never rotate it under a running fleet (docs/deploy.md, "The correlation-ID key").',
    default: 'correlation-id-key',
    local: 'correlation-id-key',
    azure: true,
    schema: z.string().regex(/^[0-9a-zA-Z-]{1,127}$/, 'must be a valid Key Vault secret name'),
  }),
  define({
    name: 'ENTRA_AUTHORITY_HOST',
    description: 'Entra ID authority host. Change only for a sovereign cloud or the local emulator.',
    default: 'https://login.microsoftonline.com',
    azure: false,
    schema: httpsUrl,
  }),
  define({
    name: 'D365_TARGET',
    description:
      'Where customers are created: `custom-service` (the CreateCustomer custom service) or `odata` (the standard `CustomersV3` entity).',
    default: 'custom-service',
    local: 'custom-service',
    azure: true,
    schema: oneOf(['custom-service', 'odata']),
  }),
  define({
    name: 'D365_SERVICE_PATH',
    description: 'Path of the custom service operation (`/api/services/<group>/<service>/<operation>`).',
    default: '/api/services/CreateCustomerServiceGroup/CreateCustomerService/CreateCustomer',
    local: '/api/services/CreateCustomerServiceGroup/CreateCustomerService/CreateCustomer',
    azure: true,
    schema: z
      .string()
      .regex(
        /^\/api\/services\/[^/]+\/[^/]+\/[^/]+$/,
        'must look like /api/services/<group>/<service>/<operation>',
      ),
  }),
  define({
    name: 'D365_ACCOUNT_FIELD',
    description:
      "Field of the custom service's answer that holds the new customer account (a bare JSON string answer is accepted too).",
    default: 'CustomerAccount',
    local: 'CustomerAccount',
    azure: true,
    schema: z.string().min(1),
  }),
  define({
    name: 'D365_DEFAULT_CUSTOMER_GROUP',
    description: 'Customer group used when a request has no `CustomerGroup` (F&O requires one).',
    default: '30',
    local: '30',
    azure: true,
    schema: z.string().min(1).max(10),
  }),
  define({
    name: 'D365_TIMEOUT_MS',
    description:
      'How long one call to D365 may take before it counts as a transient failure (the create is fenced with this + 5 s of lease). Key Vault, Entra ID and BigCommerce have their own.',
    default: '30000',
    local: '30000',
    azure: true,
    schema: positiveInt,
  }),
  define({
    name: 'KEY_VAULT_TIMEOUT_MS',
    description:
      'How long one call to Key Vault (the D365 client secret, webhook and shop API secrets) may take before it counts as a transient failure.',
    default: '10000',
    local: '10000',
    azure: true,
    schema: positiveInt,
  }),
  define({
    name: 'ENTRA_TIMEOUT_MS',
    description: 'How long one token request to Entra ID may take before it counts as a transient failure.',
    default: '10000',
    local: '10000',
    azure: true,
    schema: positiveInt,
  }),
  define({
    name: 'BIGCOMMERCE_TIMEOUT_MS',
    description:
      'How long one call to a BigCommerce store API (reading the customer a webhook named) may take before it counts as a transient failure.',
    default: '10000',
    local: '10000',
    azure: true,
    schema: positiveInt,
  }),
  define({
    name: 'D365_SETTLE_SECONDS',
    description:
      'How long D365 may take to show a customer it created: after an uncertain create (timeout, reset, 502/504, a 500 without an X++ message) the worker only creates again once a lookup this long after the create finds nothing; after a 2xx without an account it looks for the customer for three such periods, then ends the request as `needs_review`.',
    default: '10',
    local: '10',
    azure: true,
    schema: positiveInt,
  }),
] as const satisfies readonly SettingDefinition[];
