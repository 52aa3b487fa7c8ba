import { randomUUID } from 'node:crypto';
import { customerFingerprint, FieldError, parseCustomerRequest } from '../domain/customer-contract';
import { emailKeyField } from '../domain/customer-identity';
import { errorName } from '../domain/failure';
import { QueueMessage, queueMessageFor } from '../domain/queue-message';
import type { Identity } from '../domain/ownership';
import { StatusRecord } from '../domain/status';
import { erasureMarkKey, SOURCE_WIDE } from '../domain/privacy/privacy-request';
import {
  CustomerLink,
  CustomerLinks,
  CustomerQueue,
  ErasureMarks,
  Log,
  ShopClients,
  StatusConflictError,
  StatusStore,
  Telemetry,
  WriteBackQueue,
} from '../ports';
import { correlationIdForKey, KeyCorrelationDeps } from './key-correlation';
import { releaseReservation, takeOverDeadReservation } from './link-reservation';
import { storeAndQueueAtOnce } from './store-and-queue';

/** `correlationKey` and `retentionDays` (KeyCorrelationDeps): the IDs of Idempotency-Keys (issue 24). */
export interface AcceptDeps extends KeyCorrelationDeps {
  statusStore: StatusStore;
  queue: CustomerQueue;
  telemetry: Telemetry;
  log: Log;
  target: StatusRecord['target'];
  defaultCustomerGroup: string;
  /** The customer links (issue 17): a create that names its source customer reserves its link. */
  links?: CustomerLinks;
  /** Erasure marks (issue 27): a source customer whose data was erased is not taken in again. */
  erasureMarks?: ErasureMarks;
  /** A pending link confirmed by its shop (Shopify `verified_email`) gets its write-back (issue 28). */
  shopClients?: ShopClients;
  writeBackQueue?: WriteBackQueue;
  now?: () => Date;
  newId?: () => string;
}

export interface AcceptOptions {
  /** The caller's Idempotency-Key, already validated. */
  idempotencyKey?: string;
  /** Who is calling (scopes the key); 'anonymous' when caller authentication is off. */
  caller?: string;
  /** Hold the message back this long (the intake processes it itself meanwhile, for Prefer: wait). */
  delaySeconds?: number;
  /** The route the key is scoped to (default `POST /api/customers`; webhooks name their source's). */
  route?: string;
  /**
   * The source and its own customer ID (a webhook's shop customer, a caller's `Customer-Reference`),
   * kept on the record and linked. `exclusive` (`Customer-Reference`): the reference names one
   * customer, so a create whose reference another request holds is refused (`reference-in-use`);
   * without it (webhooks) such a create goes on and the first link stands.
   */
  origin?: { source: string; sourceCustomerId?: string; exclusive?: boolean };
  /** Where the signed result event goes when the request ends (already checked: callback-url.ts). */
  callbackUrl?: string;
  /** A create's: whether its caller verified the shopper's identity (domain/ownership.ts `identityOf`). */
  identity?: Identity;
  /** Bulk work (a backfill): it yields to live requests (fair sharing). */
  priority?: 'background';
}

/**
 * A create's result: an intake's, or (ownership policy, README "Customer updates") the caller's
 * reference already names another request's customer, linked or still being created: one customer
 * per reference in a caller's namespace. Nothing is stored or queued.
 */
export type AcceptCustomerResult = AcceptResult | { kind: 'reference-in-use'; correlationId: string };

export type AcceptResult =
  | { kind: 'accepted'; record: StatusRecord; message: QueueMessage; replayed: false }
  /** The same Idempotency-Key and body as an earlier request: its answer again. */
  | { kind: 'accepted'; record: StatusRecord; replayed: true }
  | { kind: 'invalid'; errors: FieldError[] }
  /** The key was used before with a different body. */
  | { kind: 'key-reused' }
  /** The key's first request is still being accepted. */
  | { kind: 'in-progress' }
  /** The source's customer was erased (issue 27): nothing stored until the merchant lifts the mark. */
  | { kind: 'erased' }
  | { kind: 'unavailable' };

const nowIso = (deps: AcceptDeps): string => (deps.now?.() ?? new Date()).toISOString();

/** How long a claim may stay `accepting` before a repeated request takes it over (the first one died). */
export const ACCEPTING_STALE_MS = 10_000;

/** The route an Idempotency-Key is scoped to. */
const ROUTE = 'POST /api/customers';

/**
 * Intake: validates and normalises the request, writes the status record, then the queue message.
 *
 * Without an Idempotency-Key the record is written as `queued`. With one, the record (whose ID is
 * derived from the caller, the route and the key) is the key's atomic claim: it is inserted as
 * `accepting`, becomes `queued` once the message is written, and a repeated request finds it —
 * replaying the answer, refusing another body, or re-sending the message of a claim whose first
 * request died. If the message cannot be written the record is removed again, so no record
 * claims `queued` without a message.
 */
