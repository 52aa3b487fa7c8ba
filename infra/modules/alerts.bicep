metadata description = 'Log alert rules on the telemetry the app emits (custom events and the QueueDepth metric in Application Insights) and on the storage queue logs, plus an optional e-mail action group.'

@description('Region of the alert rules (the region of the resources they watch).')
param location string

@description('Tags for the alert rules and the action group.')
param tags object

@description('Suffix that makes the rule names unique.')
param resourceToken string

@description('Resource ID of the Application Insights component.')
param applicationInsightsId string

@description('Resource ID of the Log Analytics workspace (storage queue logs, and the Application Insights data in its AppEvents and AppMetrics tables).')
param workspaceId string

@description('Name of the storage account whose queue logs the poison alert reads.')
param storageAccountName string

@description('Name of the poison queue.')
param poisonQueueName string

@description('RECORD_RETENTION_DAYS: days a poison message and its status record are kept (named in the poison alert).')
param recordRetentionDays int

@description('PRIVACY_DUE_ALERT_DAYS: the app counts an open privacy request due within this many days as due soon (named in the privacy-due alert).')
param privacyDueAlertDays int

@description('Resource ID of an existing action group to notify. Empty: use the one created from alertEmailAddress, or none.')
param actionGroupResourceId string

@description('E-mail address for a new action group, used when actionGroupResourceId is empty. Empty: no action group is created.')
param alertEmailAddress string

@description('Turn the rules on (false: they exist but do not evaluate).')
param alertsEnabled bool

@description('Failed creations, in percent of finished requests (succeeded + failed) over 15 minutes, above which to alert.')
@minValue(1)
@maxValue(100)
param failedRateThresholdPercent int

@description('Minimum finished requests in the 15 minutes before the failure rate is judged (avoids alerts on 1 of 2).')
@minValue(1)
param failedRateMinimumRequests int

@description('95th percentile of accept-to-created latency (endToEndMs, ms) over 15 minutes above which to alert.')
@minValue(1000)
param endToEndLatencyP95ThresholdMs int

@description('Failed function executions (not 4xx answers) in 15 minutes above which to alert.')
@minValue(0)
param functionErrorsThreshold int

@description('D365Throttled events per 5 minutes above which a 5-minute window counts as throttled.')
@minValue(0)
param throttledEventsPer5MinutesThreshold int

@description('Consecutive throttled 5-minute windows that make throttling "sustained".')
@minValue(1)
@maxValue(6)
param throttlingSustainedWindows int

@description('Shop customers one F&O safety-net run may repair before it alerts (issue 29).')
@minValue(0)
param foSafetyNetRepairedThreshold int

@description('The operator console page (`https://<app>/api/console`): each alert links to it filtered, in its description and in the notification (custom property `operatorConsole`).')
param consoleUrl string

var createActionGroup = empty(actionGroupResourceId) && !empty(alertEmailAddress)

// Where each alert sends the operator: the console, filtered to what the alert is about (docs/operations.md).
var consoleLinks = {
  poison: '${consoleUrl}?status=failed&errorCode=retries_exhausted'
  failed: '${consoleUrl}?status=failed'
  retrying: '${consoleUrl}?status=retrying'
}

resource emailActionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (createActionGroup) {
  name: 'ag-d365sync-${resourceToken}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'd365sync'
    enabled: true
    emailReceivers: [
      {
        name: 'operators'
        emailAddress: alertEmailAddress
        useCommonAlertSchema: true
      }
    ]
  }
}

var actionGroups = !empty(actionGroupResourceId)
  ? [actionGroupResourceId]
  : (createActionGroup ? [emailActionGroup.id] : [])

// Queries run over the rule's window; the tables they read may not exist until the first
// telemetry arrives, so query validation at creation is skipped.

// Fires on every new arrival in the poison queue, not on its depth: messages stay there for replay
// (time to live RECORD_RETENTION_DAYS, nothing consumes them), so "depth > 0" would keep the alert
// fired for weeks and hide the next arrival. Three sources, any one is enough:
// - CustomerPoisoned: the app put a request that ran out of retries there;
// - the poison queue's QueueDepth (reported by the reconciler every minute) went up: also catches
//   a message the Functions host moved there after maxDequeueCount failed deliveries;
// - a PutMessage on the poison queue in the storage logs (the same, without the app).
// It runs on the workspace, where Application Insights keeps customEvents as AppEvents and
// customMetrics as AppMetrics (customDimensions is Properties there).
var poisonQuery = replace(
  replace(
    '''
union isfuzzy=true
  (AppEvents
    | where Name == 'CustomerPoisoned'
    | project TimeGenerated, Source = 'CustomerPoisoned event'),
  (AppMetrics
    | where Name == 'QueueDepth' and tostring(Properties.queue) endswith '-poison'
    | summarize Depth = max(Max) by TimeGenerated = bin(TimeGenerated, 1m)
    | order by TimeGenerated asc
    | extend Rise = Depth - prev(Depth)
    | where Rise > 0
    | project TimeGenerated, Source = 'QueueDepth rise'),
  (StorageQueueLogs
    | where AccountName == '__ACCOUNT__' and OperationName == 'PutMessage'
    | where Uri contains '/__POISON_QUEUE__/'
    | project TimeGenerated, Source = 'storage PutMessage')
''',
    '__ACCOUNT__',
    storageAccountName
  ),
  '__POISON_QUEUE__',
  poisonQueueName
)

