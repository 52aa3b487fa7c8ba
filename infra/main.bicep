metadata description = 'd365-customer-sync: Azure Functions (Flex Consumption) app that creates customers in Dynamics 365 Commerce. Deploys the resource group and everything in it. Deploy with `azd up` or `az deployment sub create` (docs/deploy.md).'

targetScope = 'subscription'

// ============================================================================ Environment

@minLength(1)
@maxLength(64)
@description('Name of the environment (azd environment name): part of the resource group name and of the seed of every resource name.')
param environmentName string

@minLength(1)
@description('Region of every resource. It must offer the Flex Consumption plan (`az functionapp list-flexconsumption-locations`).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Name of the resource group. Empty: rg-<environmentName>.')
param resourceGroupName string = ''

@description('Tags added to every resource.')
param tags object = {}

// ============================================================================ D365 (app settings, shared/config.ts)

@description('D365_URL: base URL of the Finance & Operations environment, e.g. https://contoso.operations.dynamics.com.')
@minLength(9)
param d365Url string

@description('D365_TENANT_ID: Entra ID tenant of the app registration that D365 knows.')
@minLength(36)
@maxLength(36)
param d365TenantId string

@description('D365_CLIENT_ID: application (client) ID of that app registration.')
@minLength(36)
@maxLength(36)
param d365ClientId string

@description('D365_CLIENT_SECRET_NAME: name of the Key Vault secret that holds the client secret.')
@minLength(1)
@maxLength(127)
param d365ClientSecretName string = 'd365-client-secret'

@description('CORRELATION_KEY_SECRET_NAME: Key Vault secret that correlation IDs of Idempotency-Keys are derived under (issue 24; docs/deploy.md, "The correlation-ID key").')
@minLength(1)
@maxLength(127)
param correlationKeySecretName string = 'correlation-id-key'

@description('Set by the first deployment (its output CORRELATION_KEY_IN_VAULT, which azd keeps in the environment): the correlation-ID key is in Key Vault, so this deployment writes none. Never set it to false against a vault that holds the key.')
param correlationKeyInVault bool = false

// The correlation-ID key's value for the first deployment: two random GUIDs (244 random bits),
// secure parameters so the value is in no deployment history. Any value passed is ignored once
// correlationKeyInVault is true.
@secure()
@description('Leave empty: generated (the first deployment only).')
param correlationKeyPartOne string = newGuid()
@secure()
@description('Leave empty: generated (the first deployment only).')
param correlationKeyPartTwo string = newGuid()

@secure()
@description('The app registration\'s client secret. Optional: empty leaves the Key Vault secret as it is, so operators can set it later (docs/deploy.md). It is written to Key Vault only: never to an app setting or an output.')
param d365ClientSecret string = ''

@description('Set to true once the secret exists in Key Vault although it was not passed to this template (set with `az keyvault secret set`), so the app\'s identity is granted read access to it.')
param d365ClientSecretInVault bool = false

@description('D365_TARGET: where customers are created: custom-service (the CreateCustomer custom service) or odata (CustomersV3).')
@allowed([
  'custom-service'
  'odata'
])
param d365Target string = 'custom-service'

@description('D365_SERVICE_PATH: path of the custom service operation (/api/services/<group>/<service>/<operation>).')
param d365ServicePath string = '/api/services/CreateCustomerServiceGroup/CreateCustomerService/CreateCustomer'

@description('D365_ACCOUNT_FIELD: field of the custom service\'s answer that holds the new customer account.')
param d365AccountField string = 'CustomerAccount'

@description('D365_DEFAULT_CUSTOMER_GROUP: customer group used when a request has none.')
@minLength(1)
@maxLength(10)
param d365DefaultCustomerGroup string = '30'

@description('D365_TIMEOUT_MS: how long one call to D365 may take.')
@minValue(1000)
@maxValue(120000)
param d365TimeoutMs int = 30000

@description('KEY_VAULT_TIMEOUT_MS: how long one call to Key Vault may take.')
@minValue(1000)
@maxValue(120000)
param keyVaultTimeoutMs int = 10000

@description('ENTRA_TIMEOUT_MS: how long one token request to Entra ID may take.')
@minValue(1000)
@maxValue(120000)
param entraTimeoutMs int = 10000

@description('BIGCOMMERCE_TIMEOUT_MS: how long one call to a BigCommerce store API may take.')
@minValue(1000)
@maxValue(120000)
param bigCommerceTimeoutMs int = 10000

@description('D365_SETTLE_SECONDS: how long D365 may take to show a customer it created, before a lookup concludes it is not there.')
@minValue(1)
@maxValue(300)
param d365SettleSeconds int = 10

// ============================================================================ Queues and tables

@description('CUSTOMER_QUEUE_NAME: queue that carries accepted requests; its poison queue is <name>-poison, where a request that ran out of retries is kept for replay.')
@minLength(3)
@maxLength(56)
param customerQueueName string = 'customer-create'