export async function acceptCustomer(
  body: unknown,
  deps: AcceptDeps,
  options: AcceptOptions = {},
): Promise<AcceptCustomerResult> {
  const now = deps.now?.() ?? new Date();
  const parsed = parseCustomerRequest(body, { defaultCustomerGroup: deps.defaultCustomerGroup, now });
  if (!parsed.ok) return { kind: 'invalid', errors: parsed.errors };
  const request = parsed.value;
  const correlationId = await correlationIdFor(deps, options);
  if (correlationId === undefined) return { kind: 'unavailable' };
  const origin = options.origin;
  const erased = await isErased(origin, deps);
  if (erased !== false) return { kind: erased };
  let reserved: CustomerLink | undefined;
  if (deps.links && origin?.sourceCustomerId !== undefined) {
    try {
      reserved = await deps.links.reserve({
        source: origin.source,
        sourceCustomerId: origin.sourceCustomerId,
        legalEntity: request.Customer.LegalEntity,
        createCorrelationId: correlationId,
        createdAt: now.toISOString(),
        fieldStamps: '{}',
      });
      reserved = await takeOverDeadReservation(reserved, { correlationId, now }, deps);
      // The reference is another request's (its customer, or its create still running): refused,
      // so a reference never silently names two customers. A repeat of the same request (its
      // Idempotency-Key) is the same correlation ID and goes on to its replay.
      if (origin.exclusive && reserved.createCorrelationId !== correlationId)
        return { kind: 'reference-in-use', correlationId: reserved.createCorrelationId };
    } catch (error) {
      deps.log.error('customer.accept.link_failed', { reason: errorName(error) });
      return { kind: 'unavailable' };
    }
  }
  const result = await acceptValidated(
    {
      request,
      fingerprint: customerFingerprint(request),
      legalEntity: request.Customer.LegalEntity,
      record: emailKeyField(request.Customer.EmailAddress),
    },
    deps,
    options,
    { now, correlationId },
  );
  if (result.kind === 'unavailable' && reserved) await releaseReservation(reserved, correlationId, deps);
  return result;
}

/**
 * Whether the source's customer, or the whole source, was erased (issue 27, the erasure marks): `erased`, or `unavailable`
 * when the mark cannot be read (nothing is stored then either), else false.
 */
export async function isErased(
  origin: { source: string; sourceCustomerId?: string } | undefined,
  deps: Pick<AcceptDeps, 'erasureMarks' | 'log'>,
): Promise<'erased' | 'unavailable' | false> {
  if (!deps.erasureMarks || origin === undefined) return false;
  const marks = deps.erasureMarks;
  // The customer's own mark (customers/redact), and the whole source's (shop/redact).
  const keys = [erasureMarkKey(origin.source, SOURCE_WIDE)];
  if (origin.sourceCustomerId !== undefined)
    keys.push(erasureMarkKey(origin.source, origin.sourceCustomerId));
  try {
    const marked = await Promise.all(keys.map((key) => marks.isMarked(key)));
    return marked.includes(true) ? 'erased' : false;
  } catch (error) {
    deps.log.error('customer.accept.mark_failed', { reason: errorName(error) });
    return 'unavailable';
  }
}

/**
 * The record's ID: derived from the caller, the route and the Idempotency-Key (key-correlation.ts),
 * else a new one; undefined (logged) when the key's ID cannot be had now: the intake is `unavailable`.
 */
export async function correlationIdFor(
  deps: AcceptDeps,
  options: AcceptOptions,
): Promise<string | undefined> {
  if (options.idempotencyKey === undefined) return deps.newId?.() ?? randomUUID();
  const scope = {
    caller: options.caller ?? 'anonymous',
    route: options.route ?? ROUTE,
    key: options.idempotencyKey,
  };
  return correlationIdForKey(deps, scope);
}

/** A validated request (a create's contract, or an update), ready to be stored and queued. */
export interface ValidatedRequest {
  /** What the queue message carries. */
  request: unknown;
  fingerprint: string;
  legalEntity: string;
  /** Set on the record: an update's kind and the customer it changes. */
  record?: Partial<
    Pick<StatusRecord, 'kind' | 'customerAccount' | 'source' | 'sourceCustomerId' | 'emailKey'>
  >;
}