// `duplicate` (DUPLICATE_POLICY=reject) is the policy the operator chose, not a malfunction: it counts
// as finished but not as failed. The workbook still shows it among the failure reasons.
var failedRateQuery = replace(
  '''
customEvents
| where name in ('CustomerSucceeded', 'CustomerFailed')
| extend reason = tostring(customDimensions.reason)
| summarize failed = countif(name == 'CustomerFailed' and reason != 'duplicate'), finished = count()
| where finished >= __MIN_FINISHED__
| extend failedPercent = 100.0 * failed / finished
| project failedPercent, failed, finished
''',
  '__MIN_FINISHED__',
  string(failedRateMinimumRequests)
)

var latencyQuery = '''
customEvents
| where name == 'CustomerSucceeded'
| extend endToEndMs = todouble(customMeasurements.endToEndMs)
| where isnotnull(endToEndMs)
| summarize p95EndToEndMs = percentile(endToEndMs, 95), succeeded = count()
'''

var functionErrorsQuery = '''
requests
| where success == false and not(resultCode startswith '4')
| project timestamp, operation_Name, resultCode
'''

var throttlingQuery = '''
customEvents
| where name == 'D365Throttled'
| project timestamp, retryAfterSeconds = todouble(customMeasurements.retryAfterSeconds)
'''

// Privacy requests (issue 27) are due 30 days after receipt. The hourly purgeRecords timer reports
// PrivacyRequestsDueSoon (due within PRIVACY_DUE_ALERT_DAYS) and PrivacyRequestsPastDue per type, 0
// included; the latest report of the window decides, so the alert resolves once they are done.
var privacyDueQuery = '''
customMetrics
| where name in ('PrivacyRequestsDueSoon', 'PrivacyRequestsPastDue')
| summarize arg_max(timestamp, value) by name, type = tostring(customDimensions.type)
| summarize due = sum(value)
'''

// A shop write-back (issue 28) that ended `failed` needs an operator (a new Admin API token, the
// customer back in the shop), then POST .../write-back/retry; the create itself stays succeeded.
var shopWriteBackFailedQuery = '''
customEvents
| where name == 'ShopWriteBackFailed'
| project timestamp, source = tostring(customDimensions.source), reason = tostring(customDimensions.reason)
'''

// Drift repair (issue 30): shop customers a run found without a link (or with a failed create) and
// sent through the intake; any at all means the shop's webhooks are being missed (a deleted
// subscription, a failing endpoint, deliveries given up after Shopify's retries).
var driftRepairFoundQuery = '''
customMetrics
| where name == 'DriftRepairFound'
| summarize found = sum(valueSum)
'''

// The F&O safety net (issue 29): the shop customers one run found different from D365 and repaired
// (the FoSafetyNetRun event's `repaired`); many in one run means D365's data events are being missed.
var foSafetyNetRepairedQuery = '''
customEvents
| where name == 'FoSafetyNetRun'
| summarize repaired = max(todouble(customMeasurements.repaired))
'''

var authFailureQuery = '''
customEvents
| where name == 'CustomerFailed'
| extend reason = tostring(customDimensions.reason)
| where reason in ('invalid_secret', 'not_registered', 'unauthorized', 'configuration')
| project timestamp, reason
'''

resource poisonAlert 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-poison-message-${resourceToken}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'D365 customer sync: message in the poison queue'
    description: 'A customer request landed in the poison queue (${poisonQueueName}): it ran out of retries and was not created in D365. Fix the cause, then replay it within ${recordRetentionDays} days, before purgeRecords deletes its status record (POST /api/customers/status/{correlationId}/retry with the master key, and with App Service Authentication a token holding the operator role). See docs/deploy.md, "Alerts". The requests, in the operator console: ${consoleLinks.poison}'
    severity: 1
    enabled: alertsEnabled
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    scopes: [
      workspaceId
    ]
    skipQueryValidation: true
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: poisonQuery
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: actionGroups
      customProperties: {
        operatorConsole: consoleLinks.poison
      }
    }
  }
}

