metadata description = 'F&O data events through Azure Event Grid (issue 29, FO_EVENTS_DELIVERY=eventGrid): the custom topic F&O\'s "Azure Event Grid" business events endpoint publishes to, its access key in Key Vault for F&O to read, and (once the function is deployed) the subscription that calls the foEventGrid function.'

@description('Name of the Event Grid custom topic.')
param name string

param location string
param tags object

@description('Name of the Key Vault the topic key is kept in (F&O\'s endpoint reads it from there).')
param keyVaultName string

@description('Name of the Key Vault secret holding the topic\'s access key.')
param topicKeySecretName string

@description('Object ID of the service principal of F&O\'s Entra ID application for business events (the one its endpoint uses to read Key Vault). Empty: no role assignment (give it Key Vault Secrets User on the secret yourself).')
param foKeyVaultReaderPrincipalId string = ''

@description('Name of the function app.')
param functionAppName string

@description('Add the event subscription to the foEventGrid function. An AzureFunction destination must exist when the subscription is made, so this is false until the app was deployed once with FO_EVENTS_DELIVERY=eventGrid (docs/deploy.md).')
param subscribeFunction bool

// Microsoft Learn, "Business events and Azure Event Grid": F&O publishes to a topic with its key, read
// from Key Vault. The Event Grid schema (F&O sends Event Grid events, not CloudEvents); F&O runs outside
// the customer's network, so the topic is public and takes the access key (local auth).
resource topic 'Microsoft.EventGrid/topics@2025-02-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    inputSchema: 'EventGridSchema'
    publicNetworkAccess: 'Enabled'
    disableLocalAuth: false
    minimumTlsVersionAllowed: '1.2'
  }
}

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' existing = {
  name: keyVaultName
}

// F&O's endpoint names the Key Vault and this secret; the key never leaves Azure Resource Manager.
resource topicKey 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = {
  parent: vault
  name: topicKeySecretName
  properties: {
    value: topic.listKeys().key1
    contentType: 'Event Grid topic access key (F&O business events endpoint)'
    attributes: {
      enabled: true
    }
  }
}

// Key Vault Secrets User (4633458b-17de-408a-b874-0445c86b69e6) on this one secret, for F&O's application.
resource foReadsTopicKey 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(foKeyVaultReaderPrincipalId)) {
  name: guid(topicKey.id, foKeyVaultReaderPrincipalId, '4633458b-17de-408a-b874-0445c86b69e6')
  scope: topicKey
  properties: {
    description: 'Key Vault Secrets User: F&O reads the Event Grid topic key for its business events endpoint.'
    principalId: foKeyVaultReaderPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      '4633458b-17de-408a-b874-0445c86b69e6'
    )
  }
}

resource site 'Microsoft.Web/sites@2025-03-01' existing = {
  name: functionAppName
}

// Endpoint type AzureFunction: Event Grid calls the function's webhook with its system key itself (no
// validation handshake to answer); one event per delivery, retried with back-off for up to 24 hours
// (Microsoft Learn, "Azure Event Grid trigger for Azure Functions", "Event Grid message delivery and retry").
resource subscription 'Microsoft.EventGrid/topics/eventSubscriptions@2025-02-15' = if (subscribeFunction) {
  parent: topic
  name: 'fo-events-to-function'
  properties: {
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: '${site.id}/functions/foEventGrid'
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}

@description('The topic endpoint F&O\'s Azure Event Grid endpoint publishes to.')
output endpoint string = topic.properties.endpoint
