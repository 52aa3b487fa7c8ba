metadata description = 'Least-privilege role assignments for the function app\'s user-assigned identity, each scoped to the one container, queue, table, secret or component it needs; plus an optional Key Vault Secrets Officer assignment for the operator who sets and rotates the D365 client secret.'

@description('Name of the function app\'s user-assigned identity (the principal of every assignment but the operator\'s).')
param identityName string

@description('Name of the storage account.')
param storageAccountName string

@description('Name of the Flex Consumption deployment container.')
param deploymentContainerName string

@description('Name of the customer queue; its poison queue is "<name>-poison".')
param customerQueueName string

@description('Name of the bulk replay queue (issue 31).')
param replayQueueName string

@description('Name of the status table.')
param statusTableName string

@description('Name of the customer links table.')
param linkTableName string

@description('Name of the operations index and replay jobs table (issue 31).')
param operationsTableName string

@description('Name of the operator audit log table (issue 31).')
param operationsAuditTableName string

@description('Name of the callback outbox queue; its poison queue is "<name>-poison".')
param callbackQueueName string

@description('Name of the shop write-back queue; its poison queue is "<name>-poison".')
param writeBackQueueName string

@description('Name of the backfill queue; its poison queue is "<name>-poison".')
param backfillQueueName string

@description('Name of the callback endpoints table.')
param callbackEndpointsTableName string

@description('Name of the backfill jobs table.')
param backfillTableName string

@description('Name of the F&O data events queue (issue 29).')
param foEventsQueueName string

@description('Name of the F&O data event IDs table (issue 29).')
param foEventsTableName string

@description('Name of the Key Vault.')
param keyVaultName string

@description('Name of the Key Vault secret that holds the D365 client secret.')
param secretName string

@description('Grant the identity read access to the secret. The secret must exist: a role assignment cannot be scoped to a secret that is not there yet.')
param grantSecretAccess bool

@description('Name of the correlation-ID key secret (written by the keyvault module on the first deployment, so it exists).')
param correlationKeySecretName string

@description('Names of further Key Vault secrets the identity reads (webhook secrets, shop Admin API tokens); each must exist already.')
param shopSecretNames array = []

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('Fallback: also grant Storage Blob Data Owner on the whole storage account, the Functions documentation\'s minimum for host storage, in case the host needs more than its two containers.')
param hostBlobAccessAccountWide bool

@description('Object ID of the operator (user or group) who sets and rotates the client secret. Empty: no assignment.')
param operatorPrincipalId string

