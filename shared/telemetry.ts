/**
 * Custom events for Application Insights, behind a small interface with a no-op for tests.
 * Properties are correlation IDs, legal entities and codes only: never personal data.
 * The names are the ones the workbook and alert rules in infra/ query.
 */
export type TelemetryEventName =
  | 'CustomerAccepted'
  | 'CustomerSucceeded'
  | 'CustomerFailed'
  | 'CustomerRetryScheduled'
  | 'D365Throttled'
  | 'CustomerPoisoned';

export interface TelemetryEvent {
  name: TelemetryEventName;
  properties: {
    correlationId: string;
    legalEntity?: string;
    outcome?: string;
    target?: string;
    reason?: string;
    attempts?: string;
  };
  measurements?: { endToEndMs?: number; d365Ms?: number; delayMs?: number; retryAfterSeconds?: number };
}

export interface Telemetry {
  trackEvent(event: TelemetryEvent): void;
}

export const noopTelemetry: Telemetry = { trackEvent() {} };

/**
 * Application Insights, started only when a connection string is configured. The SDK is loaded
 * on first use, so a process without it (tests, local runs) never pays for loading it.
 */
export function applicationInsightsTelemetry(connectionString: string | undefined): Telemetry {
  if (!connectionString) return noopTelemetry;
  let client:
    { trackEvent(event: { name: string; properties?: object; measurements?: object }): void } | undefined;
  return {
    trackEvent(event) {
      if (!client) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const appInsights = require('applicationinsights') as typeof import('applicationinsights');
        appInsights.setup(connectionString).setAutoCollectConsole(false).start();
        client = appInsights.defaultClient;
      }
      client.trackEvent({ name: event.name, properties: event.properties, measurements: event.measurements });
    },
  };
}
