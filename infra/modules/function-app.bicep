metadata description = 'The function app on the Flex Consumption plan (FC1), Node.js 22, running as the user-assigned identity, with every app setting the app\'s configuration module (shared/config.ts) requires. No connection string and no secret is in any setting.'

@description('Name of the function app.')
param name string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Region of the plan and the app.')
param location string

@description('Tags for the plan and the app (the app also gets the azd service tag).')
param tags object

@description('Name azd uses for this service (azure.yaml services.<name>).')
param azdServiceName string

@description('Resource ID of the user-assigned identity.')
param identityId string

@description('Client ID of the user-assigned identity.')
param identityClientId string

@description('Name of the storage account (host storage, queues, tables, deployment container).')
param storageAccountName string

@description('Name of the blob container that holds the deployed app package.')
param deploymentContainerName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('Name of the Key Vault that holds the D365 client secret.')
param keyVaultName string

@description('Resource ID of the Log Analytics workspace that receives the function logs.')
param workspaceId string

@description('Upper bound of instances the app scales out to (all functions together).')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Memory of each instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Instances kept running for the HTTP functions (0: scale to zero; billed while running).')
@minValue(0)
@maxValue(20)
param httpAlwaysReadyInstances int

// ---- The app's own settings (shared/config.ts). One parameter each; see main.bicep for what they mean.
param d365Url string
param d365TenantId string
param d365ClientId string
param d365ClientSecretName string
param d365Target string
param d365ServicePath string
param d365AccountField string
param d365DefaultCustomerGroup string
param d365TimeoutMs int
param keyVaultTimeoutMs int
param entraTimeoutMs int
param bigCommerceTimeoutMs int
param d365SettleSeconds int
param customerQueueName string
param statusTableName string
param statusRetryAfterSeconds int
param duplicatePolicy string
param linkTableName string

@description('OPERATIONS_TABLE_NAME: the operations index and bulk replay jobs (issue 31).')
param operationsTableName string

@description('OPERATIONS_AUDIT_TABLE_NAME: the operator audit log (issue 31).')
param operationsAuditTableName string
param updateConflictPolicy string
param retryBaseSeconds int
param retryMaxDelaySeconds int
param retryMaxAttempts int
param retryMaxTotalSeconds int
param d365MaxConcurrency int
param d365MaxRequestsPerSecond int
param d365LookupBatchSize int
param d365LookupBatchWindowMs int
param processingLeaseSeconds int
param preferWaitMaxSeconds int
param reconcileAfterSeconds int
param callerKeys string
param callerRoleCreate string
param callerRoleRead string
param callerRoleAccounts string
param callerRoleStaff string
param callerRoleOperator string
param rateLimitPerMinute int
param maxConcurrentWaits int
param fairShareWaiters int
param callerWeights string
param recordRetentionDays int
param failedRequestRetentionDays int
param privacyAnonymiseLegalEntities string
param privacySettleSeconds int
param privacyDueAlertDays int
param linkRetentionDays int
param webhookSources string
param webhookMaxEventAgeSeconds int
param webhookSecretRotationWindowSeconds int
param webhookSecretRefreshSeconds int

@description('SHOPIFY_API_VERSION.')
param shopifyApiVersion string

@description('SHOP_BUDGET_SHARE (0-1).')
param shopBudgetShare string

@description('SHOP_TIMEOUT_MS.')
param shopTimeoutMs int

@description('SHOP_MAX_WAIT_MS.')
param shopMaxWaitMs int
@description('WRITE_BACK_QUEUE_NAME.')
param writeBackQueueName string

@description('BACKFILL_QUEUE_NAME.')
param backfillQueueName string

@description('BACKFILL_TABLE_NAME.')
param backfillTableName string

@description('BACKFILL_PAGE_SIZE.')
param backfillPageSize int

@description('BACKFILL_MAX_BACKLOG.')
param backfillMaxBacklog int

@description('DRIFT_REPAIR_INTERVAL_SECONDS.')
param driftRepairIntervalSeconds int

@description('DRIFT_REPAIR_MAX_CUSTOMERS.')
param driftRepairMaxCustomers int