@description('Kind of principal operatorPrincipalId is.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param operatorPrincipalType string

// Built-in role definition IDs (the same in every tenant). Each assignment below names its role.
// Storage Blob Data Contributor    ba92f5b4-2d11-453d-a403-e96b0029c9fe
// Storage Blob Data Owner          b7e6dc6d-f1e8-4753-8033-0f276bb0955b (fallback only)
// Storage Queue Data Reader        19e7f393-937e-4f77-808e-94535e297925
// Storage Queue Data Msg Processor 8a0f0c08-91a1-4084-bc3d-661d67233fed
// Storage Queue Data Msg Sender    c6a89b2d-59bc-44d0-9896-0f6e12d7b80a
// Storage Table Data Contributor   0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3
// Key Vault Secrets User           4633458b-17de-408a-b874-0445c86b69e6
// Key Vault Secrets Officer        b86a8fe4-44ce-4948-aee5-eccb2c155cd7
// Monitoring Metrics Publisher     3913510d-42f4-4e42-8a64-420c390055eb

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

var principalId = identity.properties.principalId

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource deploymentContainer 'containers' existing = {
      name: deploymentContainerName
    }

    resource hostsContainer 'containers' existing = {
      name: 'azure-webjobs-hosts'
    }

    resource secretsContainer 'containers' existing = {
      name: 'azure-webjobs-secrets'
    }
  }

  resource queueService 'queueServices' existing = {
    name: 'default'

    resource customerQueue 'queues' existing = {
      name: customerQueueName
    }

    resource poisonQueue 'queues' existing = {
      name: '${customerQueueName}-poison'
    }

    resource replayQueue 'queues' existing = {
      name: replayQueueName
    }

    resource callbackQueue 'queues' existing = {
      name: callbackQueueName
    }

    resource callbackQueuePoison 'queues' existing = {
      name: '${callbackQueueName}-poison'
    }

    resource writeBackQueue 'queues' existing = {
      name: writeBackQueueName
    }

    resource writeBackQueuePoison 'queues' existing = {
      name: '${writeBackQueueName}-poison'
    }

    resource backfillQueue 'queues' existing = {
      name: backfillQueueName
    }

    resource backfillQueuePoison 'queues' existing = {
      name: '${backfillQueueName}-poison'
    }

    resource foEventsQueue 'queues' existing = {
      name: foEventsQueueName
    }

    resource foEventsQueuePoison 'queues' existing = {
      name: '${foEventsQueueName}-poison'
    }
  }

  resource tableService 'tableServices' existing = {
    name: 'default'

    resource statusTable 'tables' existing = {
      name: statusTableName
    }

    resource linkTable 'tables' existing = {
      name: linkTableName
    }

    resource operationsTable 'tables' existing = {
      name: operationsTableName
    }

    resource operationsAuditTable 'tables' existing = {
      name: operationsAuditTableName
    }

    resource callbackEndpointsTable 'tables' existing = {
      name: callbackEndpointsTableName
    }

    resource backfillTable 'tables' existing = {
      name: backfillTableName
    }

    resource foEventsTable 'tables' existing = {
      name: foEventsTableName
    }
  }
}

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' existing = {
  name: keyVaultName

  resource secret 'secrets' existing = {
    name: secretName
  }

  resource correlationKey 'secrets' existing = {
    name: correlationKeySecretName
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// ---- Blob: Flex Consumption reads (and, on deployment, writes) the app package here.
resource deploymentContainerBlobContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::blobService::deploymentContainer.id, identity.id, 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')
  scope: storage::blobService::deploymentContainer
  properties: {
    description: 'Storage Blob Data Contributor: Flex Consumption app package.'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')
  }
}

// ---- Blob: the Functions host's locks and host ID.
resource hostsContainerBlobContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::blobService::hostsContainer.id, identity.id, 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')
  scope: storage::blobService::hostsContainer
  properties: {
    description: 'Storage Blob Data Contributor: Functions host locks and host ID (azure-webjobs-hosts).'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')
  }
}

// ---- Blob: the function keys that POS and e-commerce callers use.
resource secretsContainerBlobContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::blobService::secretsContainer.id, identity.id, 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')
  scope: storage::blobService::secretsContainer
  properties: {
    description: 'Storage Blob Data Contributor: Functions host keys (azure-webjobs-secrets).'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')
  }
}

// ---- Blob, fallback (off by default): the whole account, as the Functions documentation's minimum.
resource accountBlobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (hostBlobAccessAccountWide) {
  name: guid(storage.id, identity.id, 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b')
  scope: storage
  properties: {
    description: 'Storage Blob Data Owner: fallback for the Functions host (hostBlobAccessAccountWide).'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b')
  }
}

// ---- Queue: the intake, the worker (retries with a delay), the reconciler and the operator replay
// send; the queue trigger receives and deletes. Reader + Message Processor is what a queue trigger
// needs (Reader also covers the queue's approximate message count, the QueueDepth metric); Message
// Sender what sending needs. Queues are created by this template, so the app never needs to create
// one (no Queue Data Contributor).
resource customerQueueReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::queueService::customerQueue.id, identity.id, '19e7f393-937e-4f77-808e-94535e297925')
  scope: storage::queueService::customerQueue
  properties: {
    description: 'Storage Queue Data Reader: queue trigger on the customer queue; its QueueDepth.'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '19e7f393-937e-4f77-808e-94535e297925')
  }
}

resource customerQueueProcessor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::queueService::customerQueue.id, identity.id, '8a0f0c08-91a1-4084-bc3d-661d67233fed')
  scope: storage::queueService::customerQueue
  properties: {
    description: 'Storage Queue Data Message Processor: queue trigger on the customer queue.'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '8a0f0c08-91a1-4084-bc3d-661d67233fed')
  }
}

