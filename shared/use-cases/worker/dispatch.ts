import { parseCustomerRequest } from '../../domain/customer-contract';
import { isUpdateRequest, parseUpdateRequest, UpdateRequest } from '../../domain/customer-update';
import { decodeQueueMessage, QueueMessage } from '../../domain/queue-message';
import { isPrivacyKind, parsePrivacyState, PrivacyState } from '../../domain/privacy';
import { FAILURE_CODES, StatusRecord } from '../../domain/status';
import { sourceReferenceOf } from '../../domain/webhooks/source-reference';
import { AdmissionTicket, FairAdmission, StatusConflictError } from '../../ports';
import { clock } from '../clock';
import { RECORD_GRACE_MS } from '../store-and-queue';
import { claimAtFence, claimRecord, decideOrDefer, slotAtOnce } from './claim';
import { CreateMessage, runCreate } from './create';
import { Claimed, hasUpdateDeps, ProcessOptions, ProcessResult, WorkerDeps } from './deps';
import { defer, recordFailure } from './endings';
import { runUpdate } from './update';
import { runPrivacy } from './privacy';
import { hasPrivacyDeps } from './privacy-job';

/**
 * The customer queue's worker, for creates and updates alike (the state machine of
 * shared/domain/status.ts): the message only names the request (queue-message.ts); its record is
 * read, the request decoded once from the record's payload, and the record claimed
 * (`queued`/`retrying` → `processing`, a bounded loop when the claim conflicts); then the create's
 * steps (create.ts, lookup.ts, created.ts) or the update's (update.ts) run to one of the endings
 * in endings.ts. Claim, lease and gate slot: claim.ts.
 */
export async function processQueuedRequest(
  input: unknown,
  deps: WorkerDeps,
  options: ProcessOptions = {},
): Promise<ProcessResult> {
  const decoded = decodeQueueMessage(input);
  if (!decoded.ok) return discardInvalid({ kind: 'invalid', correlationId: decoded.correlationId }, deps);
  const { message } = decoded;
  // Fair sharing: the admission ticket, held from before the claim to the end of this invocation.
  const held: { ticket?: AdmissionTicket } = {};
  try {
    return await claimAndRun(message, deps, options, held);
  } finally {
    held.ticket?.release();
  }
}

/** The claim loop of one delivery (`held` keeps its admission ticket). */
async function claimAndRun(
  message: QueueMessage,
  deps: WorkerDeps,
  options: ProcessOptions,
  held: { ticket?: AdmissionTicket },
): Promise<ProcessResult> {
  const claimAttempts = options.claimAttempts ?? 3;
  for (let tries = 1; ; tries++) {
    // The record as the intake wrote it, the first time; else as stored now.
    const accepted = tries === 1 && options.accepted?.correlationId === message.correlationId;
    const record = accepted ? options.accepted : await loadRecord(message, deps);
    if (!record) return withoutRecord(message, deps);
    const decision = await decideOrDefer(record, message, deps);
    if ('result' in decision) return decision.result;
    const work = decode(message, record, deps);
    if (work.kind === 'invalid') return discardInvalid(work, deps, record);
    if (!held.ticket && deps.admission) {
      const admission = admit(record, message, deps.admission);
      if ('deferred' in admission)
        return { kind: 'deferred', delaySeconds: await deferOverShare(admission, deps) };
      held.ticket = admission.ticket;
    }
    // A create without a lookup whose slot is at hand: the claim is its fence (claim.ts, issue 33).
    const slot =
      work.kind === 'create' && 'request' in work ? slotAtOnce(decision.mayExist, deps) : undefined;
    const claimed = slot
      ? await claimAtFence(record, decision.attempt, deps)
      : await claimRecord(record, decision.attempt, deps);
    if (claimed !== 'conflict') {
      const submittedAt =
        record.submittedAt ?? (record.status === 'submitting' ? record.updatedAt : undefined);
      const { attempt, mayExist } = decision;
      const item: Claimed = { message, record: claimed, attempt, mayExist, submittedAt, started: Date.now() };
      return runClaimed(work, slot ? { ...item, slot } : item, deps);
    }
    await slot?.release().catch(() => undefined); // a row not given back frees itself at its lease's end
    // The record changed between our read and our claim: read it again (a live lease defers the
    // message until it ends), at most `claimAttempts` times.
    if (tries >= claimAttempts) return { kind: 'deferred', delaySeconds: await defer(message, 1, deps) };
  }
}

type Decoded =
  | ({ kind: 'create' } & CreateMessage)
  | { kind: 'update'; update: UpdateRequest }
  | { kind: 'privacy'; state: PrivacyState }
  | { kind: 'invalid'; correlationId?: string; reason?: string };

/**
 * Fair sharing (issue 24): a ticket while the request's caller is within its share on this instance,
 * else the message to send back with the delay the admission gives.
 */
function admit(
  record: StatusRecord,
  message: QueueMessage,
  admission: FairAdmission,
): { ticket: AdmissionTicket } | { deferred: { message: QueueMessage; seconds: number } } {
  const answer = admission.admit(admission.shareOf(record));
  if ('release' in answer) return { ticket: answer };
  return { deferred: { message, seconds: answer.deferSeconds } };
}

/**
 * Sends an over-share message back for later: a new message, so its dequeue count starts again and
 * deferral never pushes a request towards the poison queue; the record is not touched.
 */