@description('DRIFT_REPAIR_SETTLE_SECONDS.')
param driftRepairSettleSeconds int

@description('DRIFT_REPAIR_LOOKBACK_HOURS.')
param driftRepairLookbackHours int

@description('FO_SAFETY_NET_INTERVAL_SECONDS.')
param foSafetyNetIntervalSeconds int

@description('FO_SAFETY_NET_MAX_CUSTOMERS.')
param foSafetyNetMaxCustomers int
@description('FO_EVENTS_QUEUE_NAME.')
param foEventsQueueName string

@description('FO_EVENTS_TABLE_NAME.')
param foEventsTableName string

@description('FO_EVENTS_RETENTION_DAYS.')
param foEventsRetentionDays int

@description('FO_EVENTS_DELIVERY: https or eventGrid.')
param foEventsDelivery string
param callbackAllowedHosts string
param publicBaseUrl string
param callbackSecretName string
@description('CORRELATION_KEY_SECRET_NAME: the correlation-ID key in Key Vault (issue 24).')
param correlationKeySecretName string
param callbackQueueName string
@description('REPLAY_QUEUE_NAME, REPLAY_RESERVE_SLOTS, REPLAY_BATCH_SIZE: bulk replay (issue 31).')
param replayQueueName string
param replayReserveSlots int
param replayBatchSize int
param callbackEndpointsTableName string
param callbackTimeoutMs int
param callbackRetryBaseSeconds int
param callbackRetryMaxDelaySeconds int
param callbackMaxAttempts int

// ---- Callers (main.bicep, "Callers"; docs/deploy.md, "Callers: function keys and Entra ID").

@description('Put App Service Authentication with Entra ID in front of the app and set CALLER_AUTH=app-service. Off: CALLER_AUTH=keys.')
param enableCallerAuthentication bool

@description('Application (client) ID of the API\'s Entra ID app registration (used when enableCallerAuthentication).')
param callerAuthClientId string

@description('Directory (tenant) ID of that app registration.')
param callerAuthTenantId string

@description('Audiences accepted in callers\' access tokens. Empty: api://<callerAuthClientId> and <callerAuthClientId>.')
param callerAuthAllowedAudiences array