@description('STATUS_TABLE_NAME: table with one status record per correlation ID (also the Idempotency-Key claims).')
@minLength(3)
@maxLength(63)
param statusTableName string = 'customerstatus'

@description('STATUS_RETRY_AFTER_SECONDS: Retry-After sent with 202 and pending status answers.')
@minValue(1)
@maxValue(3600)
param statusRetryAfterSeconds int = 1

// ============================================================================ Processing (app settings, shared/config.ts)

@description('DUPLICATE_POLICY: when a customer with the same e-mail exists in the legal entity: link (succeed with it), reject (fail with duplicate) or create (another).')
@allowed([
  'link'
  'reject'
  'create'
])
param duplicatePolicy string = 'link'

@description('LINK_TABLE_NAME: table of customer links (which D365 account a source customer is) and the update state (issue 17).')
param linkTableName string = 'customerlinks'

@description('OPERATIONS_TABLE_NAME: table of the operations index (the failed, needs-review, retrying and resolved requests by view; no personal data) and of bulk replay jobs (issue 31).')
param operationsTableName string = 'customerops'

@description('OPERATIONS_AUDIT_TABLE_NAME: table of the operator audit log (who did what to which requests; field names, never values; issue 31).')
param operationsAuditTableName string = 'operatoraudit'

@description('UPDATE_CONFLICT_POLICY: an update changing a field that was changed in D365 since our last write: review (needs_review), ours (overwrite) or d365 (keep D365\'s).')
@allowed([
  'review'
  'ours'
  'd365'
])
param updateConflictPolicy string = 'review'

@description('RETRY_BASE_SECONDS: first back-off delay after a transient failure without Retry-After; doubles per attempt, with jitter.')
@minValue(0)
param retryBaseSeconds int = 2

@description('RETRY_MAX_DELAY_SECONDS: longest back-off delay between two attempts.')
@minValue(0)
param retryMaxDelaySeconds int = 300

@description('RETRY_MAX_ATTEMPTS: attempts before a request ends as failed (retries_exhausted).')
@minValue(1)
param retryMaxAttempts int = 10

@description('RETRY_MAX_TOTAL_SECONDS: how long a request may keep retrying from its acceptance.')
@minValue(1)
param retryMaxTotalSeconds int = 3600

@description('D365_MAX_CONCURRENCY: calls to D365 in flight at once across the whole fleet (slots in the status table).')
@minValue(1)
@maxValue(52)
param d365MaxConcurrency int = 4

@description('D365_MAX_REQUESTS_PER_SECOND: most calls to D365 started per second across the whole fleet (each slot keeps the pace); 0: no limit but the slots.')
@minValue(0)
@maxValue(1000)
param d365MaxRequestsPerSecond int = 0

@description('D365_LOOKUP_BATCH_SIZE: most duplicate lookups of one instance sent to D365 as one CustomersV3 query (one gate slot per batch); 1 sends each alone.')
@minValue(1)
@maxValue(100)
param d365LookupBatchSize int = 25

@description('D365_LOOKUP_BATCH_WINDOW_MS: how long a lookup batch waits for more lookups while another batch of the instance is in flight.')
@minValue(0)
@maxValue(1000)
param d365LookupBatchWindowMs int = 5

@description('PROCESSING_LEASE_SECONDS: how long a claimed request belongs to the invocation that claimed it (renewed while it waits for a D365 slot).')
@minValue(1)
param processingLeaseSeconds int = 60

@description('PREFER_WAIT_MAX_SECONDS: cap on Prefer: wait=N (at most 230, the Azure load balancer idle timeout).')
@minValue(1)
@maxValue(230)
param preferWaitMaxSeconds int = 25

@description('RECONCILE_AFTER_SECONDS: the reconciler re-queues a request that stayed accepting or queued this long.')
@minValue(1)
param reconcileAfterSeconds int = 300

// ============================================================================ Callers (docs/deploy.md, "Callers: function keys and Entra ID")

@description('Put App Service Authentication (Easy Auth) with Entra ID in front of the app, and set CALLER_AUTH=app-service: every request but GET /api/health and GET /api/openapi.json then needs an Entra ID access token for the API\'s app registration (callerAuthClientId), or gets 401 from the platform, and the app reads the caller and its app roles from the X-MS-CLIENT-PRINCIPAL header the platform injects. Off (default): CALLER_AUTH=keys, callers are told apart by nothing but their function keys. Function keys are required in both modes.')
param enableCallerAuthentication bool = false

@description('Application (client) ID of the API\'s Entra ID app registration (the one that defines the app roles; not the D365 one). Required when enableCallerAuthentication is true.')
@maxLength(36)
param callerAuthClientId string = ''

@description('Directory (tenant) ID of that app registration. Empty: the tenant of the subscription.')
@maxLength(36)
param callerAuthTenantId string = ''

