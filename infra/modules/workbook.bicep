metadata description = 'Azure Monitor workbook "D365 customer sync", stored with the Application Insights component so it opens from its Workbooks blade. The workbook JSON is infra/workbooks/customer-sync.workbook.json with resource placeholders filled in here.'

@description('Region of the workbook.')
param location string

@description('Tags for the workbook.')
param tags object

@description('Resource ID of the Application Insights component the workbook belongs to and queries.')
param applicationInsightsId string

@description('Resource ID of the Log Analytics workspace (storage queue logs).')
param workspaceId string

@description('Name of the storage account.')
param storageAccountName string

@description('Name of the poison queue.')
param poisonQueueName string

@description('RECORD_RETENTION_DAYS: days status records and poison messages are kept (shown in chart titles).')
param recordRetentionDays int

@description('LINK_RETENTION_DAYS: days a customer link is kept unchanged (shown in the retention chart title).')
param linkRetentionDays int

@description('The operator console page (`https://<app>/api/console`): tables link to it filtered (`?status=failed&errorCode=…`).')
param consoleUrl string

var queueServiceId = '${resourceId('Microsoft.Storage/storageAccounts', storageAccountName)}/queueServices/default'

var placeholders = {
  __APP_INSIGHTS_ID__: applicationInsightsId
  __WORKSPACE_ID__: workspaceId
  __STORAGE_ACCOUNT__: storageAccountName
  __POISON_QUEUE__: poisonQueueName
  __QUEUE_SERVICE_ID__: queueServiceId
  __RETENTION_DAYS__: string(recordRetentionDays)
  __LINK_RETENTION_DAYS__: string(linkRetentionDays)
  __CONSOLE_URL__: consoleUrl
}

// Every placeholder of the workbook JSON replaced by its value, one after the other.
var serializedData = reduce(
  items(placeholders),
  loadTextContent('../workbooks/customer-sync.workbook.json'),
  (text, placeholder) => replace(string(text), placeholder.key, placeholder.value)
)

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // A workbook's name must be a GUID; this one is stable for the resource group.
  name: guid(resourceGroup().id, 'd365-customer-sync-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'D365 customer sync'
    category: 'workbook'
    sourceId: applicationInsightsId
    version: 'Notebook/1.0'
    serializedData: serializedData
  }
}

@description('Resource ID of the workbook.')
output id string = workbook.id
