import { z } from 'zod';
import { callerKeysSetting, callerWeightsSetting } from './caller-keys';
import { webhookSourcesSetting } from './webhook-sources';
import { foSafetyNetSettings } from './fo-safety-net-settings';

/**
 * The settings catalogue: every setting the app reads, with its description, default, local value
 * and validator. It is the single list: the README's configuration table, `local.settings.sample.json`
 * and the Bicep template are generated from or checked against it. (Over 300 lines because it is one
 * table of data; splitting it would scatter the list it exists to keep whole.)
 */

const positiveInt = z.coerce
  .number({ message: 'must be a whole number greater than 0' })
  .int({ message: 'must be a whole number greater than 0' })
  .positive({ message: 'must be a whole number greater than 0' });
const nonNegativeInt = z.coerce
  .number({ message: 'must be a whole number, 0 or more' })
  .int({ message: 'must be a whole number, 0 or more' })
  .min(0, { message: 'must be a whole number, 0 or more' });
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { message: `must be one of ${values.join(', ')}` });
const httpsUrl = z
  .url({ protocol: /^https$/, message: 'must be an https:// URL' })
  .transform((value) => value.replace(/\/+$/, ''));
const guid = z.guid({ message: 'must be a GUID (Entra ID tenant or application ID)' });
const queueName = z
  .string()
  .regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, 'must be a valid Azure Storage queue name');
/** A comma-separated list (blank entries dropped), each entry checked by `entry`. */
const commaList = (entry: z.ZodType<string, string>) =>
  z
    .string()
    .transform((text) =>
      text
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean),
    )
    .pipe(z.array(entry));
const callbackHost = z
  .string()
  .regex(
    /^(\*\.)?[a-z0-9.-]+(:(\d{1,5}|\*))?$|^\[[0-9a-f:.]+\](:(\d{1,5}|\*))?$/i,
    'must list host names (`hooks.example.com`, `*.example.com`), each with an optional `:port`',
  );
const ipAddress = z.union([z.ipv4(), z.ipv6()], { message: 'must list IP addresses' });
const tableName = z.string().regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'must be a valid Azure Storage table name');

export interface SettingDefinition {
  /** The app setting / environment variable name. */
  name: string;
  /** What it is for, as the README's table says it. */
  description: string;
  /** Used when the setting is absent. `undefined` means the setting is required. */
  default?: string;
  /**
   * What `local.settings.sample.json` sets it to for the local stack. Absent for the settings the
   * local stack takes from the emulator it starts (its URL and its well-known identities).
   */
  local?: string;
  /** Set by the Bicep template in Azure (false for local-only settings). */
  azure: boolean;
  schema: z.ZodType;
}

/** Keeps each setting's literal name and validator type, so the loader's values are typed without casts. */
const define = <const S extends SettingDefinition>(setting: S): S => setting;