@description('Audiences (aud claim) accepted in callers\' access tokens. Empty: api://<callerAuthClientId> (v1 tokens) and <callerAuthClientId> (v2 tokens).')
param callerAuthAllowedAudiences array = []

@description('CALLER_KEYS: named function keys (keys mode), a JSON array of {"name", "keySha256", "roles"}: each caller\'s function key (created with az functionapp function keys set --key-name <name>) by the SHA-256 of its value, and what it may do (create, read, accounts, staff, operator). Each key is then a caller of its own (references, requests, rate limit, callback secret); any other key is refused on the customer routes. Empty: every key is one shared caller. With enableCallerAuthentication, only the key of the F&O data events route (POST /api/d365/data-events, outside App Service Authentication) is read from it: list F&O\'s key there with roles ["accounts"]. See SECURITY.md.')
param callerKeys string = '[]'

@description('CALLER_ROLE_CREATE: app role a caller needs to create customers (app-service mode).')
@minLength(1)
@maxLength(120)
param callerRoleCreate string = 'Customers.Create'

@description('CALLER_ROLE_READ: app role a caller needs to read the status of its own requests (app-service mode).')
@minLength(1)
@maxLength(120)
param callerRoleRead string = 'Customers.Read'

@description('CALLER_ROLE_ACCOUNTS: app role a caller needs to update customers by D365 account (POS, back office; app-service mode). Without it every such request is 403.')
@minLength(1)
@maxLength(120)
param callerRoleAccounts string = 'Customers.UpdateByAccount'

@description('CALLER_ROLE_STAFF: app role of callers that verify a shopper\'s identity themselves (POS staff; app-service mode): their creates that match an existing D365 customer may change it; other callers\' such links stay pending until verified.')
@minLength(1)
@maxLength(120)
param callerRoleStaff string = 'Customers.Staff'

@description('CALLER_ROLE_OPERATOR: app role for operators: replay failed requests (with the master key) and read any caller\'s status (app-service mode).')
@minLength(1)
@maxLength(120)
param callerRoleOperator string = 'Customers.Operate'

@description('RATE_LIMIT_PER_MINUTE: customer requests one caller may send per minute to one instance before 429 (0: off). Per instance, and with function keys all callers are one: quotas belong in Azure API Management.')
@minValue(0)
param rateLimitPerMinute int = 600

@description('MAX_CONCURRENT_WAITS: Prefer: wait requests one instance holds open at once; beyond it the answer is 202 at once.')
@minValue(0)
param maxConcurrentWaits int = 50

@description('FAIR_SHARE_WAITERS: one caller\'s queued requests one instance works on at once, times its CALLER_WEIGHTS weight; a message of a caller at its share goes back to the queue for a second or more (not a failed delivery) so another caller\'s is taken. Must not exceed host.json\'s newBatchThreshold (8) divided by the largest weight. 0: no per-caller limit.')
@minValue(0)
param fairShareWaiters int = 4

@description('CALLER_WEIGHTS: fair-sharing weights, a JSON object of caller ID (key:<name>, the Entra object ID, webhook:<source>, anonymous) to a weight from 0.1 to 16; unnamed callers weigh 1.')
param callerWeights string = '{}'

@description('RECORD_RETENTION_DAYS: status records (with their Idempotency-Keys and stored requests) are deleted by the hourly purgeRecords timer after this many days; poison messages get the same time to live.')
@minValue(1)
@maxValue(3650)
param recordRetentionDays int = 30

@description('FAILED_REQUEST_RETENTION_DAYS: a failed or needs_review request keeps the customer it was sent (for a replay or review) this many days after it ended; then the hourly purgeRecords timer drops it.')
@minValue(1)
@maxValue(3650)
param failedRequestRetentionDays int = 7

@description('PRIVACY_ANONYMISE_LEGAL_ENTITIES: legal entities (comma-separated) whose linked D365 customers an erasure anonymises (a CustomersV3 update with placeholders); any other: report. Empty: report everywhere (docs/privacy.md).')
param privacyAnonymiseLegalEntities string = ''

@description('PRIVACY_SETTLE_SECONDS: an erasure takes a last look for data of its customer this long after its erasure marks were written.')
@minValue(1)
@maxValue(3600)
param privacySettleSeconds int = 60

@description('PRIVACY_DUE_ALERT_DAYS: an open privacy request due within this many days (they are due 30 days after receipt) counts as due soon; the privacy-due alert fires on it.')
@minValue(1)
@maxValue(29)
param privacyDueAlertDays int = 7

@description('LINK_RETENTION_DAYS: customer links (the account, field stamps and digests of what was sent; no personal values), reserved ones too, are deleted by the hourly purgeRecords timer once unchanged this many days.')
@minValue(1)
@maxValue(3650)
param linkRetentionDays int = 365

// ============================================================================ Webhooks (docs/webhooks.md)