resource privacyDueAlert 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-privacy-due-${resourceToken}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'D365 customer sync: privacy request due within ${privacyDueAlertDays} days or past due'
    description: 'A privacy request (a customer\'s erasure or data request: Shopify compliance topics, Standard Webhooks, POST /api/privacy/requests) is still open ${privacyDueAlertDays} days or less before its due date (30 days after receipt), or past it. GET /api/privacy/requests/{id} shows where it stands (pastDue, lastError); the workbook\'s privacy tile lists the counts. See docs/privacy.md, "Proof for the merchant".'
    severity: 2
    enabled: alertsEnabled
    evaluationFrequency: 'PT1H'
    windowSize: 'PT2H'
    scopes: [
      applicationInsightsId
    ]
    skipQueryValidation: true
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: privacyDueQuery
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'due'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: actionGroups
    }
  }
}

resource failedRateAlert 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-failed-rate-${resourceToken}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'D365 customer sync: failed creations above ${failedRateThresholdPercent}%'
    description: 'More than ${failedRateThresholdPercent}% of finished customer requests failed in 15 minutes (at least ${failedRateMinimumRequests} finished; duplicate rejections do not count as failed). The workbook\'s "Top failure reasons" tells why; the requests, by code, in the operator console: ${consoleLinks.failed}'
    severity: 2
    enabled: alertsEnabled
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    scopes: [
      applicationInsightsId
    ]
    skipQueryValidation: true
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: failedRateQuery
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'failedPercent'
          operator: 'GreaterThan'
          threshold: failedRateThresholdPercent
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: actionGroups
      customProperties: {
        operatorConsole: consoleLinks.failed
      }
    }
  }
}

resource latencyAlert 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-end-to-end-latency-${resourceToken}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'D365 customer sync: end-to-end latency p95 above ${endToEndLatencyP95ThresholdMs} ms'
    description: 'The 95th percentile of the time from acceptance to creation in D365 (CustomerSucceeded.endToEndMs) exceeded ${endToEndLatencyP95ThresholdMs} ms over 15 minutes. Check D365 throttling and retries in the workbook.'
    severity: 3
    enabled: alertsEnabled
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    scopes: [
      applicationInsightsId
    ]
    skipQueryValidation: true
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: latencyQuery
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'p95EndToEndMs'
          operator: 'GreaterThan'
          threshold: endToEndLatencyP95ThresholdMs
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: actionGroups
      customProperties: {
        operatorConsole: consoleLinks.retrying
      }
    }
  }
}

resource functionErrorsAlert 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-function-errors-${resourceToken}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'D365 customer sync: function errors'
    description: 'More than ${functionErrorsThreshold} executions of one function failed (other than 4xx answers) in 15 minutes: createCustomer, customerStatus, replayCustomer, processCustomer (storage unreachable: the host redelivers), deliverCallbacks (result callbacks; storage unreachable), reconcileCustomers (the timer that re-queues stranded requests and reports QueueDepth), purgeRecords (the hourly timer that deletes records past RECORD_RETENTION_DAYS) a webhook route (webhookShopify, webhookBigCommerce, webhookStandard), a customer update route (updateCustomerByAccount, updateCustomerByReference; the operator routes customerLink and verifyCustomerLink), the shop write-back (writeBackAccount, a queue trigger: storage unreachable; the operator route retryWriteBack), the backfill (startBackfill, startBackfillUpload, backfillStatus, backfillPage: a queue trigger, storage unreachable), drift repair (driftRepair, a timer: storage unreachable), the F&O safety net (foSafetyNet, a timer: shop, D365 or storage unreachable), the F&O data events endpoint (foDataEvents) or their Event Grid trigger (foEventGrid: storage unreachable, Event Grid retries) and their shop update (applyFoEvent, a queue trigger: shop or storage unreachable), callbackSecret (a caller reads its callback secret), the configuration check deepHealth (GET /api/health/deep), an operations route (opsListRequests, opsRequestDetail, opsRequestPayload, opsEditRequest, opsRetryRequest, opsResolveRequest, opsLinkRequest, opsCreateNewRequest, opsAuditLog, opsConsole, opsStartReplay, opsListReplays, opsReplay, opsCancelReplay; runReplayJobs, the bulk replay queue function), a privacy route (createPrivacyRequest, privacyRequestStatus, privacyRequestExport, releasePrivacyRequest) or getOpenApiDocument (GET /api/openapi.json).'
    severity: 2
    enabled: alertsEnabled
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    scopes: [
      applicationInsightsId
    ]
    skipQueryValidation: true
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: functionErrorsQuery
          timeAggregation: 'Count'
          dimensions: [
            {
              name: 'operation_Name'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: functionErrorsThreshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: actionGroups
      customProperties: {
        operatorConsole: consoleLinks.failed
      }
    }
  }
}