const catalogue = [
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
  define({
    name: 'CUSTOMER_QUEUE_NAME',
    description: 'Storage queue that carries accepted requests; its poison queue is `<name>-poison`.',
    default: 'customer-create',
    local: 'customer-create',
    azure: true,
    schema: queueName,
  }),
  define({
    name: 'STATUS_TABLE_NAME',
    description: 'Table that holds one status record per correlation ID.',
    default: 'customerstatus',
    local: 'customerstatus',
    azure: true,
    schema: tableName,
  }),
  define({
    name: 'STATUS_RETRY_AFTER_SECONDS',
    description: '`Retry-After` sent with 202 and pending status answers.',
    default: '1',
    local: '1',
    azure: true,
    schema: positiveInt,
  }),
  define({
    name: 'DUPLICATE_POLICY',
    description:
      'What to do when the customer already exists in the legal entity (the same e-mail; for a customer without one, the same name and phone among customers without an e-mail): `link` (succeed with the existing account, `outcome: "linked"`), `reject` (fail with `duplicate`) or `create` (create another).',
    default: 'link',
    local: 'link',
    azure: true,
    schema: oneOf(['link', 'reject', 'create']),
  }),
  define({
    name: 'LINK_TABLE_NAME',
    description:
      "Table of customer links (issue 17): which D365 account a source's customer is, with field stamps and salted digests of what was last sent (no personal values), the base of its updates.",
    default: 'customerlinks',
    local: 'customerlinks',
    azure: true,
    schema: tableName,
  }),
  define({
    name: 'OPERATIONS_TABLE_NAME',
    description:
      'Table of the operations index (issue 31: the failed, needs-review, retrying and resolved requests by view, newest first; codes and times only, no personal data) and of bulk replay jobs.',
    default: 'customerops',
    local: 'customerops',
    azure: true,
    schema: tableName,
  }),
  define({
    name: 'OPERATIONS_AUDIT_TABLE_NAME',
    description:
      'Table of the operator audit log (issue 31): who did what to which requests, and when; field names, never values.',
    default: 'operatoraudit',
    local: 'operatoraudit',
    azure: true,
    schema: tableName,
  }),
  define({
    name: 'REPLAY_QUEUE_NAME',
    description:
      'Queue of bulk replay jobs (issue 31): one small message per tick of a job (its ID, no personal data); the replay function advances the job from it.',
    default: 'customer-replays',
    local: 'customer-replays',
    azure: true,
    schema: queueName,
  }),
  define({
    name: 'REPLAY_RESERVE_SLOTS',
    description:
      'D365 slots (of D365_MAX_CONCURRENCY, across the fleet) a bulk replay leaves to live requests: it releases more failed requests only while the fleet gate has room beyond these, and never has more than D365_MAX_CONCURRENCY minus these on their way at once (at most D365_MAX_CONCURRENCY − 1), nor more than FAIR_SHARE_WAITERS per instance at work (what admission takes as background work).',
    default: '1',
    local: '1',
    azure: true,
    schema: nonNegativeInt,
  }),
  define({
    name: 'REPLAY_BATCH_SIZE',
    description:
      'Most failed requests a bulk replay puts back on the queue at once (within the gate room above).',
    default: '10',
    local: '10',
    azure: true,
    schema: positiveInt.max(100, 'must be at most 100'),
  }),
  define({
    name: 'UPDATE_CONFLICT_POLICY',
    description:
      'When an update changes a field that was changed in D365 since our last write (a 412 on `If-Match`, then the fields compared): `review` (send nothing, `needs_review` with `update_conflict`), `ours` (overwrite it) or `d365` (keep D365\'s value, `outcome: "kept_d365"`).',
    default: 'review',
    local: 'review',
    azure: true,
    schema: oneOf(['review', 'ours', 'd365']),
  }),
  define({
    name: 'RETRY_BASE_SECONDS',
    description:
      'First back-off delay after a transient failure without `Retry-After`; doubles per attempt, with full jitter.',
    default: '2',
    local: '2',
    azure: true,
    schema: nonNegativeInt,
  }),
  define({
    name: 'RETRY_MAX_DELAY_SECONDS',
    description: 'Longest back-off delay between two attempts.',
    default: '300',
    local: '300',
    azure: true,
    schema: nonNegativeInt,
  }),
  define({
    name: 'RETRY_MAX_ATTEMPTS',
    description:
      'Attempts before a request ends as `failed` (`retries_exhausted`) and its message is kept in the poison queue.',
    default: '10',
    local: '10',
    azure: true,
    schema: positiveInt,
  }),
  define({
    name: 'RETRY_MAX_TOTAL_SECONDS',
    description: 'How long a request may keep retrying, from its acceptance, before it ends as `failed`.',
    default: '3600',
    local: '3600',
    azure: true,
    schema: positiveInt,
  }),
  define({
    name: 'D365_MAX_CONCURRENCY',
    description:
      'Calls to D365 in flight at once across the whole fleet (every instance on the storage account; CustomersV3 is "single thread only"): slots in the status table.',
    default: '4',
    local: '4',
    azure: true,
    schema: positiveInt,
  }),
  define({
    name: 'D365_MAX_REQUESTS_PER_SECOND',
    description:
      "Most calls to D365 started per second across the whole fleet; 0: no limit but D365_MAX_CONCURRENCY. Each slot starts a call at most every D365_MAX_CONCURRENCY / this many seconds, so with it set to what D365 allows (F&O's service protection: 6,000 requests per user and web server in 5 minutes, 20/s) the slots can exceed rate × latency without running into 429s.",
    default: '0',
    local: '0',
    azure: true,
    schema: nonNegativeInt,
  }),
  define({
    name: 'D365_LOOKUP_BATCH_SIZE',
    description:
      'Most duplicate lookups (DUPLICATE_POLICY link/reject, and lookups after an uncertain create) of one instance sent to D365 as one CustomersV3 query (`PrimaryContactEmail eq … or …`, its query string kept within 2,048 characters); one batch takes one D365 slot for its one call. 1 sends every lookup alone, in the slot of its create.',
    default: '25',
    local: '25',
    azure: true,
    schema: positiveInt.max(100, 'must be at most 100'),
  }),
  define({
    name: 'D365_LOOKUP_BATCH_WINDOW_MS',
    description:
      'How long a batch of duplicate lookups waits for more lookups while another batch of this instance is in flight; with none in flight a lookup goes at once.',
    default: '5',
    local: '5',
    azure: true,
    schema: nonNegativeInt.max(1000, 'must be at most 1000'),
  }),
  define({
    name: 'PROCESSING_LEASE_SECONDS',
    description:
      'How long a claimed request belongs to the invocation that claimed it (renewed while it waits for a D365 slot; the create itself is fenced with D365_TIMEOUT_MS + 5 s); after that the reconciler resumes it elsewhere, with a lookup before creating.',
    default: '60',
    local: '60',
    azure: true,
    schema: positiveInt,
  }),
  define({
    name: 'PREFER_WAIT_MAX_SECONDS',
    description: 'Cap on `Prefer: wait=N` (RFC 7240).',
    default: '25',
    local: '25',
    azure: true,
    schema: positiveInt.max(230, 'must be at most 230 (the Azure load balancer idle timeout)'),
  }),
  define({
    name: 'RECONCILE_AFTER_SECONDS',
    description:
      'The reconciler re-queues a request that stayed `accepting` or `queued` this long (a crash between claim and queue write).',
    default: '300',
    local: '300',
    azure: true,
    schema: positiveInt,
  }),
  define({
    name: 'CALLER_AUTH',
    description:
      'How callers are told apart: `keys` (function keys; named ones with CALLER_KEYS) or `app-service` (App Service Authentication with Entra ID in front: the platform-injected `X-MS-CLIENT-PRINCIPAL` names the caller and its app roles). Only set `app-service` when the platform injects the header.',
    default: 'keys',
    local: 'keys',
    azure: true,
    schema: oneOf(['keys', 'app-service']),
  }),
  define({
    name: 'CALLER_KEYS',
    description:
      'Named function keys (`keys` mode): a JSON array of `{"name", "keySha256", "roles"}`, the SHA-256 (hex) of each caller\'s function key and what it may do (`create`, `read`, `accounts`, `staff`, `operator`; default `["create","read"]`). Each key is then a caller of its own: its references, requests, rate limit and callback secret. A request with any other key on a customer route is 403. Empty: every key is one shared caller that may do everything. See SECURITY.md.',
    default: '[]',
    local: '[]',
    azure: true,
    schema: callerKeysSetting,
  }),
  define({
    name: 'CALLER_ROLE_CREATE',
    description: 'App role a caller needs to create customers (`app-service` mode).',
    default: 'Customers.Create',
    local: 'Customers.Create',
    azure: true,
    schema: z.string().min(1).max(120),
  }),
  define({
    name: 'CALLER_ROLE_READ',
    description: 'App role a caller needs to read the status of its own requests (`app-service` mode).',
    default: 'Customers.Read',
    local: 'Customers.Read',
    azure: true,
    schema: z.string().min(1).max(120),
  }),
  define({
    name: 'CALLER_ROLE_ACCOUNTS',
    description:
      'App role a caller needs to update customers by D365 account (`PATCH /api/customers/accounts/…`, `app-service` mode): POS and back office, not shops. Without it every such request is 403, whether the account exists or not.',
    default: 'Customers.UpdateByAccount',
    local: 'Customers.UpdateByAccount',
    azure: true,
    schema: z.string().min(1).max(120),
  }),
  define({
    name: 'CALLER_ROLE_STAFF',
    description:
      "App role of callers that verify a shopper's identity themselves (POS staff, `app-service` mode): their creates that match an existing D365 customer (DUPLICATE_POLICY=link) may change it; other callers' such links stay pending until verified.",
    default: 'Customers.Staff',
    local: 'Customers.Staff',
    azure: true,
    schema: z.string().min(1).max(120),
  }),
  define({
    name: 'CALLER_ROLE_OPERATOR',
    description:
      "App role for operators: replay failed requests and read any caller's status (`app-service` mode).",
    default: 'Customers.Operate',
    local: 'Customers.Operate',
    azure: true,
    schema: z.string().min(1).max(120),
  }),
  define({
    name: 'RATE_LIMIT_PER_MINUTE',
    description:
      "Customer requests one caller may send per minute to one instance before 429 (0 turns it off). Azure API Management is the production place for quotas; this is the app's own guard.",
    default: '600',
    local: '600',
    azure: true,
    schema: nonNegativeInt,
  }),
  define({
    name: 'MAX_CONCURRENT_WAITS',
    description:
      '`Prefer: wait` requests one instance holds open at once; beyond it the answer is 202 at once.',
    default: '50',
    local: '50',
    azure: true,
    schema: nonNegativeInt,
  }),
  define({
    name: 'FAIR_SHARE_WAITERS',
    description:
      "Fair sharing between callers: how many of one caller's queued requests one instance always makes room for, times its CALLER_WEIGHTS weight. A caller over its share still gets the instance's spare room (up to `newBatchThreshold` minus this many requests at once, so the host keeps receiving messages); beyond that its message is sent back for a second or more (not counted as a failed delivery) and the instance takes the next, another caller's, which then goes before the busy caller's at the D365 gate. All background work (backfills, bulk replays) shares one unweighted share and waits behind live requests for D365. 0: no fair sharing (first come, first served).",
    default: '4',
    local: '4',
    azure: true,
    schema: nonNegativeInt,
  }),
  define({
    name: 'CALLER_WEIGHTS',
    description:
      'Weights of callers for fair sharing: a JSON object of caller ID (`key:<name>` for a CALLER_KEYS entry, the Entra object ID in `app-service` mode, `webhook:<source>` for a webhook source, `anonymous` for requests without one) to a weight from 0.1 to 16; unnamed callers weigh 1. A caller of weight 2 gets twice the share of FAIR_SHARE_WAITERS and twice the turns at the D365 gate.',
    default: '{}',
    local: '{}',
    azure: true,
    schema: callerWeightsSetting,
  }),
  define({
    name: 'AzureFunctionsJobHost__extensions__queues__newBatchThreshold',
    description:
      "The host's own override of host.json's `extensions.queues.newBatchThreshold` (the host receives more messages only while at most this many run): read by the app too, so fair sharing leaves room for another caller's message. Unset: host.json's value (a test keeps this default equal to it). Must be at least FAIR_SHARE_WAITERS × the largest weight.",
    default: '16',
    local: '16',
    azure: false,
    schema: positiveInt,
  }),
  define({
    name: 'RECORD_RETENTION_DAYS',
    description:
      'Status records (and with them Idempotency-Keys and the stored requests) and poison messages are deleted after this many days.',
    default: '30',
    local: '30',
    azure: true,
    schema: positiveInt.max(3650, 'must be at most 3650'),
  }),
  define({
    name: 'FAILED_REQUEST_RETENTION_DAYS',
    description:
      "A `failed` or `needs_review` request keeps the customer it was sent (personal data, for an operator's replay or review) this many days after it ended; then the hourly retention timer drops it and only the record's facts stay until `RECORD_RETENTION_DAYS`. A request that succeeds drops it at once. SECURITY.md lists what is held where.",
    default: '7',
    local: '7',
    azure: true,
    schema: positiveInt.max(3650, 'must be at most 3650'),
  }),
  define({
    name: 'PRIVACY_ANONYMISE_LEGAL_ENTITIES',
    description:
      'Privacy requests (docs/privacy.md): the legal entities (comma-separated, e.g. `USMF,DEMF`) whose linked D365 customers an erasure **anonymises** (one CustomersV3 update through the update pipeline replacing name, e-mail, phone and address fields with placeholders). Any other legal entity: `report` (the request names the linked accounts for the merchant to handle in F&O). Empty: report everywhere.',
    default: '',
    local: '',
    azure: true,
    schema: commaList(
      z.string().regex(/^[A-Za-z0-9]{1,4}$/, 'must list legal entities (1-4 letters or digits)'),
    ),
  }),
  define({
    name: 'PRIVACY_SETTLE_SECONDS',
    description:
      'An erasure takes a last look for data of its customer this long after its erasure marks were written (longer than an intake takes between checking a mark and storing its record), then completes.',
    default: '60',
    local: '60',
    azure: true,
    schema: positiveInt.max(3600, 'must be at most 3600'),
  }),
  define({
    name: 'PRIVACY_DUE_ALERT_DAYS',
    description:
      'Privacy requests must be completed within 30 days of receipt. The hourly `purgeRecords` timer reports the open ones (`PrivacyRequestsOpen`), those due within this many days (`PrivacyRequestsDueSoon`) and those past due (`PrivacyRequestsPastDue`); the "privacy request due" alert fires on either of the last two, so an operator hears of a stuck request this many days before its due date.',
    default: '7',
    local: '7',
    azure: true,
    schema: positiveInt.max(29, 'must be at most 29 (requests are due in 30 days)'),
  }),
  define({
    name: 'LINK_RETENTION_DAYS',
    description:
      'Customer links (`LINK_TABLE_NAME`: the account, field stamps and salted digests of what was last sent, no personal values), and links reserved by a create that never completed, are deleted by the hourly retention timer once unchanged for this many days. Afterwards an update of that customer is `404` (`unknown-customer`) and its next create links it again.',
    default: '365',
    local: '365',
    azure: true,
    schema: positiveInt.max(3650, 'must be at most 3650'),
  }),
  define({
    name: 'WEBHOOK_SOURCES',
    description:
      'The e-commerce sources that may post customers to `/api/webhooks/…`: a JSON array of Shopify shops, BigCommerce stores and Standard Webhooks senders, each with its Key Vault secret name (and legal entity, currency, customer group for shops). See docs/webhooks.md.',
    default: '[]',
    // Locally: one source of each kind, their secrets in the emulator's Key Vault (README "Try everything").
    azure: true,
    schema: webhookSourcesSetting,
  }),
  define({
    name: 'WEBHOOK_MAX_EVENT_AGE_SECONDS',
    description:
      "A Shopify delivery whose signed `updated_at` (or `X-Shopify-Triggered-At`, when that is older) is older than this is refused as a replay (Shopify retries for 4 hours with the original payload). Standard Webhooks use the spec's fixed 5 minutes.",
    default: '21600',
    local: '21600',
    azure: true,
    schema: positiveInt,
  }),
  define({
    name: 'WEBHOOK_SECRET_ROTATION_WINDOW_SECONDS',
    description:
      'After a new version of a webhook secret is put in Key Vault, the previous version is still accepted for this long (Shopify signs with the old secret for up to an hour).',
    default: '3600',
    local: '3600',
    azure: true,
    schema: nonNegativeInt,
  }),
  define({
    name: 'WEBHOOK_SECRET_REFRESH_SECONDS',
    description:
      'Webhook secrets are read from Key Vault again after this many seconds (a rotation needs no restart); a signature that matches no cached secret also re-reads them, at most every 30 seconds.',
    default: '300',
    local: '300',
    azure: true,
    schema: positiveInt,
  }),
  define({
    name: 'PUBLIC_BASE_URL',
    description:
      "The origin callers reach the app at (`https://sync.contoso.com`), used for `Location` and `statusUrl` when a custom domain or API Management fronts the app. Empty: in Azure `https://` + `WEBSITE_HOSTNAME` (the app's own host name, set by the platform); locally the request's origin when it is a loopback one. The `Host` header never chooses it.",
    default: '',
    local: '',
    azure: true,
    schema: z.union([z.literal(''), httpsUrl]),
  }),
  define({
    name: 'SHOPIFY_API_VERSION',
    description:
      "The Shopify GraphQL Admin API version the shop clients pin (`YYYY-01|04|07|10`). Shopify supports a version for 12 months; the app logs `shop.api_version_unsupported` once when the pinned one has left Shopify's window.",
    default: '2026-10',
    local: '2026-10',
    azure: true,
    schema: z
      .string()
      .regex(/^20\d\d-(01|04|07|10)$/, 'must be a stable Shopify API version such as 2026-10'),
  }),
  define({
    name: 'SHOP_BUDGET_SHARE',
    description:
      "The share (0–1) of a shop's rate limit the sync may spend: of a Shopify app's cost bucket, of a BigCommerce store's request window (shared by every app on the store). The rest is a reserve no write-back ever takes, across the whole fleet.",
    default: '0.5',
    local: '0.5',
    azure: true,
    schema: z.coerce
      .number({ message: 'must be a number above 0 and at most 1' })
      .gt(0, 'must be above 0')
      .max(1, 'must be at most 1'),
  }),
  define({
    name: 'SHOP_TIMEOUT_MS',
    description:
      'A shop Admin API call that has not answered within this many milliseconds fails (and is retried).',
    default: '10000',
    local: '10000',
    azure: true,
    schema: positiveInt.max(120_000, 'must be at most 120000'),
  }),
  define({
    name: 'SHOP_MAX_WAIT_MS',
    description:
      "How long a write-back waits for the shop's budget to refill above the reserve before it is rescheduled through the queue instead.",
    default: '20000',
    local: '20000',
    azure: true,
    schema: nonNegativeInt.max(300_000, 'must be at most 300000'),
  }),
  define({
    name: 'WRITE_BACK_QUEUE_NAME',
    description:
      "The shop write-back queue: a shop's customer that succeeded waits here until its D365 account is written to the shop (Shopify metafield, BigCommerce attribute).",
    default: 'shop-write-back',
    local: 'shop-write-back',
    azure: true,
    schema: queueName,
  }),
  define({
    name: 'FO_EVENTS_QUEUE_NAME',
    description:
      'F&O data events (issue 29): a D365 customer change taken in at `POST /api/d365/data-events` waits here for the update of the linked shop customer.',
    default: 'fo-data-events',
    local: 'fo-data-events',
    azure: true,
    schema: queueName,
  }),
  define({
    name: 'FO_EVENTS_TABLE_NAME',
    description:
      'F&O data events (issue 29): the event IDs taken in, one row each (the ID and when it came; no personal data), so that a repeated event is queued once across the fleet.',
    default: 'foevents',
    local: 'foevents',
    azure: true,
    schema: tableName,
  }),
  define({
    name: 'BACKFILL_QUEUE_NAME',
    description:
      "The backfill queue (issue 30): one message per page of a shop's customers being loaded into D365 (`POST /api/backfills`).",
    default: 'shop-backfill',
    local: 'shop-backfill',
    azure: true,
    schema: queueName,
  }),
  define({
    name: 'BACKFILL_TABLE_NAME',
    description:
      'Table of backfill jobs (issue 30): source, cursor of the next page, counts, state. No personal data.',
    default: 'backfills',
    local: 'backfills',
    azure: true,
    schema: tableName,
  }),
  define({
    name: 'BACKFILL_PAGE_SIZE',
    description:
      "Shop customers read per backfill or drift-repair page (BigCommerce at most 250; Shopify at most 83, since a listed customer with its addresses costs 12 points and a query at most 1,000): each page is one shop call within the shop's budget, then one intake per customer not yet linked.",
    default: '50',
    local: '50',
    azure: true,
    schema: positiveInt.max(250, 'must be at most 250'),
  }),
  define({
    name: 'BACKFILL_MAX_BACKLOG',
    description:
      'Backfill stays below live traffic: the next page waits while the customer queue holds more than this many messages, so a live request never queues behind more backfill than that.',
    default: '100',
    local: '100',
    azure: true,
    schema: positiveInt,
  }),
  define({
    name: 'DRIFT_REPAIR_INTERVAL_SECONDS',
    description:
      "Drift repair (issue 30, docs/webhooks.md): every this many seconds, one instance of the fleet pages each shop's customers changed since the shop's watermark (a shop with an Admin API token) and sends any the sync does not hold (no link, or a failed create) through the webhook intake; the `DriftRepairFound` metric counts them (above 0: webhooks are being missed). 0: off.",
    default: '300',
    local: '300',
    azure: true,
    schema: nonNegativeInt.max(86_400, 'must be at most 86400'),
  }),
  define({
    name: 'DRIFT_REPAIR_MAX_CUSTOMERS',
    description:
      "Drift repair reads at most about this many changed customers per shop per run (whole pages of `BACKFILL_PAGE_SIZE`); the rest of the window continues at the shop's next run.",
    default: '1000',
    local: '1000',
    azure: true,
    schema: positiveInt.max(100_000, 'must be at most 100000'),
  }),
  define({
    name: 'DRIFT_REPAIR_SETTLE_SECONDS',
    description:
      "Drift repair leaves a customer changed less than this many seconds ago to its webhook, still on its way (Shopify's first retries come within minutes); it is looked at by a later run.",
    default: '900',
    local: '900',
    azure: true,
    schema: nonNegativeInt.max(86_400, 'must be at most 86400'),
  }),
  define({
    name: 'DRIFT_REPAIR_LOOKBACK_HOURS',
    description:
      "A shop's first drift-repair run looks at the customers changed this many hours back (later runs start at the shop's watermark). Older customers: a backfill (`POST /api/backfills`).",
    default: '24',
    local: '24',
    azure: true,
    schema: positiveInt.max(8_760, 'must be at most 8760'),
  }),
  ...foSafetyNetSettings,
  define({
    name: 'CALLBACK_ALLOWED_HOSTS',
    description:
      'Hosts a `Callback-Url` may name (result callbacks, docs/api.md): comma-separated, `hooks.example.com` or `*.example.com` (its sub-domains), each with an optional `:port` (`:*` any; without, 443 only). Only `https://`; a host that resolves to a private, loopback or link-local address is refused. Empty: callbacks off.',
    default: '',
    local: '127.0.0.1:*',
    azure: true,
    schema: commaList(callbackHost),
  }),
  define({
    name: 'CALLBACK_ALLOWED_PRIVATE_ADDRESSES',
    description:
      '**Local development only** (never set in Azure): IP addresses a `Callback-Url` may name literally although they are not public, e.g. `127.0.0.1` for an HTTPS receiver on this machine (its host must also be in `CALLBACK_ALLOWED_HOSTS`, e.g. `127.0.0.1:8443`). A DNS name resolving to such an address is refused regardless.',
    default: '',
    local: '127.0.0.1',
    azure: false,
    schema: commaList(ipAddress),
  }),
  define({
    name: 'CALLBACK_SECRET_NAME',
    description:
      "Name of the Key Vault secret holding the app's `whsec_…` secret for result callbacks (Standard Webhooks): each caller's events are signed with a secret derived from it and the caller (`GET /api/callbacks/secret`); during a rotation the previous version signs too.",
    default: 'callback-signing-secret',
    local: 'callback-signing-secret',
    azure: true,
    schema: z.string().regex(/^[0-9a-zA-Z-]{1,127}$/, 'must be a Key Vault secret name'),
  }),
  define({
    name: 'CALLBACK_QUEUE_NAME',
    description:
      'The callback outbox: the queue that holds result events until their callback URL took them.',
    default: 'customer-callbacks',
    local: 'customer-callbacks',
    azure: true,
    schema: queueName,
  }),
  define({
    name: 'CALLBACK_ENDPOINTS_TABLE_NAME',
    description:
      'Table of callback URLs disabled because they answered 410 Gone (delete a row to enable its URL again).',
    default: 'callbackendpoints',
    local: 'callbackendpoints',
    azure: true,
    schema: tableName,
  }),
  define({
    name: 'CALLBACK_TIMEOUT_MS',
    description:
      'A callback endpoint that has not answered within this many milliseconds counts as a failed attempt.',
    default: '5000',
    local: '5000',
    azure: true,
    schema: positiveInt.max(30_000, 'must be at most 30000'),
  }),
  define({
    name: 'CALLBACK_RETRY_BASE_SECONDS',
    description:
      "Back-off between callback attempts: a random delay up to base · 2^(attempt−1) seconds (at least 1), capped by `CALLBACK_RETRY_MAX_DELAY_SECONDS`; an endpoint's `Retry-After` is honoured instead.",
    default: '5',
    local: '5',
    azure: true,
    schema: positiveInt,
  }),
  define({
    name: 'CALLBACK_RETRY_MAX_DELAY_SECONDS',
    description: 'The longest back-off between two callback attempts.',
    default: '3600',
    local: '3600',
    azure: true,
    schema: positiveInt,
  }),
  define({
    name: 'CALLBACK_MAX_ATTEMPTS',
    description: 'A callback is given up (logged, `CallbackFailed` event) after this many failed attempts.',
    default: '12',
    local: '12',
    azure: true,
    schema: positiveInt.max(100, 'must be at most 100'),
  }),
] as const satisfies readonly SettingDefinition[];

/** Every setting, in the README's order. */
export const settings: readonly SettingDefinition[] = catalogue;

/** The catalogue's entries with their literal names and validator types (for the typed loader). */
export type CatalogueEntry = (typeof catalogue)[number];
export type SettingName = CatalogueEntry['name'];
