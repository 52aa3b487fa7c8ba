import { matchTelemetryRoute, TelemetryRoute } from './app-insights';
import { matchEntraRoute } from './entra';
import { EVENT_GRID_PUBLISH_PATH } from './event-grid';
import { isKeyVaultPath } from './key-vault';
import { BIGCOMMERCE_API_PATH } from './shops/bigcommerce-api';
import { B2B_API_PATH } from './shops/bigcommerce-b2b';
import { SHOPIFY_PATH } from './shops/shopify-admin';
import { BULK_DOWNLOAD_PATH } from './shops/shopify-bulk';
import { D365Endpoint } from './stats';

/** Which emulated service (and which of its endpoints) a request is for, by method and path. */
export type Route =
  | { service: 'control' }
  | { service: 'token'; entra: NonNullable<ReturnType<typeof matchEntraRoute>>; endpoint: string }
  | { service: 'keyvault'; endpoint: string }
  | { service: 'd365'; endpoint: D365Endpoint; kind: 'custom-service' | 'odata' }
  | { service: 'telemetry'; kind: TelemetryRoute }
  | { service: 'eventgrid' }
  | { service: 'shopify'; endpoint: 'graphql'; shop: string; version: string }
  | { service: 'shopify'; endpoint: 'bulkDownload'; shop: string; number: string }
  | { service: 'bigcommerce'; endpoint: string; store: string; resource: string }
  | { service: 'unknown' };

const ENTRA_ENDPOINTS = {
  'token-v1': 'tokenV1',
  'token-v2': 'tokenV2',
  'openid-v1': 'openidV1',
  'openid-v2': 'openidV2',
  keys: 'keys',
} as const;

function keyVaultEndpoint(method: string, pathname: string): string {
  const segments = pathname.split('/').filter(Boolean).slice(1);
  if (method === 'PUT') return segments.length === 1 ? 'setSecret' : 'other';
  if (method !== 'GET') return 'other';
  if (segments.length === 0) return 'listSecrets';
  return segments[1] === 'versions' ? 'listVersions' : 'getSecret';
}

export function route(method: string, pathname: string): Route {
  if (pathname === '/_emulator' || pathname.startsWith('/_emulator/')) return { service: 'control' };
  if (pathname === EVENT_GRID_PUBLISH_PATH) return { service: 'eventgrid' };
  const shopify = SHOPIFY_PATH.exec(pathname);
  if (shopify) return { service: 'shopify', endpoint: 'graphql', shop: shopify[1]!, version: shopify[2]! };
  const download = BULK_DOWNLOAD_PATH.exec(pathname);
  if (download)
    return { service: 'shopify', endpoint: 'bulkDownload', shop: download[1]!, number: download[2]! };
  const bigcommerce = BIGCOMMERCE_API_PATH.exec(pathname);
  if (bigcommerce) {
    const resource = bigcommerce[2] ?? '';
    const endpoint =
      resource === '/attributes'
        ? 'attributes'
        : resource === '/attribute-values'
          ? 'attributeValues'
          : 'customers';
    return { service: 'bigcommerce', endpoint, store: bigcommerce[1]!, resource };
  }
  // B2B Edition (api-b2b.bigcommerce.com/api/v3/io/…): the store is named by X-Store-Hash, not the path.
  if (B2B_API_PATH.test(pathname))
    return { service: 'bigcommerce', endpoint: 'b2b', store: '', resource: pathname };
  if (isKeyVaultPath(pathname)) return { service: 'keyvault', endpoint: keyVaultEndpoint(method, pathname) };
  if (pathname === '/api/services' || pathname.startsWith('/api/services/')) {
    const operation = pathname.split('/').filter(Boolean).length === 5;
    return {
      service: 'd365',
      kind: 'custom-service',
      endpoint: operation && method === 'POST' ? 'customService' : 'other',
    };
  }
  if (pathname === '/data' || pathname.startsWith('/data/')) {
    const entitySet = /^\/data\/CustomersV3\/?$/.test(pathname);
    // One entity by key: /data/CustomersV3(dataAreaId='usrt',CustomerAccount='US-000001'), percent-encoded or not.
    const byKey = /^\/data\/CustomersV3(\(|%28)/.test(pathname);
    if (/^\/data\/CustomerPostalAddresses\/?$/.test(pathname)) {
      const postal =
        method === 'POST' ? 'postalAddressCreate' : method === 'GET' ? 'postalAddressQuery' : 'other';
      return { service: 'd365', kind: 'odata', endpoint: postal };
    }
    if (/^\/data\/CDSContactPersonsV2\/?$/.test(pathname)) {
      const contact =
        method === 'POST' ? 'contactPersonCreate' : method === 'GET' ? 'contactPersonQuery' : 'other';
      return { service: 'd365', kind: 'odata', endpoint: contact };
    }
    const endpoint: D365Endpoint = entitySet
      ? method === 'POST'
        ? 'odataCreate'
        : method === 'GET'
          ? 'odataQuery'
          : 'other'
      : byKey
        ? method === 'GET'
          ? 'odataRead'
          : method === 'PATCH'
            ? 'odataUpdate'
            : 'other'
        : 'other';
    return { service: 'd365', kind: 'odata', endpoint };
  }
  const telemetry = matchTelemetryRoute(pathname);
  if (telemetry) return { service: 'telemetry', kind: telemetry };
  const entra = matchEntraRoute(pathname);
  if (entra) return { service: 'token', entra, endpoint: ENTRA_ENDPOINTS[entra.kind] };
  return { service: 'unknown' };
}