resource throttlingAlert 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-d365-throttling-${resourceToken}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'D365 customer sync: D365 throttling sustained'
    description: 'D365 answered 429 (D365Throttled) more than ${throttledEventsPer5MinutesThreshold} times in each of ${throttlingSustainedWindows} consecutive 5-minute windows. Check the app registration\'s throttling priority mapping (High) and the maximum instance count. Requests waiting to retry, in the operator console: ${consoleLinks.retrying}'
    severity: 2
    enabled: alertsEnabled
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    scopes: [
      applicationInsightsId
    ]
    skipQueryValidation: true
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: throttlingQuery
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: throttledEventsPer5MinutesThreshold
          failingPeriods: {
            numberOfEvaluationPeriods: throttlingSustainedWindows
            minFailingPeriodsToAlert: throttlingSustainedWindows
          }
        }
      ]
    }
    actions: {
      actionGroups: actionGroups
      customProperties: {
        operatorConsole: consoleLinks.retrying
      }
    }
  }
}

resource authFailureAlert 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-d365-auth-${resourceToken}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'D365 customer sync: cannot authenticate to D365'
    description: 'Requests failed because the app could not read the client secret from Key Vault (configuration), Entra ID refused it (invalid_secret), D365 refused the token (unauthorized) or the app registration is not registered in D365 (not_registered). See docs/deploy.md, steps outside Azure. Once fixed, replay them in bulk from the operator console: ${consoleLinks.failed}'
    severity: 1
    enabled: alertsEnabled
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    scopes: [
      applicationInsightsId
    ]
    skipQueryValidation: true
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: authFailureQuery
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: actionGroups
      customProperties: {
        operatorConsole: consoleLinks.failed
      }
    }
  }
}

resource shopWriteBackFailedAlert 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-shop-write-back-${resourceToken}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'D365 customer sync: shop write-backs failing'
    description: 'A shop write-back ended failed (ShopWriteBackFailed) in 15 minutes: the shop does not hold the customer\'s D365 account. The reason says why: shop_access (put a valid Admin API token in Key Vault), shop_customer_not_found, rejected, shop_unavailable. Fix it, then POST /api/customers/status/{correlationId}/write-back/retry with the master key. The creates themselves succeeded. See docs/webhooks.md.'
    severity: 2
    enabled: alertsEnabled
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    scopes: [
      applicationInsightsId
    ]
    skipQueryValidation: true
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: shopWriteBackFailedQuery
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: actionGroups
    }
  }
}

resource driftRepairAlert 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-drift-repair-${resourceToken}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'D365 customer sync: drift repair found customers that webhooks missed'
    description: 'Drift repair (the driftRepair timer) found shop customers changed without reaching the sync (no link, or a failed create) and sent them now (DriftRepairFound > 0 in the last hour). They are on their way to D365; the shop\'s webhooks are being missed: check the shop\'s webhook subscriptions (Shopify deletes one after repeated failed deliveries), the WebhookRejected events (signature, stale) and the function\'s availability. The workbook\'s "Found by drift repair" tile shows it by source. See docs/webhooks.md, "Drift repair".'
    severity: 3
    enabled: alertsEnabled
    evaluationFrequency: 'PT15M'
    windowSize: 'PT1H'
    scopes: [
      applicationInsightsId
    ]
    skipQueryValidation: true
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: driftRepairFoundQuery
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'found'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: actionGroups
    }
  }
}

resource foSafetyNetAlert 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-fo-safety-net-${resourceToken}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'D365 customer sync: the F&O safety net repaired many shop customers'
    description: 'The F&O safety net (the foSafetyNet timer) found more than ${foSafetyNetRepairedThreshold} linked shop customers in one run whose names, e-mail or phone differed from D365 and wrote D365\'s values to the shop (FoSafetyNetRun, `repaired`, in the last hour). D365\'s data events are being missed: check the data event endpoint in F&O (System administration > Setup > Business events > Endpoints; the CustomersV3 data events activated), the foDataEvents function\'s availability and the FoDataEventsIgnored metric. The workbook\'s "F&O safety net" tile shows the repairs by field. See docs/webhooks.md, "F&O safety net".'
    severity: 3
    enabled: alertsEnabled
    evaluationFrequency: 'PT15M'
    windowSize: 'PT1H'
    scopes: [
      applicationInsightsId
    ]
    skipQueryValidation: true
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: foSafetyNetRepairedQuery
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'repaired'
          operator: 'GreaterThan'
          threshold: foSafetyNetRepairedThreshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: actionGroups
    }
  }
}

@description('Resource IDs of the alert rules.')
output alertRuleIds array = [
  poisonAlert.id
  failedRateAlert.id
  latencyAlert.id
  functionErrorsAlert.id
  throttlingAlert.id
  authFailureAlert.id
  shopWriteBackFailedAlert.id
  driftRepairAlert.id
  foSafetyNetAlert.id
]
