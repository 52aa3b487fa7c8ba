/** Telemetry and logs: names the workbook and alerts query; never personal data. */
/**
 * Custom events for Application Insights. Properties are correlation IDs, legal entities and codes
 * only: never personal data. The names are the ones the workbook and alert rules in infra/ query.
 */
export type TelemetryEventName =
  | 'CustomerAccepted'
  | 'CustomerSucceeded'
  | 'CustomerFailed'
  | 'CustomerRetryScheduled'
  | 'D365Throttled'
  | 'CustomerPoisoned'
  /** A verified webhook delivery was taken in (outcome: accepted, replayed, unmappable). */
  | 'WebhookAccepted'
  /** A verified delivery answered 2xx without creating anything (a topic not handled yet). */
  | 'WebhookIgnored'
  /** A delivery refused with 401 (reason: signature, unknown-source, stale) or 413/400. */
  | 'WebhookRejected'
  /** A result callback answered 2xx (latencyMs: request ended → receiver answered). */
  | 'CallbackDelivered'
  /** A result callback gave up (reason: attempts, refused) or its endpoint answered 410 (disabled). */
  | 'CallbackFailed'
  | 'CallbackEndpointDisabled'
  /** A create's further addresses were landed (measurements: landed, failed; outcome: complete or partial). */
  | 'CustomerAddresses'
  /** A privacy request was taken in (topic: its type; outcome: accepted, replayed). */
  | 'PrivacyRequestReceived'
  /** A privacy request completed (topic: its type; measurements: what it erased or found, in all). */
  | 'PrivacyRequestCompleted'
  /** A delivery for an erased customer was dropped (the erasure mark stands). */
  | 'PrivacyDeliveryDropped'
  /** A shop write-back ended (issue 28): written (outcome: changed / unchanged) or failed (reason). */
  | 'ShopWriteBackWritten'
  | 'ShopWriteBackFailed'
  /** A shop's `customers/update` caused by our own write-back, dropped (reason: how it was told). */
  | 'ShopEchoIgnored'
  /** A backfill page was read (issue 30): its counts (found, queued, replayed, skippedLinked, unmappable). */
  | 'BackfillPage'
  /** A drift-repair run of one shop (issue 30): its counts (listed, linked, inProgress, found, alreadySent, unmappable). */
  | 'DriftRepairRun'
  /** Issue 29: an F&O data event taken in (queued), or acknowledged and ignored (reason). */
  | 'FoDataEventQueued'
  | 'FoDataEventIgnored'
  /** Issue 29: a D365 change written to the shop (outcome `written`, reason: the fields), or refused by it. */
  | 'FoShopUpdate'
  /** Issue 29: a D365 change our own PATCH caused (reason: the field), not written back to the shop. */
  | 'FoEchoSkipped';

export interface TelemetryEvent {
  name: TelemetryEventName;
  properties: {
    /** Absent only for webhook deliveries refused before a request existed. */
    correlationId?: string;
    /** Webhook source name (from WEBHOOK_SOURCES) and its kind: shopify, bigcommerce, standard. */
    source?: string;
    sourceKind?: string;
    topic?: string;
    legalEntity?: string;
    outcome?: string;
    target?: string;
    reason?: string;
    attempts?: string;
    /** BackfillPage: the job, and `true` on a dry run. */
    jobId?: string;
    dryRun?: string;
  };
  measurements?: {
    endToEndMs?: number;
    d365Ms?: number;
    delayMs?: number;
    retryAfterSeconds?: number;
    latencyMs?: number;
    /** CustomerAddresses: further addresses in D365 now, and those that did not land. */
    addressesLanded?: number;
    addressesFailed?: number;
    /** PrivacyRequestCompleted: items erased (or found), all stores together; days from receipt. */
    items?: number;
    days?: number;
    /** ShopWriteBackWritten: the shop calls' time of the attempt that wrote it. */
    shopMs?: number;
    /** BackfillPage: this page's customers, by what became of them. */
    found?: number;
    queued?: number;
    replayed?: number;
    skippedLinked?: number;
    unmappable?: number;
    /** DriftRepairRun: the run's customers, by what became of them (domain/drift-repair.ts). */
    listed?: number;
    linked?: number;
    inProgress?: number;
    alreadySent?: number;
  };
}

export type TelemetryMetric =
  | { name: 'QueueDepth'; value: number; properties: { queue: string } }
  /**
   * Privacy requests not completed (issue 27), per type (`erase`, `export`): open ones, those past
   * their due date, and those due within PRIVACY_DUE_ALERT_DAYS (the hourly purgeRecords timer).
   */
  | {
      name: 'PrivacyRequestsOpen' | 'PrivacyRequestsPastDue' | 'PrivacyRequestsDueSoon';
      value: number;
      properties: { type: string };
    }
  /**
   * Drift repair (issue 30): shop customers a run found without a link (or with a failed one) and
   * sent through the intake, per shop; above 0, the shop's webhooks are being missed.
   */
  | { name: 'DriftRepairFound'; value: number; properties: { source: string } }
  /**
   * Issue 29: F&O data events acknowledged but not taken in, by reason (`unknown-legal-entity`,
   * `no-link`, `not-a-shop-link`, `other-entity`, `duplicate`): one per event, value 1.
   */
  | { name: 'FoDataEventsIgnored'; value: number; properties: { reason: string } };

export interface Telemetry {
  trackEvent(event: TelemetryEvent): void;
  trackMetric(metric: TelemetryMetric): void;
}

export const noopTelemetry: Telemetry = { trackEvent() {}, trackMetric() {} };

/**
 * Structured, personal-data-free logging for the use-cases. Only the fields below can be logged,
 * so a name, e-mail, phone, address, birth date, secret or token cannot reach a log line by
 * accident; free text (reasons from D365) must have passed through `scrub` first.
 */
export interface LogFields {
  correlationId?: string;
  legalEntity?: string;
  status?: string;
  attempt?: number;
  customerAccount?: string;
  outcome?: string;
  code?: string;
  reason?: string;
  durationMs?: number;
  retryAfterSeconds?: number;
  dequeueCount?: number;
  /** Webhook source name and topic (configuration, never the shop's data). */
  source?: string;
  topic?: string;
  /** A bulk replay job (issue 31) or a backfill job (issue 30); its tick or page, and counts. */
  jobId?: string;
  tick?: number;
  total?: number;
  page?: number;
  found?: number;
}

export interface Log {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

export const silentLog: Log = { info() {}, warn() {}, error() {} };
