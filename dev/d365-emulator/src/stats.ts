/** Counters the control API reports (`GET /_emulator/stats`). */
export interface Stats {
  since: string;
  /** Token requests per endpoint version and client id (successful or not). */
  tokenRequests: { v1: Record<string, number>; v2: Record<string, number> };
  tokensIssued: number;
  tokenErrors: number;
  keyVault: { reads: number; writes: number; challenges: number; denied: number };
  d365: {
    /** Requests received per endpoint, including those answered with faults, 401 or 429. */
    requests: {
      customService: number;
      odataCreate: number;
      odataQuery: number;
      /** GET and PATCH of one CustomersV3 entity by key. */
      odataRead: number;
      odataUpdate: number;
      /** POST and GET of CustomerPostalAddresses. */
      postalAddressCreate: number;
      postalAddressQuery: number;
      /** POST and GET of CDSContactPersonsV2. */
      contactPersonCreate: number;
      contactPersonQuery: number;
      other: number;
    };
    /** Answers per HTTP status. */
    statuses: Record<string, number>;
    /** The most D365 requests handled at the same time. */
    maxConcurrent: number;
  };
  /** 429s answered by the throttle model. */
  throttled: number;
  /** 429s answered in total (throttle model and faults, all services). */
  responses429: number;
  faultsApplied: number;
  customersCreated: number;
  /** CustomerPostalAddresses rows committed by POST. */
  postalAddressesCreated: number;
  /** CDSContactPersonsV2 rows committed by POST. */
  contactPersonsCreated: number;
  /** CustomersV3 PATCHes applied (committed), and operator changes made through the control API. */
  customersUpdated: number;
  operatorUpdates: number;
  /** PATCHes refused with 412 because their If-Match was not the customer's current ETag. */
  updateConflicts: number;
  /** Application Insights ingestion and Live Metrics requests answered. */
  appInsights: { trackRequests: number; itemsReceived: number; itemsAccepted: number; liveMetrics: number };
}

export type D365Endpoint = keyof Stats['d365']['requests'];

export function createStats(): Stats {
  return {
    since: new Date().toISOString(),
    tokenRequests: { v1: {}, v2: {} },
    tokensIssued: 0,
    tokenErrors: 0,
    keyVault: { reads: 0, writes: 0, challenges: 0, denied: 0 },
    d365: {
      requests: {
        customService: 0,
        odataCreate: 0,
        odataQuery: 0,
        odataRead: 0,
        odataUpdate: 0,
        postalAddressCreate: 0,
        postalAddressQuery: 0,
        contactPersonCreate: 0,
        contactPersonQuery: 0,
        other: 0,
      },
      statuses: {},
      maxConcurrent: 0,
    },
    throttled: 0,
    responses429: 0,
    faultsApplied: 0,
    customersCreated: 0,
    postalAddressesCreated: 0,
    contactPersonsCreated: 0,
    customersUpdated: 0,
    operatorUpdates: 0,
    updateConflicts: 0,
    appInsights: { trackRequests: 0, itemsReceived: 0, itemsAccepted: 0, liveMetrics: 0 },
  };
}

export function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}