async function deferOverShare(
  admission: { deferred: { message: QueueMessage; seconds: number } },
  deps: WorkerDeps,
): Promise<number> {
  const { message, seconds } = admission.deferred;
  const delaySeconds = await defer(message, seconds, deps);
  deps.log.info('customer.deferred_for_fair_share', {
    correlationId: message.correlationId,
    retryAfterSeconds: delaySeconds,
  });
  return delaySeconds;
}

/**
 * The request, once, from its record's payload (a legacy message's own copy when the record has
 * none): a create (the customer, or a shop's reference to it), an update, or invalid.
 */
function decode(message: QueueMessage, record: StatusRecord, deps: WorkerDeps): Decoded {
  const { correlationId } = record;
  if (isPrivacyKind(record.kind)) {
    const state = parsePrivacyState(record.payload);
    return state
      ? { kind: 'privacy', state }
      : { kind: 'invalid', correlationId, reason: 'not a privacy request' };
  }
  const request = requestOf(record, message);
  if (request === undefined) return { kind: 'invalid', correlationId, reason: 'no request stored' };
  if (isUpdateRequest(request)) {
    const update = parseUpdateRequest(request);
    return update ? { kind: 'update', update } : { kind: 'invalid', correlationId, reason: 'not an update' };
  }
  // A webhook that only named the shop's customer: it is read from the shop once claimed.
  const reference = sourceReferenceOf(request);
  if (reference) return { kind: 'create', reference };
  const parsed = parseCustomerRequest(request, { defaultCustomerGroup: deps.defaultCustomerGroup });
  if (parsed.ok) return { kind: 'create', request: parsed.value };
  return { kind: 'invalid', correlationId, reason: parsed.errors.map((e) => e.pointer).join(',') };
}

/** The stored request (JSON), else what a legacy message carried; undefined when neither has one. */
function requestOf(record: StatusRecord, message: QueueMessage): unknown {
  if (record.payload === undefined) return message.request;
  try {
    return JSON.parse(record.payload) as unknown;
  } catch {
    return undefined;
  }
}

/** A message no worker can carry out: its request (if it has a record) ends `failed`. */
async function discardInvalid(
  invalid: Extract<Decoded, { kind: 'invalid' }>,
  deps: WorkerDeps,
  known?: StatusRecord,
): Promise<ProcessResult> {
  const { correlationId, reason } = invalid;
  deps.log.error('customer.message.invalid', { correlationId, ...(reason !== undefined && { reason }) });
  const record = known ?? (correlationId ? await deps.statusStore.get(correlationId) : undefined);
  if (record) await recordFailure(record, 'invalid_message', FAILURE_CODES.invalid_message, deps);
  return { kind: 'discarded' };
}

/**
 * A message whose record is not there: looked at again while its record may still be on its way
 * (written beside the message, store-and-queue.ts), else discarded.
 */
async function withoutRecord(message: QueueMessage, deps: WorkerDeps): Promise<ProcessResult> {
  const age = clock(deps).getTime() - Date.parse(message.acceptedAt);
  if (!(age < RECORD_GRACE_MS)) return discardWithoutRecord(message, deps);
  const delaySeconds = await defer(message, 5, deps);
  deps.log.warn('customer.record_not_yet_written', { correlationId: message.correlationId });
  return { kind: 'deferred', delaySeconds };
}

function discardWithoutRecord(message: QueueMessage, deps: WorkerDeps): ProcessResult {
  deps.log.error('customer.message.invalid', {
    correlationId: message.correlationId,
    reason: 'no record for the message',
  });
  return { kind: 'discarded' };
}

/**
 * The request's record. A legacy message that still carries its customer gets its record back if
 * it is missing (re-created from the message); any other message without a record is discarded.
 */
async function loadRecord(message: QueueMessage, deps: WorkerDeps): Promise<StatusRecord | undefined> {
  const existing = await deps.statusStore.get(message.correlationId);
  if (existing || message.request === undefined) return existing;
  const parsed = parseCustomerRequest(message.request, { defaultCustomerGroup: deps.defaultCustomerGroup });
  if (!parsed.ok) return undefined;
  try {
    return await deps.statusStore.create({
      correlationId: message.correlationId,
      status: 'queued',
      legalEntity: parsed.value.Customer.LegalEntity,
      target: deps.target,
      attempts: 0,
      createdAt: message.acceptedAt,
      queuedAt: message.acceptedAt,
      updatedAt: clock(deps).toISOString(),
      payload: JSON.stringify(parsed.value),
    });
  } catch (error) {
    if (!(error instanceof StatusConflictError)) throw error;
    const record = await deps.statusStore.get(message.correlationId);
    if (!record) throw error;
    return record;
  }
}

/** The claimed request's own steps: the create's, the update's or a privacy request's (issue 27). */
function runClaimed(
  decoded: Exclude<Decoded, { kind: 'invalid' }>,
  work: Claimed,
  deps: WorkerDeps,
): Promise<ProcessResult> {
  const { correlationId, legalEntity } = work.record;
  deps.log.info('customer.processing', { correlationId, legalEntity, attempt: work.attempt });
  if (decoded.kind === 'create') return runCreate(work, decoded, deps);
  if (decoded.kind === 'privacy') {
    if (!hasPrivacyDeps(deps)) throw new Error('The worker was given a privacy request without its ports.');
    return runPrivacy(work, decoded.state, deps);
  }
  if (!hasUpdateDeps(deps)) throw new Error('The worker was given an update without the update ports.');
  return runUpdate(work, decoded.update, deps);
}