@description('WEBHOOK_SOURCES: JSON array of the Shopify shops, BigCommerce stores and Standard Webhooks senders that may post customers; each names its Key Vault secret (put the secrets in the vault: az keyvault secret set). Empty: the webhook routes refuse everything with 401.')
param webhookSources string = '[]'

@description('WEBHOOK_MAX_EVENT_AGE_SECONDS: Shopify deliveries triggered longer ago than this are refused as replays.')
@minValue(1)
param webhookMaxEventAgeSeconds int = 21600

@description('WEBHOOK_SECRET_ROTATION_WINDOW_SECONDS: the previous version of a webhook secret stays accepted this long after a new version is set.')
@minValue(0)
param webhookSecretRotationWindowSeconds int = 3600

@description('WEBHOOK_SECRET_REFRESH_SECONDS: webhook secrets are read from Key Vault again after this many seconds.')
@minValue(1)
param webhookSecretRefreshSeconds int = 300

@description('Names of the Key Vault secrets of WEBHOOK_SOURCES (webhook secrets, Shopify Admin API tokens, BigCommerce API tokens) once they are in the vault: the app\'s identity gets Key Vault Secrets User on each of them alone.')
param shopSecretNames array = []

@description('SHOPIFY_API_VERSION: the Shopify GraphQL Admin API version the write-back pins.')
param shopifyApiVersion string = '2026-10'

@description('SHOP_BUDGET_SHARE: the share (0-1, as a string) of a shop\'s rate limit the sync may spend; the rest is a reserve.')
param shopBudgetShare string = '0.5'

@description('SHOP_TIMEOUT_MS: a shop Admin API call that has not answered in this many milliseconds fails.')
@minValue(1)
@maxValue(120000)
param shopTimeoutMs int = 10000

@description('SHOP_MAX_WAIT_MS: how long a write-back waits for the shop\'s budget before it is rescheduled.')
@minValue(0)
@maxValue(300000)
param shopMaxWaitMs int = 20000

// ============================================================================ Result callbacks (docs/api.md, "Result callbacks")

@description('PUBLIC_BASE_URL: the origin callers reach the app at (a custom domain or API Management), for Location and statusUrl. Empty: https:// + the app\'s own host name.')
param publicBaseUrl string = ''

@description('CALLBACK_ALLOWED_HOSTS: hosts a Callback-Url may name (comma-separated; *.domain for sub-domains; optional :port, else 443). Empty: result callbacks off.')
param callbackAllowedHosts string = ''

@description('CALLBACK_SECRET_NAME: Key Vault secret holding the whsec_ secret that signs result callbacks (put it in the vault: az keyvault secret set).')
param callbackSecretName string = 'callback-signing-secret'

@description('WRITE_BACK_QUEUE_NAME: the shop write-back queue (a shop customer waits here until its D365 account is written to the shop).')
param writeBackQueueName string = 'shop-write-back'

@description('BACKFILL_QUEUE_NAME: the backfill queue (issue 30: one message per page of a shop\'s customers being loaded into D365).')
param backfillQueueName string = 'shop-backfill'

@description('BACKFILL_TABLE_NAME: the table of backfill jobs (issue 30).')
param backfillTableName string = 'backfills'

@description('FO_EVENTS_QUEUE_NAME: F&O data events (issue 29) taken in at POST /api/d365/data-events wait here for the shop update.')
param foEventsQueueName string = 'fo-data-events'

@description('FO_EVENTS_TABLE_NAME: the F&O data events taken in (issue 29; one row each with its change, so a repeated event is queued once) and the D365 → shop field stamps.')
param foEventsTableName string = 'foevents'

@description('FO_EVENTS_RETENTION_DAYS: a taken F&O data event (its row, with the change: personal data) is deleted by the hourly purgeRecords timer this many days after it came; its queue message expires then.')
@minValue(1)
@maxValue(365)
param foEventsRetentionDays int = 7

@description('FO_EVENTS_DELIVERY: how F&O delivers its data events (issue 29). https: to POST /api/d365/data-events (an F&O endpoint of type HTTPS). eventGrid: also through an Event Grid topic this template adds, with a subscription to the foEventGrid function (an F&O endpoint of type Azure Event Grid; README, "D365 changes to the shop").')
@allowed([
  'https'
  'eventGrid'
])
param foEventsDelivery string = 'https'

@description('FO_EVENT_GRID_SUBSCRIBE: with foEventsDelivery eventGrid, add the topic\'s subscription to the foEventGrid function. An Azure Functions destination must exist when the subscription is made: set it true once the app was deployed with FO_EVENTS_DELIVERY=eventGrid, then provision again (docs/deploy.md).')
param foEventGridSubscribe bool = false

@description('FO_EVENT_GRID_KEY_SECRET_NAME: the Key Vault secret the Event Grid topic\'s access key is written to, for F&O\'s Azure Event Grid endpoint to read.')
param foEventGridKeySecretName string = 'fo-event-grid-topic-key'

