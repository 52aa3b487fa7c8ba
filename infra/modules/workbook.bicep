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

var queueServiceId = '${resourceId('Microsoft.Storage/storageAccounts', storageAccountName)}/queueServices/default'

var serializedData = replace(
  replace(
    replace(
      replace(
        replace(
          replace(loadTextContent('../workbooks/customer-sync.workbook.json'), '__APP_INSIGHTS_ID__', applicationInsightsId),
          '__WORKSPACE_ID__',
          workspaceId
        ),
        '__STORAGE_ACCOUNT__',
        storageAccountName
      ),
      '__POISON_QUEUE__',
      poisonQueueName
    ),
    '__QUEUE_SERVICE_ID__',
    queueServiceId
  ),
  '__RETENTION_DAYS__',
  string(recordRetentionDays)
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