resource customerQueueSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::queueService::customerQueue.id, identity.id, 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a')
  scope: storage::queueService::customerQueue
  properties: {
    description: 'Storage Queue Data Message Sender: accepted requests, delayed retries, reconciler and replay.'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a')
  }
}

// ---- Queue: nothing consumes the poison queue (no trigger, no Message Processor). The app puts a
// request's message there when it runs out of retries; the host moves one there after
// maxDequeueCount failed deliveries. Reader: its approximate message count (QueueDepth) and peeking.
resource poisonQueueReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::queueService::poisonQueue.id, identity.id, '19e7f393-937e-4f77-808e-94535e297925')
  scope: storage::queueService::poisonQueue
  properties: {
    description: 'Storage Queue Data Reader: poison queue depth (QueueDepth) and peeking.'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '19e7f393-937e-4f77-808e-94535e297925')
  }
}

resource poisonQueueSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::queueService::poisonQueue.id, identity.id, 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a')
  scope: storage::queueService::poisonQueue
  properties: {
    description: 'Storage Queue Data Message Sender: the app keeps an exhausted request here; the host moves one here after maxDequeueCount.'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a')
  }
}

// ---- Table: status records, which are also the Idempotency-Key claims (entities only; the table is created here).
resource statusTableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::tableService::statusTable.id, identity.id, '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3')
  scope: storage::tableService::statusTable
  properties: {
    description: 'Storage Table Data Contributor: status table.'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3')
  }
}

// ---- Table: customer links and the update state (issue 17; entities only).
resource linkTableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::tableService::linkTable.id, identity.id, '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3')
  scope: storage::tableService::linkTable
  properties: {
    description: 'Storage Table Data Contributor: customer links table.'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3')
  }
}

// ---- Table: the operations index and bulk replay jobs, and the operator audit log (issue 31; entities only).
resource operationsTableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::tableService::operationsTable.id, identity.id, '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3')
  scope: storage::tableService::operationsTable
  properties: {
    description: 'Storage Table Data Contributor: operations index and replay jobs table.'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3')
  }
}

resource operationsAuditTableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::tableService::operationsAuditTable.id, identity.id, '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3')
  scope: storage::tableService::operationsAuditTable
  properties: {
    description: 'Storage Table Data Contributor: operator audit log table.'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3')
  }
}

// ---- Key Vault: read the one secret (all its versions), nothing else in the vault.
resource secretUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantSecretAccess) {
  name: guid(vault::secret.id, identity.id, '4633458b-17de-408a-b874-0445c86b69e6')
  scope: vault::secret
  properties: {
    description: 'Key Vault Secrets User: the D365 client secret only.'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')
  }
}

// ---- Key Vault: read the correlation-ID key (all its versions: the app takes the oldest enabled one).
resource correlationKeyUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault::correlationKey.id, identity.id, '4633458b-17de-408a-b874-0445c86b69e6')
  scope: vault::correlationKey
  properties: {
    description: 'Key Vault Secrets User: the correlation-ID key only.'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')
  }
}

// ---- Key Vault: read each shop secret (webhook secrets, Admin API tokens), each assignment on that secret only.
resource shopSecrets 'Microsoft.KeyVault/vaults/secrets@2025-05-01' existing = [for name in shopSecretNames: {
  parent: vault
  name: name
}]

resource shopSecretUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (name, i) in shopSecretNames: {
  name: guid(shopSecrets[i].id, identity.id, '4633458b-17de-408a-b874-0445c86b69e6')
  scope: shopSecrets[i]
  properties: {
    description: 'Key Vault Secrets User: one shop secret (webhook secret or Admin API token).'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')
  }
}]

// ---- Application Insights: send telemetry with an Entra ID token (local auth is disabled).
resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, identity.id, '3913510d-42f4-4e42-8a64-420c390055eb')
  scope: applicationInsights
  properties: {
    description: 'Monitoring Metrics Publisher: telemetry to Application Insights with Entra ID auth.'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '3913510d-42f4-4e42-8a64-420c390055eb')
  }
}