@description('FO_KEY_VAULT_READER_PRINCIPAL_ID: object ID of the service principal of F&O\'s Entra ID application for business events; it gets Key Vault Secrets User on the topic key secret. Empty: assign it yourself.')
param foKeyVaultReaderPrincipalId string = ''

@description('BACKFILL_PAGE_SIZE: shop customers read per backfill page (at most 250).')
@minValue(1)
@maxValue(250)
param backfillPageSize int = 50

@description('BACKFILL_MAX_BACKLOG: the next backfill page waits while the customer queue holds more than this many messages (live traffic first).')
@minValue(1)
param backfillMaxBacklog int = 100

@description('DRIFT_REPAIR_INTERVAL_SECONDS: drift repair (issue 30) runs each shop once per this many seconds, on one instance; 0: off.')
@minValue(0)
@maxValue(86400)
param driftRepairIntervalSeconds int = 300

@description('DRIFT_REPAIR_MAX_CUSTOMERS: changed customers drift repair reads per shop per run (whole pages).')
@minValue(1)
@maxValue(100000)
param driftRepairMaxCustomers int = 1000

@description('DRIFT_REPAIR_SETTLE_SECONDS: drift repair leaves a customer changed this recently to its webhook.')
@minValue(0)
@maxValue(86400)
param driftRepairSettleSeconds int = 900

@description('DRIFT_REPAIR_LOOKBACK_HOURS: how far back a shop\'s first drift-repair run looks.')
@minValue(1)
@maxValue(8760)
param driftRepairLookbackHours int = 24

@description('FO_SAFETY_NET_INTERVAL_SECONDS: the F&O safety net (issue 29) compares each shop\'s linked customers with D365 once per this many seconds, on one instance; 0: off.')
@minValue(0)
@maxValue(86400)
param foSafetyNetIntervalSeconds int = 900

@description('FO_SAFETY_NET_MAX_CUSTOMERS: shop customers the F&O safety net compares per shop per run (whole pages).')
@minValue(1)
@maxValue(100000)
param foSafetyNetMaxCustomers int = 500

@description('CALLBACK_QUEUE_NAME: the callback outbox queue (result events wait here until delivered).')
param callbackQueueName string = 'customer-callbacks'

@description('REPLAY_QUEUE_NAME: the bulk replay queue (one message per tick of a replay job; issue 31).')
@maxLength(56)
param replayQueueName string = 'customer-replays'

@description('REPLAY_RESERVE_SLOTS: D365 slots a bulk replay leaves to live requests.')
@minValue(0)
param replayReserveSlots int = 1

@description('REPLAY_BATCH_SIZE: most failed requests a bulk replay releases at once.')
@minValue(1)
@maxValue(100)
param replayBatchSize int = 10

@description('CALLBACK_ENDPOINTS_TABLE_NAME: table of callback URLs disabled after a 410 Gone.')
param callbackEndpointsTableName string = 'callbackendpoints'

@description('CALLBACK_TIMEOUT_MS: a callback endpoint that has not answered within this many ms counts as a failed attempt.')
@minValue(1)
param callbackTimeoutMs int = 5000

@description('CALLBACK_RETRY_BASE_SECONDS: back-off base between callback attempts (an endpoint Retry-After is honoured instead).')
@minValue(1)
param callbackRetryBaseSeconds int = 5

@description('CALLBACK_RETRY_MAX_DELAY_SECONDS: the longest back-off between two callback attempts.')
@minValue(1)
param callbackRetryMaxDelaySeconds int = 3600

@description('CALLBACK_MAX_ATTEMPTS: a result callback is given up after this many failed attempts.')
@minValue(1)
param callbackMaxAttempts int = 12

// ============================================================================ Scale (docs/deploy.md, "Sizing")

@description('Most instances the app runs at once (HTTP, queue and timer functions together). D365_MAX_CONCURRENCY (4) bounds the calls to D365 in flight across all of them (a fleet-wide gate), far under D365\'s 52 concurrent requests per user and web server.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 8

@description('Memory of each instance in MB. 2048 is the default; 512 is enough for this I/O-bound app but also lowers HTTP concurrency per instance.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Instances kept warm for the HTTP functions (avoids cold starts for POS; billed while running). 0: scale to zero.')
@minValue(0)
@maxValue(20)
param httpAlwaysReadyInstances int = 0

// ============================================================================ Platform

@description('Replication of the storage account.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
  'Standard_RAGRS'
  'Standard_RAGZRS'
])
param storageSkuName string = 'Standard_LRS'

@description('Days a deleted vault or secret stays recoverable (fixed when the vault is created).')
@minValue(7)
@maxValue(90)
param keyVaultSoftDeleteRetentionInDays int = 90

