metadata description = 'The user-assigned managed identity the function app uses for everything: host storage, queues, tables, the deployment container, Key Vault and Application Insights.'

@description('Name of the user-assigned managed identity.')
param name string

@description('Region of the identity.')
param location string

@description('Tags for the identity.')
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

@description('Resource ID of the identity.')
output id string = identity.id

@description('Name of the identity.')
output name string = identity.name

@description('Client (application) ID: AZURE_CLIENT_ID, AzureWebJobsStorage__clientId and the Application Insights authentication string.')
output clientId string = identity.properties.clientId

@description('Object (principal) ID: the principal of every role assignment.')
output principalId string = identity.properties.principalId