// The app trusts X-MS-CLIENT-PRINCIPAL only in app-service mode, and only this template sets that mode: together
// with the authsettingsV2 resource below, which makes the platform validate the token, inject the header and strip
// any header of that name a caller sends.
var callerAuth = enableCallerAuthentication ? 'app-service' : 'keys'
var allowedAudiences = empty(callerAuthAllowedAudiences)
  ? [
      'api://${callerAuthClientId}'
      callerAuthClientId
    ]
  : callerAuthAllowedAudiences

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' existing = {
  name: keyVaultName
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': azdServiceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    publicNetworkAccess: 'Enabled'
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        alwaysReady: httpAlwaysReadyInstances > 0
          ? [
              {
                name: 'http'
                instanceCount: httpAlwaysReadyInstances
              }
            ]
          : []
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      // Flex Consumption takes the runtime from functionAppConfig: FUNCTIONS_WORKER_RUNTIME,
      // FUNCTIONS_EXTENSION_VERSION and WEBSITE_RUN_FROM_PACKAGE must not be set.
      appSettings: [
        // -- Functions host storage, by identity (no connection string, no account key).
        {
          name: 'AzureWebJobsStorage__credential'
          value: 'managedidentity'
        }
        {
          name: 'AzureWebJobsStorage__clientId'
          value: identityClientId
        }
        {
          name: 'AzureWebJobsStorage__blobServiceUri'
          value: storage.properties.primaryEndpoints.blob
        }
        {
          name: 'AzureWebJobsStorage__queueServiceUri'
          value: storage.properties.primaryEndpoints.queue
        }
        {
          name: 'AzureWebJobsStorage__tableServiceUri'
          value: storage.properties.primaryEndpoints.table
        }
        // -- The host's request body limit in bytes (default 104857600, 100 MB): a body over it is
        //    refused before it is read, so an anonymous route (webhooks) can never make the host buffer
        //    more. 1 MiB is 16 times the largest route's own limit (64 KiB), which answers 413 below it.
        //    https://learn.microsoft.com/azure/azure-functions/functions-app-settings#functions_request_body_size_limit
        {
          name: 'FUNCTIONS_REQUEST_BODY_SIZE_LIMIT'
          value: '1048576'
        }
        // -- The identity DefaultAzureCredential uses for Key Vault (the app's storage clients use
        //    AzureWebJobsStorage__clientId).
        {
          name: 'AZURE_CLIENT_ID'
          value: identityClientId
        }
        // -- Application Insights with Entra ID authentication (local auth is disabled): the Functions
        //    host and the app's own SDK client (custom events, QueueDepth) both read these two.
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: applicationInsights.properties.ConnectionString
        }
        {
          name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
          value: 'ClientId=${identityClientId};Authorization=AAD'
        }
        // -- The app's configuration (shared/config.ts).
        {
          name: 'D365_URL'
          value: d365Url
        }
        {
          name: 'D365_TENANT_ID'
          value: d365TenantId
        }
        {
          name: 'D365_CLIENT_ID'
          value: d365ClientId
        }
        {
          name: 'KEY_VAULT_URL'
          value: vault.properties.vaultUri
        }
        {
          name: 'D365_CLIENT_SECRET_NAME'
          value: d365ClientSecretName
        }
        {
          name: 'CORRELATION_KEY_SECRET_NAME'
          value: correlationKeySecretName
        }
        {
          name: 'D365_TARGET'
          value: d365Target
        }
        {
          name: 'D365_SERVICE_PATH'
          value: d365ServicePath
        }
        {
          name: 'D365_ACCOUNT_FIELD'
          value: d365AccountField
        }
        {
          name: 'D365_DEFAULT_CUSTOMER_GROUP'
          value: d365DefaultCustomerGroup
        }
        {
          name: 'D365_TIMEOUT_MS'
          value: string(d365TimeoutMs)
        }
        {
          name: 'KEY_VAULT_TIMEOUT_MS'
          value: string(keyVaultTimeoutMs)
        }
        {
          name: 'ENTRA_TIMEOUT_MS'
          value: string(entraTimeoutMs)
        }
        {
          name: 'BIGCOMMERCE_TIMEOUT_MS'
          value: string(bigCommerceTimeoutMs)
        }
        {
          name: 'D365_SETTLE_SECONDS'
          value: string(d365SettleSeconds)
        }
        {
          name: 'CUSTOMER_QUEUE_NAME'
          value: customerQueueName
        }
        {
          name: 'STATUS_TABLE_NAME'
          value: statusTableName
        }
        {
          name: 'STATUS_RETRY_AFTER_SECONDS'
          value: string(statusRetryAfterSeconds)
        }
        {
          name: 'DUPLICATE_POLICY'
          value: duplicatePolicy
        }
        {
          name: 'LINK_TABLE_NAME'
          value: linkTableName
        }
        {
          name: 'OPERATIONS_TABLE_NAME'
          value: operationsTableName
        }
        {
          name: 'OPERATIONS_AUDIT_TABLE_NAME'
          value: operationsAuditTableName
        }
        {
          name: 'UPDATE_CONFLICT_POLICY'
          value: updateConflictPolicy
        }
        {
          name: 'RETRY_BASE_SECONDS'
          value: string(retryBaseSeconds)
        }
        {
          name: 'RETRY_MAX_DELAY_SECONDS'
          value: string(retryMaxDelaySeconds)
        }
        {
          name: 'RETRY_MAX_ATTEMPTS'
          value: string(retryMaxAttempts)
        }
        {
          name: 'RETRY_MAX_TOTAL_SECONDS'
          value: string(retryMaxTotalSeconds)
        }
        {
          name: 'D365_MAX_CONCURRENCY'
          value: string(d365MaxConcurrency)
        }
        {
          name: 'D365_MAX_REQUESTS_PER_SECOND'
          value: string(d365MaxRequestsPerSecond)
        }
        {
          name: 'D365_LOOKUP_BATCH_SIZE'
          value: string(d365LookupBatchSize)
        }
        {
          name: 'D365_LOOKUP_BATCH_WINDOW_MS'
          value: string(d365LookupBatchWindowMs)
        }
        {
          name: 'PROCESSING_LEASE_SECONDS'
          value: string(processingLeaseSeconds)
        }
        {
          name: 'PREFER_WAIT_MAX_SECONDS'
          value: string(preferWaitMaxSeconds)
        }
        {
          name: 'RECONCILE_AFTER_SECONDS'
          value: string(reconcileAfterSeconds)
        }
        {
          name: 'CALLER_AUTH'
          value: callerAuth
        }
        {
          name: 'CALLER_KEYS'
          value: callerKeys
        }
        {
          name: 'CALLER_ROLE_CREATE'
          value: callerRoleCreate
        }
        {
          name: 'CALLER_ROLE_READ'
          value: callerRoleRead
        }
        {
          name: 'CALLER_ROLE_ACCOUNTS'
          value: callerRoleAccounts
        }
        {
          name: 'CALLER_ROLE_STAFF'
          value: callerRoleStaff
        }
        {
          name: 'CALLER_ROLE_OPERATOR'
          value: callerRoleOperator
        }
        {
          name: 'RATE_LIMIT_PER_MINUTE'
          value: string(rateLimitPerMinute)
        }
        {
          name: 'MAX_CONCURRENT_WAITS'
          value: string(maxConcurrentWaits)
        }
        {
          name: 'FAIR_SHARE_WAITERS'
          value: string(fairShareWaiters)
        }
        {
          name: 'CALLER_WEIGHTS'
          value: callerWeights
        }
        {
          name: 'RECORD_RETENTION_DAYS'
          value: string(recordRetentionDays)
        }
        {
          name: 'FAILED_REQUEST_RETENTION_DAYS'
          value: string(failedRequestRetentionDays)
        }
        {
          name: 'PRIVACY_ANONYMISE_LEGAL_ENTITIES'
          value: privacyAnonymiseLegalEntities
        }
        {
          name: 'PRIVACY_SETTLE_SECONDS'
          value: string(privacySettleSeconds)
        }
        {
          name: 'PRIVACY_DUE_ALERT_DAYS'
          value: string(privacyDueAlertDays)
        }
        {
          name: 'LINK_RETENTION_DAYS'
          value: string(linkRetentionDays)
        }
        {
          name: 'WEBHOOK_SOURCES'
          value: webhookSources
        }
        {
          name: 'WEBHOOK_MAX_EVENT_AGE_SECONDS'
          value: string(webhookMaxEventAgeSeconds)
        }
        {
          name: 'WEBHOOK_SECRET_ROTATION_WINDOW_SECONDS'
          value: string(webhookSecretRotationWindowSeconds)
        }
        {
          name: 'WEBHOOK_SECRET_REFRESH_SECONDS'
          value: string(webhookSecretRefreshSeconds)
        }
        {
          name: 'SHOPIFY_API_VERSION'
          value: shopifyApiVersion
        }
        {
          name: 'SHOP_BUDGET_SHARE'
          value: shopBudgetShare
        }
        {
          name: 'SHOP_TIMEOUT_MS'
          value: string(shopTimeoutMs)
        }
        {
          name: 'SHOP_MAX_WAIT_MS'
          value: string(shopMaxWaitMs)
        }
        {
          name: 'WRITE_BACK_QUEUE_NAME'
          value: writeBackQueueName
        }
        {
          name: 'BACKFILL_QUEUE_NAME'
          value: backfillQueueName
        }
        {
          name: 'BACKFILL_TABLE_NAME'
          value: backfillTableName
        }
        {
          name: 'BACKFILL_PAGE_SIZE'
          value: string(backfillPageSize)
        }
        {
          name: 'BACKFILL_MAX_BACKLOG'
          value: string(backfillMaxBacklog)
        }
        {
          name: 'DRIFT_REPAIR_INTERVAL_SECONDS'
          value: string(driftRepairIntervalSeconds)
        }
        {
          name: 'DRIFT_REPAIR_MAX_CUSTOMERS'
          value: string(driftRepairMaxCustomers)
        }
        {
          name: 'DRIFT_REPAIR_SETTLE_SECONDS'
          value: string(driftRepairSettleSeconds)
        }
        {
          name: 'DRIFT_REPAIR_LOOKBACK_HOURS'
          value: string(driftRepairLookbackHours)
        }
        {
          name: 'FO_SAFETY_NET_INTERVAL_SECONDS'
          value: string(foSafetyNetIntervalSeconds)
        }
        {
          name: 'FO_SAFETY_NET_MAX_CUSTOMERS'
          value: string(foSafetyNetMaxCustomers)
        }
        {
          name: 'FO_EVENTS_QUEUE_NAME'
          value: foEventsQueueName
        }
        {
          name: 'FO_EVENTS_TABLE_NAME'
          value: foEventsTableName
        }
        {
          name: 'FO_EVENTS_RETENTION_DAYS'
          value: string(foEventsRetentionDays)
        }
        {
          name: 'FO_EVENTS_DELIVERY'
          value: foEventsDelivery
        }
        {
          name: 'CALLBACK_ALLOWED_HOSTS'
          value: callbackAllowedHosts
        }
        {
          name: 'PUBLIC_BASE_URL'
          value: publicBaseUrl
        }
        {
          name: 'CALLBACK_SECRET_NAME'
          value: callbackSecretName
        }
        {
          name: 'CALLBACK_QUEUE_NAME'
          value: callbackQueueName
        }
        {
          name: 'REPLAY_QUEUE_NAME'
          value: replayQueueName
        }
        {
          name: 'REPLAY_RESERVE_SLOTS'
          value: string(replayReserveSlots)
        }
        {
          name: 'REPLAY_BATCH_SIZE'
          value: string(replayBatchSize)
        }
        {
          name: 'CALLBACK_ENDPOINTS_TABLE_NAME'
          value: callbackEndpointsTableName
        }
        {
          name: 'CALLBACK_TIMEOUT_MS'
          value: string(callbackTimeoutMs)
        }
        {
          name: 'CALLBACK_RETRY_BASE_SECONDS'
          value: string(callbackRetryBaseSeconds)
        }
        {
          name: 'CALLBACK_RETRY_MAX_DELAY_SECONDS'
          value: string(callbackRetryMaxDelaySeconds)
        }
        {
          name: 'CALLBACK_MAX_ATTEMPTS'
          value: string(callbackMaxAttempts)
        }
      ]
    }
  }
}