@description('Days the Log Analytics workspace keeps logs and telemetry.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Fallback, off by default: grant the app Storage Blob Data Owner on the whole storage account (the Functions documentation\'s minimum for host storage) instead of only its containers. Turn on only if the host fails with 403 on its blobs.')
param hostBlobAccessAccountWide bool = false

@description('Object ID of the operator (user or group) to grant Key Vault Secrets Officer on the vault, to set and rotate the client secret. azd passes the signed-in user. Empty: none.')
param operatorPrincipalId string = ''

@description('Kind of principal operatorPrincipalId is.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param operatorPrincipalType string = 'User'

// ============================================================================ Alerts

@description('Resource ID of an existing action group the alerts notify. Empty: alertEmailAddress, or no notification.')
param actionGroupResourceId string = ''

@description('E-mail address for a new action group (used when actionGroupResourceId is empty). Empty: none.')
param alertEmailAddress string = ''

@description('Turn the alert rules on.')
param alertsEnabled bool = true

@description('Alert when more than this percentage of finished requests failed in 15 minutes.')
@minValue(1)
@maxValue(100)
param failedRateThresholdPercent int = 5

@description('Finished requests needed in 15 minutes before the failure rate is judged.')
@minValue(1)
param failedRateMinimumRequests int = 10

@description('Alert when the 95th percentile of accept-to-created latency over 15 minutes exceeds this (ms).')
@minValue(1000)
param endToEndLatencyP95ThresholdMs int = 60000

@description('Alert when more failed function executions than this happen in 15 minutes (per function).')
@minValue(0)
param functionErrorsThreshold int = 5

@description('A 5-minute window counts as throttled when D365 answered 429 more often than this.')
@minValue(0)
param throttledEventsPer5MinutesThreshold int = 0

@description('Throttled 5-minute windows in a row that make the throttling alert fire.')
@minValue(1)
@maxValue(6)
param throttlingSustainedWindows int = 3

@description('Shop customers one F&O safety-net run may repair before it alerts: more means D365\'s data events are being missed (issue 29).')
@minValue(0)
param foSafetyNetRepairedThreshold int = 10

// ============================================================================ Names

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var allTags = union(tags, {
  'azd-env-name': environmentName
  application: 'd365-customer-sync'
})
var functionAppName = 'func-d365sync-${resourceToken}'
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(uniqueString(functionAppName, resourceToken), 7)}'
var azdServiceName = 'api'
var identityName = 'id-d365sync-${resourceToken}'
var logAnalyticsName = 'log-d365sync-${resourceToken}'
var applicationInsightsName = 'appi-d365sync-${resourceToken}'
var storageAccountName = 'st${resourceToken}'
var keyVaultName = 'kv-${resourceToken}'
var foEventGridTopicName = 'evgt-d365sync-${resourceToken}'

// App Service Authentication without the API's app registration would turn every caller away: stop the
// deployment instead, with a message that says what is missing.
var checkedCallerAuthClientId = enableCallerAuthentication && empty(callerAuthClientId)
  ? fail('enableCallerAuthentication needs callerAuthClientId (CALLER_AUTH_CLIENT_ID): the application (client) ID of the API\'s Entra ID app registration. See docs/deploy.md.')
  : callerAuthClientId

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: empty(resourceGroupName) ? 'rg-${environmentName}' : resourceGroupName
  location: location
  tags: allTags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: identityName
    location: location
    tags: allTags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: logAnalyticsName
    applicationInsightsName: applicationInsightsName
    location: location
    tags: allTags
    retentionInDays: logRetentionInDays
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: storageAccountName
    location: location
    tags: allTags
    skuName: storageSkuName
    customerQueueName: customerQueueName
    statusTableName: statusTableName
    linkTableName: linkTableName
    operationsTableName: operationsTableName
    operationsAuditTableName: operationsAuditTableName
    callbackQueueName: callbackQueueName
    writeBackQueueName: writeBackQueueName
    backfillQueueName: backfillQueueName
    backfillTableName: backfillTableName
    foEventsQueueName: foEventsQueueName
    foEventsTableName: foEventsTableName
    callbackEndpointsTableName: callbackEndpointsTableName
    replayQueueName: replayQueueName
    deploymentContainerName: deploymentContainerName
    workspaceId: monitoring.outputs.workspaceId
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: keyVaultName
    location: location
    tags: allTags
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionInDays
    secretName: d365ClientSecretName
    secretValue: d365ClientSecret
    correlationKeySecretName: correlationKeySecretName
    correlationKeyValue: correlationKeyInVault ? '' : '${correlationKeyPartOne}${correlationKeyPartTwo}'
    workspaceId: monitoring.outputs.workspaceId
  }
}