// ---- Operator: set and rotate secrets in this vault (optional).
resource operatorSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorPrincipalId)) {
  name: guid(vault.id, operatorPrincipalId, 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7')
  scope: vault
  properties: {
    description: 'Key Vault Secrets Officer: the operator sets and rotates the D365 client secret.'
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7')
  }
}

// ---- Queue: bulk replay ticks (issue 31). The replay function's trigger (Reader + Processor); the
// operations routes, the replay function itself (the next tick) and the reconciler send.
resource replayQueueReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::queueService::replayQueue.id, identity.id, '19e7f393-937e-4f77-808e-94535e297925')
  scope: storage::queueService::replayQueue
  properties: {
    description: 'Storage Queue Data Reader: queue trigger on the bulk replay queue.'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '19e7f393-937e-4f77-808e-94535e297925')
  }
}

resource replayQueueProcessor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::queueService::replayQueue.id, identity.id, '8a0f0c08-91a1-4084-bc3d-661d67233fed')
  scope: storage::queueService::replayQueue
  properties: {
    description: 'Storage Queue Data Message Processor: queue trigger on the bulk replay queue.'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '8a0f0c08-91a1-4084-bc3d-661d67233fed')
  }
}

resource replayQueueSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::queueService::replayQueue.id, identity.id, 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a')
  scope: storage::queueService::replayQueue
  properties: {
    description: 'Storage Queue Data Message Sender: a replay job\'s ticks (start, next tick, the reconciler).'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a')
  }
}

// ---- Queues of the steps beside the worker: result callbacks, the shop write-back (issue 28) and the
// backfill (issue 30). Each: its trigger (Reader + Processor), the app sends (Sender); the host moves a
// message that failed maxDequeueCount times to its poison queue (Sender there).
resource callbackQueueReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::queueService::callbackQueue.id, identity.id, '19e7f393-937e-4f77-808e-94535e297925')
  scope: storage::queueService::callbackQueue
  properties: {
    description: 'Storage Queue Data Reader: queue trigger on the callback outbox (deliverCallbacks).'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '19e7f393-937e-4f77-808e-94535e297925')
  }
}

resource callbackQueueProcessor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::queueService::callbackQueue.id, identity.id, '8a0f0c08-91a1-4084-bc3d-661d67233fed')
  scope: storage::queueService::callbackQueue
  properties: {
    description: 'Storage Queue Data Message Processor: queue trigger on the callback outbox (deliverCallbacks).'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '8a0f0c08-91a1-4084-bc3d-661d67233fed')
  }
}

resource callbackQueueSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::queueService::callbackQueue.id, identity.id, 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a')
  scope: storage::queueService::callbackQueue
  properties: {
    description: 'Storage Queue Data Message Sender: result events (the outbox) and their delayed retries.'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a')
  }
}

resource callbackQueuePoisonSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::queueService::callbackQueuePoison.id, identity.id, 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a')
  scope: storage::queueService::callbackQueuePoison
  properties: {
    description: 'Storage Queue Data Message Sender: the host moves a message that failed maxDequeueCount times here (the callback outbox queue).'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a')
  }
}

resource writeBackQueueReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::queueService::writeBackQueue.id, identity.id, '19e7f393-937e-4f77-808e-94535e297925')
  scope: storage::queueService::writeBackQueue
  properties: {
    description: 'Storage Queue Data Reader: queue trigger on the shop write-back queue (writeBackAccount).'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '19e7f393-937e-4f77-808e-94535e297925')
  }
}

resource writeBackQueueProcessor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::queueService::writeBackQueue.id, identity.id, '8a0f0c08-91a1-4084-bc3d-661d67233fed')
  scope: storage::queueService::writeBackQueue
  properties: {
    description: 'Storage Queue Data Message Processor: queue trigger on the shop write-back queue (writeBackAccount).'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '8a0f0c08-91a1-4084-bc3d-661d67233fed')
  }
}

resource writeBackQueueSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::queueService::writeBackQueue.id, identity.id, 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a')
  scope: storage::queueService::writeBackQueue
  properties: {
    description: 'Storage Queue Data Message Sender: write-backs (a create that succeeded, a verified link, an operator retry), their delayed retries and the reconciler.'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a')
  }
}

