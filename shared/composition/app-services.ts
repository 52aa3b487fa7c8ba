/** What the composition root builds once per process: every port's real adapter. */
import type { Config } from '../config/config';
import type { concurrencyLimit, RateLimiter } from '../http/rate-limit';
import type { CallbackServices } from '../adapters/callbacks/callback-services';
import type {
  AuditLog,
  BackfillJobs,
  BackfillQueue,
  CorrelationKeySource,
  CustomerLinks,
  CustomerQueue,
  D365Client,
  D365CustomerUpdates,
  D365Gate,
  D365PostalAddresses,
  DriftWatermarks,
  ErasureMarks,
  FairAdmission,
  FoApplyStates,
  FoEventLedger,
  FoEventQueue,
  GateRoom,
  IdentityClaims,
  OperationsIndex,
  ReplayJobs,
  ReplayTicks,
  ShopClients,
  SourceCustomers,
  StatusStore,
  Telemetry,
  WebhookSecrets,
  WriteBackQueue,
} from '../ports';

/**
 * The composition root: the real adapters, built once per process from the validated
 * configuration. Function files take what they need from here; tests build use-cases with
 * their own adapters instead.
 */
export interface AppServices {
  config: Config;
  statusStore: StatusStore;
  queue: CustomerQueue;
  poisonQueue: CustomerQueue;
  d365: D365Client;
  /** Shared by the whole fleet (rows in the status table): D365 concurrency and throttling pauses. */
  gate: D365Gate;
  /** Batched duplicate lookups, each batch in a gate slot of its own (absent with D365_LOOKUP_BATCH_SIZE=1). */
  gatedLookup?: Pick<D365Client, 'findCustomersByEmail'>;
  /** Per-customer claims for the duplicate policy, shared by the fleet (rows in the status table). */
  identityClaims: IdentityClaims;
  /** Customer links and the update state (issue 17), in LINK_TABLE_NAME. */
  links: CustomerLinks;
  /** Erasure marks (issue 27): erased source customers not taken in again (rows in the status table). */
  erasureMarks: ErasureMarks;
  /** Updates of existing customers through CustomersV3 (both targets). */
  d365Updates: D365CustomerUpdates;
  /** A customer's postal addresses (CustomerPostalAddresses): the CustomersV3 target's further addresses. */
  postalAddresses: D365PostalAddresses;
  telemetry: Telemetry;
  /** Per-caller request budget of this instance (intake). */
  rateLimiter: RateLimiter;
  /** Prefer: wait requests held open by this instance. */
  waits: ReturnType<typeof concurrencyLimit>;
  /** Fair sharing between callers (issue 24): this instance's admission per caller (FAIR_SHARE_WAITERS, CALLER_WEIGHTS). */
  admission?: FairAdmission;
  /** Webhook signing secrets from Key Vault, cached and re-read (rotation without restart). */
  webhookSecrets: WebhookSecrets;
  /** The fleet's correlation-ID key (issue 24), read once from Key Vault and kept. */
  correlationKey: CorrelationKeySource;
  /** Shops' APIs the worker reads webhook customers from (BigCommerce). */
  sourceCustomers: SourceCustomers;
  /** The shops' Admin APIs the D365 account is written back to (issue 28), paced by a fleet-wide budget. */
  shopClients: ShopClients;
  /** Where shop write-backs wait for their step (WRITE_BACK_QUEUE_NAME). */
  writeBackQueue: WriteBackQueue;
  /** Result callbacks: the outbox, the disabled endpoints, the sender. */
  callbacks: CallbackServices;
  /** Approximate message counts of the customer queue and its poison queue. */
  queueDepths(): Promise<Record<string, number>>;
  /** The customer queue's approximate message count alone (one call: backfill and bulk replay pace by it). */
  customerQueueDepth(): Promise<number>;
  /** The operations index (issue 31), kept by `statusStore` on every write. */
  operationsIndex: OperationsIndex;
  /** The operator audit log (issue 31), in its own table. */
  auditLog: AuditLog;
  /** Backfill jobs and their page queue (issue 30). */
  backfill: { jobs: BackfillJobs; queue: BackfillQueue };
  /** Drift repair's row per shop (issue 30), in the backfill table. */
  driftWatermarks: DriftWatermarks;
  /** F&O data events (issue 29): the event IDs taken, and their queue. */
  foEvents: { ledger: FoEventLedger; queue: FoEventQueue; states: FoApplyStates };
  /** Bulk replay jobs (beside the operations index), their tick queue, and the gate's room they pace by. */
  replay: { jobs: ReplayJobs; ticks: ReplayTicks; gateRoom: GateRoom };
}