module rbac 'modules/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  // Everything it assigns roles on must exist first.
  dependsOn: [
    identity
    monitoring
    storage
    keyVault
  ]
  params: {
    identityName: identityName
    storageAccountName: storageAccountName
    deploymentContainerName: deploymentContainerName
    customerQueueName: customerQueueName
    replayQueueName: replayQueueName
    callbackQueueName: callbackQueueName
    writeBackQueueName: writeBackQueueName
    backfillQueueName: backfillQueueName
    statusTableName: statusTableName
    linkTableName: linkTableName
    operationsTableName: operationsTableName
    operationsAuditTableName: operationsAuditTableName
    callbackEndpointsTableName: callbackEndpointsTableName
    backfillTableName: backfillTableName
    foEventsQueueName: foEventsQueueName
    foEventsTableName: foEventsTableName
    keyVaultName: keyVaultName
    secretName: d365ClientSecretName
    grantSecretAccess: !empty(d365ClientSecret) || d365ClientSecretInVault
    correlationKeySecretName: correlationKeySecretName
    shopSecretNames: shopSecretNames
    applicationInsightsName: applicationInsightsName
    hostBlobAccessAccountWide: hostBlobAccessAccountWide
    operatorPrincipalId: operatorPrincipalId
    operatorPrincipalType: operatorPrincipalType
  }
}

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  scope: rg
  // The identity's storage roles exist before the host first starts.
  dependsOn: [
    rbac
  ]
  params: {
    name: functionAppName
    planName: 'plan-d365sync-${resourceToken}'
    location: location
    tags: allTags
    azdServiceName: azdServiceName
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storageAccountName
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: applicationInsightsName
    keyVaultName: keyVaultName
    workspaceId: monitoring.outputs.workspaceId
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    httpAlwaysReadyInstances: httpAlwaysReadyInstances
    d365Url: d365Url
    d365TenantId: d365TenantId
    d365ClientId: d365ClientId
    d365ClientSecretName: d365ClientSecretName
    d365Target: d365Target
    d365ServicePath: d365ServicePath
    d365AccountField: d365AccountField
    d365DefaultCustomerGroup: d365DefaultCustomerGroup
    d365TimeoutMs: d365TimeoutMs
    keyVaultTimeoutMs: keyVaultTimeoutMs
    entraTimeoutMs: entraTimeoutMs
    bigCommerceTimeoutMs: bigCommerceTimeoutMs
    d365SettleSeconds: d365SettleSeconds
    customerQueueName: customerQueueName
    statusTableName: statusTableName
    statusRetryAfterSeconds: statusRetryAfterSeconds
    duplicatePolicy: duplicatePolicy
    linkTableName: linkTableName
    operationsTableName: operationsTableName
    operationsAuditTableName: operationsAuditTableName
    updateConflictPolicy: updateConflictPolicy
    retryBaseSeconds: retryBaseSeconds
    retryMaxDelaySeconds: retryMaxDelaySeconds
    retryMaxAttempts: retryMaxAttempts
    retryMaxTotalSeconds: retryMaxTotalSeconds
    d365MaxConcurrency: d365MaxConcurrency
    d365MaxRequestsPerSecond: d365MaxRequestsPerSecond
    d365LookupBatchSize: d365LookupBatchSize
    d365LookupBatchWindowMs: d365LookupBatchWindowMs
    processingLeaseSeconds: processingLeaseSeconds
    preferWaitMaxSeconds: preferWaitMaxSeconds
    reconcileAfterSeconds: reconcileAfterSeconds
    enableCallerAuthentication: enableCallerAuthentication
    callerAuthClientId: checkedCallerAuthClientId
    callerAuthTenantId: empty(callerAuthTenantId) ? tenant().tenantId : callerAuthTenantId
    callerAuthAllowedAudiences: callerAuthAllowedAudiences
    callerKeys: callerKeys
    callerRoleCreate: callerRoleCreate
    callerRoleRead: callerRoleRead
    callerRoleAccounts: callerRoleAccounts
    callerRoleStaff: callerRoleStaff
    callerRoleOperator: callerRoleOperator
    rateLimitPerMinute: rateLimitPerMinute
    maxConcurrentWaits: maxConcurrentWaits
    fairShareWaiters: fairShareWaiters
    callerWeights: callerWeights
    recordRetentionDays: recordRetentionDays
    failedRequestRetentionDays: failedRequestRetentionDays
    privacyAnonymiseLegalEntities: privacyAnonymiseLegalEntities
    privacySettleSeconds: privacySettleSeconds
    privacyDueAlertDays: privacyDueAlertDays
    linkRetentionDays: linkRetentionDays
    webhookSources: webhookSources
    webhookMaxEventAgeSeconds: webhookMaxEventAgeSeconds
    webhookSecretRotationWindowSeconds: webhookSecretRotationWindowSeconds
    webhookSecretRefreshSeconds: webhookSecretRefreshSeconds
    shopifyApiVersion: shopifyApiVersion
    shopBudgetShare: shopBudgetShare
    shopTimeoutMs: shopTimeoutMs
    shopMaxWaitMs: shopMaxWaitMs
    writeBackQueueName: writeBackQueueName
    backfillQueueName: backfillQueueName
    backfillTableName: backfillTableName
    backfillPageSize: backfillPageSize
    backfillMaxBacklog: backfillMaxBacklog
    driftRepairIntervalSeconds: driftRepairIntervalSeconds
    driftRepairMaxCustomers: driftRepairMaxCustomers
    driftRepairSettleSeconds: driftRepairSettleSeconds
    driftRepairLookbackHours: driftRepairLookbackHours
    foSafetyNetIntervalSeconds: foSafetyNetIntervalSeconds
    foSafetyNetMaxCustomers: foSafetyNetMaxCustomers
    foEventsQueueName: foEventsQueueName
    foEventsTableName: foEventsTableName
    foEventsRetentionDays: foEventsRetentionDays
    foEventsDelivery: foEventsDelivery
    callbackAllowedHosts: callbackAllowedHosts
    publicBaseUrl: publicBaseUrl
    callbackSecretName: callbackSecretName
    correlationKeySecretName: correlationKeySecretName
    callbackQueueName: callbackQueueName
    callbackEndpointsTableName: callbackEndpointsTableName
    replayQueueName: replayQueueName
    replayReserveSlots: replayReserveSlots
    replayBatchSize: replayBatchSize
    callbackTimeoutMs: callbackTimeoutMs
    callbackRetryBaseSeconds: callbackRetryBaseSeconds
    callbackRetryMaxDelaySeconds: callbackRetryMaxDelaySeconds
    callbackMaxAttempts: callbackMaxAttempts
  }
}

