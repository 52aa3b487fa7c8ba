import type { AuditActor } from '../../domain/operations/audit';
import { linkVerificationByOperator } from '../../domain/ownership';
import { candidatesOf, mayCreateNew, mayLink, ReviewDecision } from '../../domain/operations/review';
import { StatusRecord } from '../../domain/status';
import { StatusConflictError, Telemetry } from '../../ports';
import { clock } from '../clock';
import { completeCreateLink, CreateLinkDeps } from '../create-link';
import { requeueFailed } from '../replay-request';
import type { EndingDeps } from '../worker/endings';
import { recordSucceeded } from '../worker/endings';
import type { ActDeps, Refusal } from './act-on-request';

/**
 * An operator's decision on a `needs_review` create with candidate accounts (issue 32, README
 * "Possible duplicates"), audited like the other operator actions and counted in telemetry
 * (`CustomerReviewed`, outcome the decision; never the values):
 *
 * - `linkToCandidate`: the request ends `succeeded`, outcome `linked`, with the chosen candidate's
 *   account (one of `existingAccounts` only), as the worker ends a link: the customer link written
 *   first (create-link.ts: the caller's later updates find the account by it; verified, since the
 *   operator confirmed it), then the callback and the `CustomerSucceeded` event; it is marked
 *   resolved by the operator.
 * - `createNewCustomer`: a possible duplicate is queued again with `reviewDecision: create_new`; the
 *   worker then skips the possible-duplicate check (an exact match by e-mail, or by name and phone,
 *   still links: the operator's decision is about the candidates it saw, not a licence to duplicate).
 */
export interface ReviewDeps
  extends
    ActDeps,
    Pick<EndingDeps, 'callbackOutbox' | 'target'>,
    Pick<CreateLinkDeps, 'links' | 'toD365Fields'> {
  telemetry: Telemetry;
}

const CHANGED_MEANWHILE: Refusal = {
  kind: 'conflict',
  detail: 'The request changed meanwhile: look at it again.',
};

const notReviewable = (record: StatusRecord): Refusal => ({
  kind: 'conflict',
  detail:
    record.resolvedAt !== undefined
      ? 'The request is resolved already.'
      : `Only a needs_review create with candidate accounts can be decided; this one is ${record.status}.`,
});

async function recordDecision(
  record: StatusRecord,
  decision: ReviewDecision,
  actor: AuditActor,
  deps: ReviewDeps,
): Promise<void> {
  const { correlationId, legalEntity } = record;
  const action = decision === 'linked' ? 'review.link' : 'review.create_new';
  const outcome = decision === 'linked' ? 'linked' : 'queued';
  await deps.audit.append({
    at: clock(deps).toISOString(),
    actor,
    action,
    correlationIds: [correlationId],
    count: 1,
    outcome,
  });
  deps.telemetry.trackEvent({
    name: 'CustomerReviewed',
    properties: { correlationId, legalEntity, outcome: decision },
  });
}

/** Links the request to `customerAccount`, one of its candidates. */
export async function linkToCandidate(
  correlationId: string,
  customerAccount: string,
  actor: AuditActor,
  deps: ReviewDeps,
): Promise<{ kind: 'linked'; record: StatusRecord } | { kind: 'not-a-candidate' } | Refusal> {
  const record = await deps.statusStore.get(correlationId);
  if (!record) return { kind: 'not-found' };
  if (!mayLink(record)) return notReviewable(record);
  const account = candidatesOf(record).find((c) => c.toUpperCase() === customerAccount.trim().toUpperCase());
  if (account === undefined) return { kind: 'not-a-candidate' };
  const at = clock(deps).toISOString();
  try {
    // The link before the record says `succeeded`, as the worker does: an update never finds a
    // finished create without its link. Idempotent: a decision retried after a failure writes it once.
    await completeCreateLink(record, account, linkVerificationByOperator(record.identity), deps);
    await recordSucceeded(
      record,
      {
        customerAccount: account,
        outcome: 'linked',
        fields: {
          reviewDecision: 'linked',
          errorCode: undefined,
          errorMessage: undefined,
          resolvedAt: at,
          resolution: 'manual',
          resolvedBy: actor.id,
        },
      },
      deps,
    );
    const decided = (await deps.statusStore.get(correlationId))!;
    await recordDecision(record, 'linked', actor, deps);
    return { kind: 'linked', record: decided };
  } catch (error) {
    if (error instanceof StatusConflictError) return CHANGED_MEANWHILE;
    throw error;
  }
}

/** Queues a possible duplicate again, to be created as a new customer. */
export async function createNewCustomer(
  correlationId: string,
  actor: AuditActor,
  deps: ReviewDeps,
): Promise<{ kind: 'queued'; record: StatusRecord } | Refusal> {
  const record = await deps.statusStore.get(correlationId);
  if (!record) return { kind: 'not-found' };
  if (!mayCreateNew(record))
    return mayLink(record)
      ? {
          kind: 'conflict',
          detail:
            'Only a possible duplicate whose request is stored can be created anew: link it, or resolve it.',
        }
      : notReviewable(record);
  try {
    const queued = await requeueFailed(
      { ...record, payload: record.payload! },
      { reviewDecision: 'create_new', existingAccounts: undefined, matchedOn: undefined },
      deps,
    );
    await recordDecision(record, 'create_new', actor, deps);
    return { kind: 'queued', record: queued };
  } catch (error) {
    if (error instanceof StatusConflictError) return CHANGED_MEANWHILE;
    throw error;
  }
}
