import { z } from 'zod';
import type { Caller } from '../domain/ownership';
import { jsonArraySetting } from './json-setting';

/**
 * The e-commerce sources allowed to post customers as webhooks (`WEBHOOK_SOURCES`, a JSON array).
 * Each names the Key Vault secret that authenticates it; the secrets themselves never sit in
 * settings. Shopify and BigCommerce sources also say which legal entity, currency and customer group
 * their customers get, since the shops' payloads do not carry them (Shopify's `currency` is the
 * shop's, not the customer's).
 */
const sourceName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'name must be 1-40 lower-case letters, digits and dashes');
/** Key Vault secret names: https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates#object-identifiers */
const secretName = z.string().regex(/^[0-9a-zA-Z-]{1,127}$/, 'must be a Key Vault secret name');
const legalEntity = z.string().regex(/^[A-Za-z0-9]{1,4}$/, 'legalEntity must be a D365 company ID (1-4)');
const currency = z.string().regex(/^[A-Z]{3}$/, 'currency must be an ISO 4217 code such as USD');
const customerGroup = z.string().min(1).max(10).optional();

/** `company_locations/create` (issue 32): a B2B company location becomes an organisation customer (opt-in). */
export const SHOPIFY_TOPICS = ['customers/create', 'customers/update', 'company_locations/create'] as const;

/** Metafield namespace (3–255) and key (2–64): letters, digits, `-`, `_` (shopify.dev, metafields). */
const metafieldName = (min: number, max: number) =>
  z
    .string()
    .regex(new RegExp(`^[A-Za-z0-9_-]{${min},${max}}$`), `must be ${min}-${max} letters, digits, - or _`);
const httpsBase = (what: string) =>
  z
    .url({ protocol: /^https$/, message: `${what} must be an https:// URL` })
    .transform((value) => value.replace(/\/+$/, ''));
/** `store/company/created` (issue 32): a B2B Edition company becomes an organisation customer (opt-in). */
export const BIGCOMMERCE_TOPICS = ['store/customer/created', 'store/company/created'] as const;

const shopify = z.strictObject({
  kind: z.literal('shopify'),
  name: sourceName,
  /** The shop's permanent domain, as Shopify sends it in `X-Shopify-Shop-Domain`. */
  shopDomain: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, 'shopDomain must be the shop\'s "*.myshopify.com" domain'),
  /** Key Vault secret holding the app's client secret (Shopify signs webhooks with it). */
  secretName,
  legalEntity,
  currency,
  customerGroup,
  topics: z.array(z.enum(SHOPIFY_TOPICS)).min(1).default(['customers/create', 'customers/update']),
  /**
   * Key Vault secret holding the custom app's Admin API access token (`shpat_…`, scopes
   * `read_customers`, `write_customers`): with it, the D365 account is written back to the shop.
   */
  adminApiTokenSecretName: secretName.optional(),
  /** Base URL of the shop's Admin API; `https://{shopDomain}` (the default) in production. */
  adminApiUrl: httpsBase('adminApiUrl').optional(),
  /** Where the account is written: a customer metafield (single-line text, unique values). */
  accountMetafield: z
    .strictObject({
      namespace: metafieldName(3, 255).default('d365'),
      key: metafieldName(2, 64).default('account'),
    })
    .default({ namespace: 'd365', key: 'account' }),
  /** Also tag the customer with this once its account is written (optional). */
  accountTag: z.string().min(1).max(255).optional(),
  /** Write the account back (when a token is configured). */
  writeBack: z.boolean().default(true),
});

const bigcommerce = z.strictObject({
  kind: z.literal('bigcommerce'),
  name: sourceName,
  /** The store hash (`producer: "stores/{hash}"` in every payload). */
  storeHash: z.string().regex(/^[a-z0-9]{1,32}$/, 'storeHash must be the store hash'),
  /** Key Vault secret holding the value of the secret header set on the hook. */
  secretName,
  /** Key Vault secret holding the store API account's access token (X-Auth-Token). */
  apiTokenSecretName: secretName,
  /** Base URL of the store API; https://api.bigcommerce.com in production. */
  apiUrl: z
    .url({ protocol: /^https$/, message: 'apiUrl must be an https:// URL' })
    .transform((value) => value.replace(/\/+$/, ''))
    .default('https://api.bigcommerce.com'),
  /**
   * Base URL of the B2B Edition Server to Server API, read for `store/company/created`;
   * https://api-b2b.bigcommerce.com in production (its paths start `/api/v3/io`).
   */
  b2bApiUrl: httpsBase('b2bApiUrl').default('https://api-b2b.bigcommerce.com'),
  /**
   * The name of the B2B Edition company extra field that holds the company's tax (VAT) number, if
   * the store has one: B2B Edition has no tax number field of its own, only merchant-defined extra fields.
   */
  taxNumberExtraField: z.string().min(1).max(100).optional(),
  legalEntity,
  currency,
  customerGroup,
  topics: z.array(z.enum(BIGCOMMERCE_TOPICS)).min(1).default(['store/customer/created']),
  /**
   * The customer attribute the account is written to (a `string` attribute, ≤ 255 characters):
   * by `id`, or by `name` (found, or created on first use).
   */
  accountAttribute: z
    .strictObject({
      name: z.string().min(1).max(255).default('D365 account'),
      id: z.number().int().positive().optional(),
    })
    .default({ name: 'D365 account' }),
  /** Write the account back (the API account then needs Customers modify scope). */
  writeBack: z.boolean().default(true),
});

const standard = z.strictObject({
  kind: z.literal('standard'),
  name: sourceName,
  /** Key Vault secret holding the `whsec_…` signing secret. */
  secretName,
  /**
   * What the sender may do beyond creating and updating its own customers (domain/ownership.ts):
   * `accounts` (a back office: `customer.updated` by legalEntity + customerAccount), `staff` (it
   * verifies identities: its creates that match an existing customer may change it).
   */
  roles: z.array(z.enum(['accounts', 'staff'])).default([]),
});

export const webhookSourceSchema = z.discriminatedUnion('kind', [shopify, bigcommerce, standard]);
export type WebhookSource = z.infer<typeof webhookSourceSchema>;
export type ShopifySource = z.infer<typeof shopify>;
export type BigCommerceSource = z.infer<typeof bigcommerce>;
export type StandardSource = z.infer<typeof standard>;

/** The `WEBHOOK_SOURCES` setting: JSON text → validated sources with unique names. */
export const webhookSourcesSetting = jsonArraySetting('webhook sources', webhookSourceSchema).refine(
  (list) => new Set(list.map((s) => s.name)).size === list.length,
  'source names must be unique',
);

/**
 * A webhook source as a caller of the ownership policy: its own principal (`webhook:<name>`) and
 * reference namespace (its name); shops create and update their own customers, a Standard Webhooks
 * sender may hold more (`roles`).
 */
export function webhookCaller(source: WebhookSource): Caller {
  return {
    id: `webhook:${source.name}`,
    source: source.name,
    permissions: ['create', ...(source.kind === 'standard' ? source.roles : [])],
  };
}