resource writeBackQueuePoisonSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::queueService::writeBackQueuePoison.id, identity.id, 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a')
  scope: storage::queueService::writeBackQueuePoison
  properties: {
    description: 'Storage Queue Data Message Sender: the host moves a message that failed maxDequeueCount times here (the shop write-back queue).'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a')
  }
}

resource backfillQueueReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::queueService::backfillQueue.id, identity.id, '19e7f393-937e-4f77-808e-94535e297925')
  scope: storage::queueService::backfillQueue
  properties: {
    description: 'Storage Queue Data Reader: queue trigger on the backfill queue (backfillPage).'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '19e7f393-937e-4f77-808e-94535e297925')
  }
}

resource backfillQueueProcessor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::queueService::backfillQueue.id, identity.id, '8a0f0c08-91a1-4084-bc3d-661d67233fed')
  scope: storage::queueService::backfillQueue
  properties: {
    description: 'Storage Queue Data Message Processor: queue trigger on the backfill queue (backfillPage).'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '8a0f0c08-91a1-4084-bc3d-661d67233fed')
  }
}

resource backfillQueueSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::queueService::backfillQueue.id, identity.id, 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a')
  scope: storage::queueService::backfillQueue
  properties: {
    description: 'Storage Queue Data Message Sender: backfill pages (start, the next page, waits).'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a')
  }
}

resource backfillQueuePoisonSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::queueService::backfillQueuePoison.id, identity.id, 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a')
  scope: storage::queueService::backfillQueuePoison
  properties: {
    description: 'Storage Queue Data Message Sender: the host moves a message that failed maxDequeueCount times here (the backfill queue).'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a')
  }
}

// ---- Tables: disabled callback endpoints (410 Gone) and backfill jobs (issue 30; entities only).
resource callbackEndpointsTableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::tableService::callbackEndpointsTable.id, identity.id, '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3')
  scope: storage::tableService::callbackEndpointsTable
  properties: {
    description: 'Storage Table Data Contributor: callback endpoints table.'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3')
  }
}

resource backfillTableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::tableService::backfillTable.id, identity.id, '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3')
  scope: storage::tableService::backfillTable
  properties: {
    description: 'Storage Table Data Contributor: backfill jobs table.'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3')
  }
}

// ---- F&O data events (issue 29): the intake queues each event once (its ID in the table); the
// applyFoEvent trigger (Reader + Processor) writes it to the shop; the host moves a poisoned one.
resource foEventsQueueReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::queueService::foEventsQueue.id, identity.id, '19e7f393-937e-4f77-808e-94535e297925')
  scope: storage::queueService::foEventsQueue
  properties: {
    description: 'Storage Queue Data Reader: queue trigger on the F&O data events queue (applyFoEvent).'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '19e7f393-937e-4f77-808e-94535e297925')
  }
}

resource foEventsQueueProcessor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::queueService::foEventsQueue.id, identity.id, '8a0f0c08-91a1-4084-bc3d-661d67233fed')
  scope: storage::queueService::foEventsQueue
  properties: {
    description: 'Storage Queue Data Message Processor: queue trigger on the F&O data events queue (applyFoEvent).'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '8a0f0c08-91a1-4084-bc3d-661d67233fed')
  }
}

resource foEventsQueuePoisonSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::queueService::foEventsQueuePoison.id, identity.id, 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a')
  scope: storage::queueService::foEventsQueuePoison
  properties: {
    description: 'Storage Queue Data Message Sender: the host moves a message that failed maxDequeueCount times here (the F&O data events queue).'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a')
  }
}

resource foEventsQueueSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::queueService::foEventsQueue.id, identity.id, 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a')
  scope: storage::queueService::foEventsQueue
  properties: {
    description: 'Storage Queue Data Message Sender: F&O data events taken in (foDataEvents).'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a')
  }
}

resource foEventsTableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::tableService::foEventsTable.id, identity.id, '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3')
  scope: storage::tableService::foEventsTable
  properties: {
    description: 'Storage Table Data Contributor: F&O data event IDs taken in (foDataEvents).'
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3')
  }
}
