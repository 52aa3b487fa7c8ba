metadata description = 'Key Vault (Azure RBAC authorisation, soft delete, purge protection) that holds the D365 app registration\'s client secret. The secret is written only when a value is supplied, so a later deployment without it never overwrites a secret an operator set or rotated.'

@description('Name of the vault (3-24 letters, digits and hyphens).')
@minLength(3)
@maxLength(24)
param name string

@description('Region of the vault.')
param location string

@description('Tags for the vault.')
param tags object

@description('Days a deleted vault or secret can be recovered (7-90). It cannot be changed after the vault is created.')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int

@description('Name of the secret that holds the D365 client secret (D365_CLIENT_SECRET_NAME).')
param secretName string

@secure()
@description('The D365 client secret. Empty: leave the secret as it is (or absent).')
param secretValue string

@description('Name of the correlation-ID key secret (CORRELATION_KEY_SECRET_NAME, issue 24).')
param correlationKeySecretName string

@secure()
@description('The correlation-ID key to write. Empty: leave the secret as it is (written by the first deployment; CORRELATION_KEY_IN_VAULT).')
param correlationKeyValue string

@description('Resource ID of the Log Analytics workspace that receives the audit logs.')
param workspaceId string

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    // Access is granted with Azure role assignments (see rbac.bicep), never with access policies.
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    // Once on, purge protection cannot be turned off: a deleted vault or secret stays recoverable
    // for the whole retention period.
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource secret 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = if (!empty(secretValue)) {
  parent: vault
  name: secretName
  properties: {
    value: secretValue
    contentType: 'D365 app registration client secret'
    attributes: {
      enabled: true
    }
  }
}

// Written once, by the first deployment (main.bicep passes no value once CORRELATION_KEY_IN_VAULT is
// true): a new version would change every keyed correlation ID. A version written by mistake
// changes nothing either: the app uses the secret's oldest enabled version (docs/deploy.md).
resource correlationKey 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = if (!empty(correlationKeyValue)) {
  parent: vault
  name: correlationKeySecretName
  properties: {
    value: correlationKeyValue
    contentType: 'correlation-ID key: written once, never rotate under a running fleet'
    attributes: {
      enabled: true
    }
  }
}

resource vaultDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: vault
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        category: 'AuditEvent'
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

@description('Resource ID of the vault.')
output id string = vault.id

@description('Name of the vault.')
output name string = vault.name

@description('Vault URI (KEY_VAULT_URL).')
output uri string = vault.properties.vaultUri