// The operator console (issue 31): the workbook and the alerts link to it, filtered (docs/operations.md).
var consoleUrl = '${empty(publicBaseUrl) ? 'https://${functionApp.outputs.defaultHostName}' : publicBaseUrl}/api/console'

// F&O data events through Event Grid (issue 29): only when FO_EVENTS_DELIVERY asks for it.
module foEventGrid 'modules/fo-event-grid.bicep' = if (foEventsDelivery == 'eventGrid') {
  name: 'fo-event-grid'
  scope: rg
  dependsOn: [
    keyVault
    functionApp
  ]
  params: {
    name: foEventGridTopicName
    location: location
    tags: allTags
    keyVaultName: keyVaultName
    topicKeySecretName: foEventGridKeySecretName
    foKeyVaultReaderPrincipalId: foKeyVaultReaderPrincipalId
    functionAppName: functionAppName
    subscribeFunction: foEventGridSubscribe
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    location: location
    tags: allTags
    resourceToken: resourceToken
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    workspaceId: monitoring.outputs.workspaceId
    storageAccountName: storage.outputs.name
    poisonQueueName: storage.outputs.poisonQueueName
    recordRetentionDays: recordRetentionDays
    privacyDueAlertDays: privacyDueAlertDays
    actionGroupResourceId: actionGroupResourceId
    alertEmailAddress: alertEmailAddress
    alertsEnabled: alertsEnabled
    failedRateThresholdPercent: failedRateThresholdPercent
    failedRateMinimumRequests: failedRateMinimumRequests
    endToEndLatencyP95ThresholdMs: endToEndLatencyP95ThresholdMs
    functionErrorsThreshold: functionErrorsThreshold
    throttledEventsPer5MinutesThreshold: throttledEventsPer5MinutesThreshold
    throttlingSustainedWindows: throttlingSustainedWindows
    foSafetyNetRepairedThreshold: foSafetyNetRepairedThreshold
    consoleUrl: consoleUrl
  }
}

module workbook 'modules/workbook.bicep' = {
  name: 'workbook'
  scope: rg
  params: {
    location: location
    tags: allTags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    workspaceId: monitoring.outputs.workspaceId
    storageAccountName: storage.outputs.name
    poisonQueueName: storage.outputs.poisonQueueName
    recordRetentionDays: recordRetentionDays
    linkRetentionDays: linkRetentionDays
    consoleUrl: consoleUrl
  }
}

// ============================================================================ Outputs (azd stores them in the environment)

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_NAME string = functionApp.outputs.name
output FUNCTION_APP_URL string = 'https://${functionApp.outputs.defaultHostName}'
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output KEY_VAULT_URL string = keyVault.outputs.uri
output D365_CLIENT_SECRET_NAME string = d365ClientSecretName
// azd keeps it in the environment: the next deployment maps it to correlationKeyInVault and writes no new key.
output CORRELATION_KEY_IN_VAULT bool = true
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output MANAGED_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output APPLICATION_INSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output CALLER_AUTH string = functionApp.outputs.callerAuth
output WORKBOOK_ID string = workbook.outputs.id
// F&O's Azure Event Grid endpoint: this topic endpoint, and the key in the Key Vault secret (empty with https).
output FO_EVENT_GRID_TOPIC_ENDPOINT string = foEventsDelivery == 'eventGrid' ? foEventGrid!.outputs.endpoint : ''
