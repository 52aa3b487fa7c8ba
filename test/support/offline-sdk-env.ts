/**
 * Keeps the Application Insights SDK (when a test or the host under test loads it) on loopback:
 * Statsbeat would report to Microsoft's endpoints, and without a detected Azure platform the SDK
 * probes the Azure VM metadata address (169.254.169.254). WEBSITE_SITE_NAME makes it detect
 * App Service, which skips that probe. Every process the tests start inherits these.
 */
export function keepSdksOffline(env: NodeJS.ProcessEnv = process.env): void {
  env.APPLICATION_INSIGHTS_NO_STATSBEAT = 'true';
  env.WEBSITE_SITE_NAME ??= 'd365-customer-sync-test';
}
