import { errorName } from '../domain/failure';
import { dueAtFor, PrivacyKind, privacyDedupeKey, PrivacyState, PrivacySubject } from '../domain/privacy';
import { queueMessageFor } from '../domain/queue-message';
import type { StatusRecord } from '../domain/status';
import { StatusConflictError } from '../ports';
import type { AcceptDeps } from './accept-customer';
import { correlationIdForKey } from './key-correlation';

/**
 * Intake of a privacy request (issue 27), whichever way it came (Shopify's compliance topics, a
 * Standard Webhooks sender, the operators' API): stored as a status record of kind `erase` or
 * `export` with its due date, then queued (the message names it only). Its ID is derived from who
 * sent it and what identifies the request, so a redelivery — on any instance, at the same moment —
 * finds the first one's record and is answered with it: the work is done once.
 */
export interface PrivacyIntake {
  kind: PrivacyKind;
  origin: PrivacyState['origin'];
  subject: PrivacySubject;
  /** What makes two deliveries the same request (privacy-request.ts `privacyDedupeKey`). */
  dedupe: { parts: readonly string[]; windowed: boolean };
  /** The legal entity shown on the record: the subject's, a shop's, or `*` (any). */
  legalEntity?: string;
  /** Where the signed result (an export: with its content) goes when it completes. */
  callbackUrl?: string;
}

export type PrivacyIntakeResult =
  | { kind: 'accepted'; record: StatusRecord; replayed: boolean }
  /** The same Idempotency-Key was used for another request (the API only). */
  | { kind: 'key-reused' }
  | { kind: 'unavailable' };

const ROUTE = 'privacy';

export async function acceptPrivacyRequest(
  intake: PrivacyIntake,
  deps: Pick<
    AcceptDeps,
    'statusStore' | 'queue' | 'telemetry' | 'log' | 'target' | 'now' | 'correlationKey' | 'retentionDays'
  >,
): Promise<PrivacyIntakeResult> {
  const now = deps.now?.() ?? new Date();
  const key = privacyDedupeKey(intake.dedupe.parts, now, intake.dedupe.windowed);
  const correlationId = await correlationIdForKey(deps, { caller: intake.origin.caller, route: ROUTE, key });
  if (correlationId === undefined) return { kind: 'unavailable' };
  const timestamp = now.toISOString();
  const state: PrivacyState = {
    $privacy: 1,
    kind: intake.kind,
    origin: intake.origin,
    subject: intake.subject,
    receivedAt: timestamp,
    dueAt: dueAtFor(now),
    phase: 'mark',
    rounds: 0,
    found: {},
    erased: {},
    d365: [],
    d365Listed: false,
    d365Total: 0,
    shopsUnreached: [],
    marks: [],
    fetches: [],
  };
  let result: PrivacyIntakeResult;
  try {
    const record = await deps.statusStore.create({
      correlationId,
      kind: intake.kind,
      status: 'queued',
      legalEntity: intake.legalEntity ?? intake.subject.legalEntity ?? '*',
      target: deps.target,
      attempts: 0,
      createdAt: timestamp,
      queuedAt: timestamp,
      updatedAt: timestamp,
      dueAt: state.dueAt,
      payload: JSON.stringify(state),
      fingerprint: key,
      caller: intake.origin.caller,
      ...(intake.origin.source !== undefined && { source: intake.origin.source }),
      ...(intake.callbackUrl !== undefined && { callbackUrl: intake.callbackUrl }),
    });
    result = { kind: 'accepted', record, replayed: false };
  } catch (error) {
    if (!(error instanceof StatusConflictError)) {
      deps.log.error('privacy.store_failed', { correlationId, reason: errorName(error) });
      return { kind: 'unavailable' };
    }
    const existing = await deps.statusStore.get(correlationId);
    if (!existing) return { kind: 'unavailable' };
    if (existing.fingerprint !== key) return { kind: 'key-reused' };
    result = { kind: 'accepted', record: existing, replayed: true };
  }
  if (!result.replayed) await queueOrLeaveToReconciler(result.record, deps);
  report(intake, result, deps);
  return result;
}

/**
 * The record is stored: the request will be done. A message that cannot be written now is written
 * by the reconciler (a `queued` record without progress), so the sender still gets its answer.
 */
async function queueOrLeaveToReconciler(
  record: StatusRecord,
  deps: Pick<AcceptDeps, 'queue' | 'log'>,
): Promise<void> {
  try {
    await deps.queue.send(queueMessageFor(record.correlationId, record.createdAt));
  } catch (error) {
    deps.log.warn('privacy.queue_failed', { correlationId: record.correlationId, reason: errorName(error) });
  }
}

function report(
  intake: PrivacyIntake,
  result: Extract<PrivacyIntakeResult, { kind: 'accepted' }>,
  deps: Pick<AcceptDeps, 'telemetry' | 'log'>,
): void {
  const { correlationId } = result.record;
  const outcome = result.replayed ? 'replayed' : 'accepted';
  const source = intake.origin.source;
  deps.telemetry.trackEvent({
    name: 'PrivacyRequestReceived',
    properties: {
      correlationId,
      topic: intake.kind,
      outcome,
      sourceKind: intake.origin.via,
      ...(source !== undefined && { source }),
    },
  });
  deps.log.info('privacy.received', {
    correlationId,
    topic: intake.kind,
    outcome,
    ...(source && { source }),
  });
}