/** Stores the record and queues the message of a validated request (the Idempotency-Key rules above). */
export async function acceptValidated(
  validated: ValidatedRequest,
  deps: AcceptDeps,
  options: AcceptOptions,
  at: { now?: Date; correlationId?: string } = {},
): Promise<AcceptResult> {
  const { request, fingerprint } = validated;
  const now = at.now ?? deps.now?.() ?? new Date();
  const caller = options.caller ?? 'anonymous';
  const keyed = options.idempotencyKey !== undefined;
  const correlationId = at.correlationId ?? (await correlationIdFor(deps, options));
  if (correlationId === undefined) return { kind: 'unavailable' };
  const timestamp = now.toISOString();
  const message = queueMessageFor(correlationId, timestamp);

  const fields: Omit<StatusRecord, 'etag'> = {
    correlationId,
    status: keyed ? 'accepting' : 'queued',
    legalEntity: validated.legalEntity,
    target: deps.target,
    attempts: 0,
    createdAt: timestamp,
    queuedAt: timestamp,
    updatedAt: timestamp,
    payload: JSON.stringify(request),
    fingerprint,
    ...(caller !== 'anonymous' && { caller }),
    ...(options.callbackUrl !== undefined && { callbackUrl: options.callbackUrl }),
    ...(options.identity !== undefined && { identity: options.identity }),
    ...(options.priority !== undefined && { priority: options.priority }),
    ...(options.origin && { source: options.origin.source }),
    ...(options.origin?.sourceCustomerId !== undefined && {
      sourceCustomerId: options.origin.sourceCustomerId,
    }),
    ...validated.record,
  };
  const delaySeconds = options.delaySeconds ?? 0;
  if (!keyed && delaySeconds > 0) {
    // Held back for the wait: the record and the message side by side (store-and-queue.ts).
    const stored = await storeAndQueueAtOnce(fields, message, delaySeconds, deps);
    return stored ? acceptedNow(stored, message, deps, options) : { kind: 'unavailable' };
  }
  let record: StatusRecord;
  try {
    record = await deps.statusStore.create(fields);
  } catch (error) {
    if (keyed && error instanceof StatusConflictError) {
      return repeatedKey(correlationId, fingerprint, deps, options);
    }
    deps.log.error('customer.accept.store_failed', { correlationId, reason: errorName(error) });
    return { kind: 'unavailable' };
  }

  const sent = await sendOrRollBack(record, message, deps, options);
  if (sent.kind !== 'accepted') return sent;
  return acceptedNow(sent.record, message, deps, options);
}

/** The request is stored and queued: logged and told to telemetry. */
function acceptedNow(
  record: StatusRecord,
  message: QueueMessage,
  deps: AcceptDeps,
  options: AcceptOptions,
): AcceptResult {
  const { correlationId, legalEntity } = record;
  deps.log.info('customer.accepted', { correlationId, legalEntity });
  deps.telemetry.trackEvent({
    name: 'CustomerAccepted',
    properties: { correlationId, legalEntity, ...(options.origin && { source: options.origin.source }) },
  });
  return { kind: 'accepted', record, message, replayed: false };
}

/** Writes the message; then `accepting` becomes `queued`. On failure the claim is removed. */
async function sendOrRollBack(
  record: StatusRecord,
  message: QueueMessage,
  deps: AcceptDeps,
  options: AcceptOptions,
): Promise<AcceptResult> {
  const { correlationId } = record;
  try {
    await deps.queue.send(message, { delaySeconds: options.delaySeconds });
  } catch (error) {
    deps.log.error('customer.accept.queue_failed', { correlationId, reason: errorName(error) });
    await deps.statusStore
      .delete(record)
      .catch((deleteError: unknown) =>
        deps.log.error('customer.accept.cleanup_failed', { correlationId, reason: errorName(deleteError) }),
      );
    return { kind: 'unavailable' };
  }
  if (record.status !== 'accepting') return { kind: 'accepted', record, message, replayed: false };
  try {
    const queued = await deps.statusStore.update(record, { status: 'queued', updatedAt: nowIso(deps) });
    return { kind: 'accepted', record: queued, message, replayed: false };
  } catch (error) {
    // The message is on the queue; a worker may already have moved the record on, which is fine.
    if (!(error instanceof StatusConflictError)) {
      deps.log.warn('customer.accept.mark_queued_failed', { correlationId, reason: errorName(error) });
    }
    return {
      kind: 'accepted',
      record: (await deps.statusStore.get(correlationId)) ?? record,
      message,
      replayed: false,
    };
  }
}

/** A second request with the same Idempotency-Key. */
async function repeatedKey(
  correlationId: string,
  fingerprint: string,
  deps: AcceptDeps,
  options: AcceptOptions,
): Promise<AcceptResult> {
  const existing = await deps.statusStore.get(correlationId);
  if (!existing) return { kind: 'in-progress' };
  if (existing.fingerprint !== fingerprint) return { kind: 'key-reused' };
  if (existing.status !== 'accepting') {
    deps.log.info('customer.idempotent_replay', { correlationId, status: existing.status });
    return { kind: 'accepted', record: existing, replayed: true };
  }
  const age = (deps.now?.() ?? new Date()).getTime() - Date.parse(existing.updatedAt);
  if (age < ACCEPTING_STALE_MS) return { kind: 'in-progress' };
  // The first request claimed the key and died before queueing: take the claim over and queue it.
  let claim: StatusRecord;
  try {
    claim = await deps.statusStore.update(existing, { updatedAt: nowIso(deps) });
  } catch (error) {
    if (error instanceof StatusConflictError) return { kind: 'in-progress' };
    throw error;
  }
  deps.log.warn('customer.accept.claim_taken_over', { correlationId });
  return sendOrRollBack(claim, queueMessageFor(correlationId, existing.createdAt), deps, options);
}
