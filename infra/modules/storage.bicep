metadata description = 'Storage account for the Functions host and the app: no shared keys, TLS 1.2+, the customer queue and its poison queue, the status table, the host containers and the Flex Consumption deployment container. Resource logs go to the workspace.'

@description('Name of the storage account (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Region of the account.')
param location string

@description('Tags for the account.')
param tags object

@description('Replication of the account.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
  'Standard_RAGRS'
  'Standard_RAGZRS'
])
param skuName string

@description('Queue that carries accepted requests (CUSTOMER_QUEUE_NAME). Its poison queue is "<name>-poison": the app puts a request\'s message there when it runs out of retries, and keeps it for replay.')
param customerQueueName string

@description('Table with one status record per correlation ID (STATUS_TABLE_NAME); it also holds Idempotency-Key claims.')
param statusTableName string

@description('Table of customer links and the update state (LINK_TABLE_NAME, issue 17).')
param linkTableName string

@description('Table of the operations index and bulk replay jobs (OPERATIONS_TABLE_NAME, issue 31).')
param operationsTableName string

@description('Table of the operator audit log (OPERATIONS_AUDIT_TABLE_NAME, issue 31).')
param operationsAuditTableName string

@description('The callback outbox queue (CALLBACK_QUEUE_NAME): result events wait here until their callback URL took them; the host moves a message to "<name>-poison" only when storage failed it maxDequeueCount times.')
param callbackQueueName string

@description('The bulk replay queue (REPLAY_QUEUE_NAME, issue 31): one message per tick of a replay job; "<name>-poison" holds a tick the host failed maxDequeueCount times (the reconciler sends the job a new one).')
param replayQueueName string

@description('The shop write-back queue (WRITE_BACK_QUEUE_NAME, issue 28): a shop customer that succeeded waits here until its D365 account is written to the shop.')
param writeBackQueueName string

@description('The backfill queue (BACKFILL_QUEUE_NAME, issue 30): one message per page of a shop\'s customers being loaded into D365.')
param backfillQueueName string

@description('Table of backfill jobs (BACKFILL_TABLE_NAME, issue 30).')
param backfillTableName string

@description('The F&O data events queue (FO_EVENTS_QUEUE_NAME, issue 29): D365 customer changes waiting for the shop update.')
param foEventsQueueName string

@description('Table of the F&O data event IDs taken in (FO_EVENTS_TABLE_NAME, issue 29).')
param foEventsTableName string

@description('Table of callback URLs disabled after a 410 Gone (CALLBACK_ENDPOINTS_TABLE_NAME).')
param callbackEndpointsTableName string

@description('Blob container Flex Consumption deploys the app package to.')
param deploymentContainerName string

@description('Resource ID of the Log Analytics workspace that receives the resource logs.')
param workspaceId string

// The Functions host keeps its locks and host ID in azure-webjobs-hosts and the function keys in
// azure-webjobs-secrets. They are created here so that the app's identity can be granted access to
// exactly these containers instead of the whole account.
var hostContainerNames = [
  'azure-webjobs-hosts'
  'azure-webjobs-secrets'
]

resource account 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    // Entra ID only: no account keys, no SAS signed with them, no connection strings.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    encryption: {
      keySource: 'Microsoft.Storage'
      requireInfrastructureEncryption: false
      services: {
        blob: {
          enabled: true
        }
        file: {
          enabled: true
        }
        queue: {
          enabled: true
          keyType: 'Account'
        }
        table: {
          enabled: true
          keyType: 'Account'
        }
      }
    }
  }

  resource blobService 'blobServices' = {
    name: 'default'
    properties: {
      deleteRetentionPolicy: {
        enabled: true
        days: 7
      }
      containerDeleteRetentionPolicy: {
        enabled: true
        days: 7
      }
    }

    resource deploymentContainer 'containers' = {
      name: deploymentContainerName
      properties: {
        publicAccess: 'None'
      }
    }

    resource hostContainers 'containers' = [
      for containerName in hostContainerNames: {
        name: containerName
        properties: {
          publicAccess: 'None'
        }
      }
    ]
  }

  resource queueService 'queueServices' = {
    name: 'default'

    resource customerQueue 'queues' = {
      name: customerQueueName
    }

    // Nothing consumes it: the app puts a request's message here when it runs out of retries (time to live:
    // RECORD_RETENTION_DAYS, the retention of the status records), and the host moves a message here after
    // maxDequeueCount failed deliveries. Operators replay from the status record
    // (POST /api/customers/status/{id}/retry) while it is kept.
    resource poisonQueue 'queues' = {
      name: '${customerQueueName}-poison'
    }

    resource callbackQueue 'queues' = {
      name: callbackQueueName
    }

    resource callbackPoisonQueue 'queues' = {
      name: '${callbackQueueName}-poison'
    }

    resource replayQueue 'queues' = {
      name: replayQueueName
    }

    resource replayPoisonQueue 'queues' = {
      name: '${replayQueueName}-poison'
    }

    resource writeBackQueue 'queues' = {
      name: writeBackQueueName
    }

    resource writeBackPoisonQueue 'queues' = {
      name: '${writeBackQueueName}-poison'
    }

    resource backfillQueue 'queues' = {
      name: backfillQueueName
    }

    resource backfillPoisonQueue 'queues' = {
      name: '${backfillQueueName}-poison'
    }

    resource foEventsQueue 'queues' = {
      name: foEventsQueueName
    }

    resource foEventsPoisonQueue 'queues' = {
      name: '${foEventsQueueName}-poison'
    }
  }

  resource tableService 'tableServices' = {
    name: 'default'

    resource statusTable 'tables' = {
      name: statusTableName
    }

    resource linkTable 'tables' = {
      name: linkTableName
    }

    resource operationsTable 'tables' = {
      name: operationsTableName
    }

    resource operationsAuditTable 'tables' = {
      name: operationsAuditTableName
    }

    resource callbackEndpointsTable 'tables' = {
      name: callbackEndpointsTableName
    }

    resource backfillTable 'tables' = {
      name: backfillTableName
    }

    resource foEventsTable 'tables' = {
      name: foEventsTableName
    }
  }
}

// Account-level capacity and transaction metrics.
resource accountDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: account
  properties: {
    workspaceId: workspaceId
    metrics: [
      {
        category: 'Transaction'
        enabled: true
      }
    ]
  }
}

// Writes and deletes only: reads (the host's queue polling, lease checks) would dominate the volume
// and the cost without telling an operator anything. The poison-queue alert and the workbook read
// PutMessage and DeleteMessage operations on the poison queue from StorageQueueLogs.
var writeAndDeleteLogs = [
  {
    category: 'StorageWrite'
    enabled: true
  }
  {
    category: 'StorageDelete'
    enabled: true
  }
]

resource blobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: account::blobService
  properties: {
    workspaceId: workspaceId
    logs: writeAndDeleteLogs
  }
}

resource queueDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: account::queueService
  properties: {
    workspaceId: workspaceId
    logs: writeAndDeleteLogs
  }
}

resource tableDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: account::tableService
  properties: {
    workspaceId: workspaceId
    logs: writeAndDeleteLogs
  }
}

@description('Resource ID of the storage account.')
output id string = account.id

@description('Name of the storage account.')
output name string = account.name

@description('Name of the poison queue.')
output poisonQueueName string = account::queueService::poisonQueue.name
