import { Telemetry, noopTelemetry } from '../ports';
/** The `Telemetry` port on the Application Insights SDK (v3). */
type Client = {
  trackEvent(event: { name: string; properties?: object; measurements?: object }): void;
  trackMetric(metric: { name: string; value: number; properties?: object }): void;
};

/**
 * Application Insights, started only when a connection string is configured. The SDK is loaded
 * on first use, so a process without it (tests, local runs) never pays for loading it.
 *
 * With `credential` (in Azure: the managed identity, since the component has local auth
 * disabled) the SDK authenticates with Entra ID. Automatic collection is off: the host reports
 * requests itself, and an outgoing-call (dependency) record would carry the CustomersV3 lookup
 * URL, whose filter holds the e-mail address being looked up. `setAutoCollectDependencies(false)`
 * alone turns off only the HTTP instrumentation: the SDK (v3) still records every Azure SDK call
 * (storage queues and tables, Key Vault) as a dependency through its `azureSdk` instrumentation,
 * so `noDiagnosticChannel` turns off every instrumentation but HTTP as well (shim-config.js).
 */
export function applicationInsightsTelemetry(
  connectionString: string | undefined,
  credential?: () => import('@azure/identity').TokenCredential,
): Telemetry {
  if (!connectionString) return noopTelemetry;
  let client: Client | undefined;
  const get = (): Client => {
    if (!client) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const appInsights = require('applicationinsights') as typeof import('applicationinsights');
      appInsights
        .setup(connectionString)
        .setAutoCollectConsole(false)
        .setAutoCollectRequests(false)
        .setAutoCollectDependencies(false)
        .setAutoCollectExceptions(false)
        .setAutoCollectPerformance(false, false)
        .setSendLiveMetrics(false);
      appInsights.defaultClient.config.noDiagnosticChannel = true;
      if (credential) appInsights.defaultClient.config.aadTokenCredential = credential();
      appInsights.start();
      client = appInsights.defaultClient;
    }
    return client;
  };
  return {
    trackEvent(event) {
      get().trackEvent({ name: event.name, properties: event.properties, measurements: event.measurements });
    },
    trackMetric(metric) {
      get().trackMetric({ name: metric.name, value: metric.value, properties: metric.properties });
    },
  };
}
