/** The settings catalogue's part: The queue and the worker: storage names, duplicates, operations, retries, concurrency, leases. */
import { define, nonNegativeInt, oneOf, positiveInt, queueName, tableName } from './validators';
import type { SettingDefinition } from './validators';

export const processingSettings = [
  define({
    name: 'CUSTOMER_QUEUE_NAME',
    description: 'Storage queue that carries accepted requests; its poison queue is `<name>-poison`.',
    default: 'customer-create',
    local: 'customer-create',
    azure: true,
    schema: queueName,
  }),
  define({
    name: 'STATUS_TABLE_NAME',
    description: 'Table that holds one status record per correlation ID.',
    default: 'customerstatus',
    local: 'customerstatus',
    azure: true,
    schema: tableName,
  }),
  define({
    name: 'STATUS_RETRY_AFTER_SECONDS',
    description: '`Retry-After` sent with 202 and pending status answers.',
    default: '1',
    local: '1',
    azure: true,
    schema: positiveInt,
  }),
  define({
    name: 'DUPLICATE_POLICY',
    description:
      'What to do when the customer already exists in the legal entity (the same e-mail; for a customer without one, the same name and phone among customers without an e-mail): `link` (succeed with the existing account, `outcome: "linked"`), `reject` (fail with `duplicate`) or `create` (create another).',
    default: 'link',
    local: 'link',
    azure: true,
    schema: oneOf(['link', 'reject', 'create']),
  }),
  define({
    name: 'LINK_TABLE_NAME',
    description:
      "Table of customer links (issue 17): which D365 account a source's customer is, with field stamps and salted digests of what was last sent (no personal values), the base of its updates.",
    default: 'customerlinks',
    local: 'customerlinks',
    azure: true,
    schema: tableName,
  }),
  define({
    name: 'OPERATIONS_TABLE_NAME',
    description:
      'Table of the operations index (issue 31: the failed, needs-review, retrying and resolved requests by view, newest first; codes and times only, no personal data) and of bulk replay jobs.',
    default: 'customerops',
    local: 'customerops',
    azure: true,
    schema: tableName,
  }),
  define({
    name: 'OPERATIONS_AUDIT_TABLE_NAME',
    description:
      'Table of the operator audit log (issue 31): who did what to which requests, and when; field names, never values.',
    default: 'operatoraudit',
    local: 'operatoraudit',
    azure: true,
    schema: tableName,
  }),
  define({
    name: 'REPLAY_QUEUE_NAME',
    description:
      'Queue of bulk replay jobs (issue 31): one small message per tick of a job (its ID, no personal data); the replay function advances the job from it.',
    default: 'customer-replays',
    local: 'customer-replays',
    azure: true,
    schema: queueName,
  }),
  define({
    name: 'REPLAY_RESERVE_SLOTS',
    description:
      'D365 slots (of D365_MAX_CONCURRENCY, across the fleet) a bulk replay leaves to live requests: it releases more failed requests only while the fleet gate has room beyond these, and never has more than D365_MAX_CONCURRENCY minus these on their way at once (at most D365_MAX_CONCURRENCY − 1), nor more than FAIR_SHARE_WAITERS per instance at work (what admission takes as background work).',
    default: '1',
    local: '1',
    azure: true,
    schema: nonNegativeInt,
  }),
  define({
    name: 'REPLAY_BATCH_SIZE',
    description:
      'Most failed requests a bulk replay puts back on the queue at once (within the gate room above).',
    default: '10',
    local: '10',
    azure: true,
    schema: positiveInt.max(100, 'must be at most 100'),
  }),
  define({
    name: 'UPDATE_CONFLICT_POLICY',
    description:
      'When an update changes a field that was changed in D365 since our last write (a 412 on `If-Match`, then the fields compared): `review` (send nothing, `needs_review` with `update_conflict`), `ours` (overwrite it) or `d365` (keep D365\'s value, `outcome: "kept_d365"`).',
    default: 'review',
    local: 'review',
    azure: true,
    schema: oneOf(['review', 'ours', 'd365']),
  }),
  define({
    name: 'RETRY_BASE_SECONDS',
    description:
      'First back-off delay after a transient failure without `Retry-After`; doubles per attempt, with full jitter.',
    default: '2',
    local: '2',
    azure: true,
    schema: nonNegativeInt,
  }),
  define({
    name: 'RETRY_MAX_DELAY_SECONDS',
    description: 'Longest back-off delay between two attempts.',
    default: '300',
    local: '300',
    azure: true,
    schema: nonNegativeInt,
  }),
  define({
    name: 'RETRY_MAX_ATTEMPTS',
    description:
      'Attempts before a request ends as `failed` (`retries_exhausted`) and its message is kept in the poison queue.',
    default: '10',
    local: '10',
    azure: true,
    schema: positiveInt,
  }),
  define({
    name: 'RETRY_MAX_TOTAL_SECONDS',
    description:
      'How long a request may keep retrying, from its acceptance, before it ends as `failed`. A request not tried yet (waiting behind a backlog) is never failed by it: its time runs out only once it has had an attempt.',
    default: '3600',
    local: '3600',
    azure: true,
    schema: positiveInt,
  }),
  define({
    name: 'D365_MAX_CONCURRENCY',
    description:
      'Calls to D365 in flight at once across the whole fleet (every instance on the storage account; CustomersV3 is "single thread only"): slots in the status table.',
    default: '4',
    local: '4',
    azure: true,
    schema: positiveInt,
  }),
  define({
    name: 'D365_MAX_REQUESTS_PER_SECOND',
    description:
      "Most calls to D365 started per second across the whole fleet; 0: no limit but D365_MAX_CONCURRENCY. Each slot starts a call at most every D365_MAX_CONCURRENCY / this many seconds, so with it set to what D365 allows (F&O's service protection: 6,000 requests per user and web server in 5 minutes, 20/s) the slots can exceed rate × latency without running into 429s.",
    default: '0',
    local: '0',
    azure: true,
    schema: nonNegativeInt,
  }),
  define({
    name: 'D365_LOOKUP_BATCH_SIZE',
    description:
      'Most duplicate lookups (DUPLICATE_POLICY link/reject, and lookups after an uncertain create) of one instance sent to D365 as one CustomersV3 query (`PrimaryContactEmail eq … or …`, its query string kept within 2,048 characters); one batch takes one D365 slot for its one call. 1 sends every lookup alone, in the slot of its create.',
    default: '25',
    local: '25',
    azure: true,
    schema: positiveInt.max(100, 'must be at most 100'),
  }),
  define({
    name: 'D365_LOOKUP_BATCH_WINDOW_MS',
    description:
      'How long a batch of duplicate lookups waits for more lookups while another batch of this instance is in flight; with none in flight a lookup goes at once.',
    default: '5',
    local: '5',
    azure: true,
    schema: nonNegativeInt.max(1000, 'must be at most 1000'),
  }),
  define({
    name: 'PROCESSING_LEASE_SECONDS',
    description:
      'How long a claimed request belongs to the invocation that claimed it (renewed while it waits for a D365 slot; the create itself is fenced with D365_TIMEOUT_MS + 5 s); after that the reconciler resumes it elsewhere, with a lookup before creating.',
    default: '60',
    local: '60',
    azure: true,
    schema: positiveInt,
  }),
  define({
    name: 'PREFER_WAIT_MAX_SECONDS',
    description: 'Cap on `Prefer: wait=N` (RFC 7240).',
    default: '25',
    local: '25',
    azure: true,
    schema: positiveInt.max(230, 'must be at most 230 (the Azure load balancer idle timeout)'),
  }),
  define({
    name: 'RECONCILE_AFTER_SECONDS',
    description:
      'The reconciler re-queues a request that stayed `accepting` or `queued` this long (a crash between claim and queue write).',
    default: '300',
    local: '300',
    azure: true,
    schema: positiveInt,
  }),
] as const satisfies readonly SettingDefinition[];