// App Service Authentication (Easy Auth) with Entra ID, only when enableCallerAuthentication: every request but the
// health probe needs a valid access token for the API's app registration, or the platform answers 401 before the
// Functions host sees it. The platform then injects X-MS-CLIENT-PRINCIPAL (the caller's object ID and app roles),
// which the app reads with CALLER_AUTH=app-service. Function keys are still required on top (authLevel).
// No login flow, no token store, no client secret: callers bring their own bearer tokens.
resource authSettings 'Microsoft.Web/sites/config@2025-03-01' = if (enableCallerAuthentication) {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
      runtimeVersion: '~1'
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'Return401'
      // The webhook routes authenticate their senders by signature (docs/webhooks.md): shops cannot send Entra ID tokens.
      excludedPaths: [
        '/api/health'
        '/api/webhooks/bigcommerce'
        '/api/webhooks/shopify'
        '/api/webhooks/standard'
        // F&O's data events endpoint (issue 29) cannot get an Entra ID token: its function key is the authentication.
        '/api/d365/data-events'
        // Event Grid's deliveries to the foEventGrid function (issue 29) carry no token: the extension's system key is their authentication.
        '/runtime/webhooks/eventgrid'
        '/api/openapi.json'
      ]
    }
    httpSettings: {
      requireHttps: true
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: callerAuthClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${callerAuthTenantId}/v2.0'
        }
        validation: {
          allowedAudiences: allowedAudiences
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
  }
}

// Callers authenticate with function keys (and, optionally, Entra ID above); deployments use Entra ID. No basic-auth
// publishing.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource siteDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: site
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        category: 'FunctionAppLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

@description('Resource ID of the function app.')
output id string = site.id

@description('Name of the function app.')
output name string = site.name

@description('CALLER_AUTH as set on the app: app-service when App Service Authentication is in front, else keys.')
output callerAuth string = callerAuth

@description('Default host name of the function app.')
output defaultHostName string = site.properties.defaultHostName
