import { FieldError, parseCustomerRequest } from '../../domain/customer-contract';
import { applyMergePatch } from '../../domain/customer-update';
import { messageFromRecord } from '../../domain/queue-message';
import { mayReplay, mayResolve } from '../../domain/operations/request-view';
import { AuditActor, AuditEntry } from '../../domain/operations/audit';
import { changedPointers } from '../../domain/operations/changed-fields';
import { scrub } from '../../domain/redaction';
import { StatusRecord } from '../../domain/status';
import { AuditLog, CustomerQueue, Log, StatusConflictError, StatusStore } from '../../ports';
import { clock } from '../clock';

/**
 * What an operator does to one request (issue 31): read its payload (audited), replay it, edit and
 * replay it, resolve it. Every action is written to the audit log (who, what, when, which request;
 * field names, never values); each returns a closed result the HTTP edge maps to an answer.
 */
export interface ActDeps {
  statusStore: StatusStore;
  queue: CustomerQueue;
  audit: AuditLog;
  log: Log;
  defaultCustomerGroup: string;
  now?: () => Date;
}

type Refusal = { kind: 'not-found' } | { kind: 'conflict'; detail: string };

const at = (deps: ActDeps) => clock(deps).toISOString();

async function audit(
  deps: ActDeps,
  actor: AuditActor,
  entry: Pick<AuditEntry, 'action' | 'outcome'> & Partial<AuditEntry>,
  correlationId: string,
): Promise<void> {
  await deps.audit.append({ at: at(deps), actor, correlationIds: [correlationId], count: 1, ...entry });
}

/** The stored request (personal data), for an operator who asked for it; the read is audited first. */
export async function readPayload(
  correlationId: string,
  actor: AuditActor,
  deps: ActDeps,
): Promise<{ kind: 'payload'; payload: unknown; original?: unknown } | Refusal> {
  const record = await deps.statusStore.get(correlationId);
  if (!record) return { kind: 'not-found' };
  if (record.payload === undefined)
    return { kind: 'conflict', detail: 'Nothing is stored: the request succeeded or is past its retention.' };
  await audit(deps, actor, { action: 'payload.read', outcome: 'shown' }, correlationId);
  return {
    kind: 'payload',
    payload: JSON.parse(record.payload) as unknown,
    ...(record.originalPayload !== undefined && { original: JSON.parse(record.originalPayload) as unknown }),
  };
}

/**
 * Back to `queued` with a fresh retry budget (and a new payload, for edit and retry), then its
 * message. Clears the failure and any resolution. A request whose earlier attempt may have reached
 * D365 is looked up first by the worker, so a replay never makes a second customer.
 */
async function requeue(
  record: StatusRecord,
  changes: Partial<StatusRecord>,
  deps: ActDeps,
): Promise<StatusRecord> {
  const now = at(deps);
  const queued = await deps.statusStore.update(record, {
    status: 'queued',
    attempts: 0,
    errorCode: undefined,
    errorMessage: undefined,
    lastError: undefined,
    resolvedAt: undefined,
    resolution: undefined,
    resolvedBy: undefined,
    resolutionNote: undefined,
    queuedAt: now,
    updatedAt: now,
    ...changes,
  });
  await deps.queue.send(messageFromRecord({ ...queued, payload: queued.payload! }));
  deps.log.info('customer.replayed', { correlationId: record.correlationId, legalEntity: record.legalEntity });
  return queued;
}

const notReplayable = (record: StatusRecord): Refusal => ({
  kind: 'conflict',
  detail:
    record.status !== 'failed'
      ? `Only a failed request can be replayed; this one is ${record.status}.`
      : 'The request is past its retention; nothing is left to replay.',
});

/** Replays a failed request as it is. */
export async function retryRequest(
  correlationId: string,
  actor: AuditActor,
  deps: ActDeps,
): Promise<{ kind: 'queued'; record: StatusRecord } | Refusal> {
  const record = await deps.statusStore.get(correlationId);
  if (!record) return { kind: 'not-found' };
  if (!mayReplay(record)) return notReplayable(record);
  const queued = await requeue(record, {}, deps);
  await audit(deps, actor, { action: 'request.retry', outcome: 'queued' }, correlationId);
  return { kind: 'queued', record: queued };
}

/**
 * Edit and retry: a JSON Merge Patch (RFC 7396) on the stored request, validated exactly as the
 * intake validates a new one (the same rules, the same pointers), then replayed. The request as the
 * caller sent it is kept (`originalPayload`) for the audit; the audit log names the changed fields.
 * Creates only: an update is itself a patch (send a new one). `LegalEntity` cannot change, and
 * neither can `EmailAddress` once a create may have reached D365 (the worker finds it by e-mail).
 */
export async function editAndRetry(
  correlationId: string,
  patch: unknown,
  actor: AuditActor,
  deps: ActDeps,
): Promise<{ kind: 'queued'; record: StatusRecord; fields: string[] } | { kind: 'invalid'; errors: FieldError[] } | Refusal> {
  const record = await deps.statusStore.get(correlationId);
  if (!record) return { kind: 'not-found' };
  if (!mayReplay(record)) return notReplayable(record);
  if (record.kind === 'update')
    return { kind: 'conflict', detail: 'An update cannot be edited: replay it, or send a new PATCH of the customer.' };
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch))
    return { kind: 'invalid', errors: [{ pointer: '', detail: 'The body must be a JSON Merge Patch object: {"Customer": {...}}.' }] };
  const before = JSON.parse(record.payload!) as { Customer: Record<string, unknown> };
  const parsed = parseCustomerRequest(applyMergePatch(before, patch), {
    defaultCustomerGroup: deps.defaultCustomerGroup,
    now: clock(deps),
  });
  if (!parsed.ok) return { kind: 'invalid', errors: parsed.errors };
  const after = parsed.value as unknown as { Customer: Record<string, unknown> };
  const fields = changedPointers(before, after);
  const frozen = fields.find(
    (p) => p === '/Customer/LegalEntity' || (p === '/Customer/EmailAddress' && record.submittedAt !== undefined),
  );
  if (frozen !== undefined)
    return {
      kind: 'invalid',
      errors: [
        {
          pointer: frozen,
          detail:
            frozen === '/Customer/LegalEntity'
              ? 'LegalEntity cannot change: resolve this request and send a new one for the other legal entity.'
              : 'EmailAddress cannot change: an earlier attempt may have created the customer in D365, which is found by its e-mail.',
        },
      ],
    };
  if (fields.length === 0) return { kind: 'conflict', detail: 'The patch changes nothing: use retry to replay it as it is.' };
  const queued = await requeue(
    record,
    { payload: JSON.stringify(after), originalPayload: record.originalPayload ?? record.payload },
    deps,
  );
  await audit(deps, actor, { action: 'request.edit_retry', outcome: 'queued', fields }, correlationId);
  return { kind: 'queued', record: queued, fields };
}

/** Resolves a failed or needs-review request with a note (handled in D365 by hand); the status stays. */
export async function resolveRequest(
  correlationId: string,
  note: string,
  actor: AuditActor,
  deps: ActDeps,
): Promise<{ kind: 'resolved'; record: StatusRecord } | Refusal> {
  const record = await deps.statusStore.get(correlationId);
  if (!record) return { kind: 'not-found' };
  if (!mayResolve(record))
    return {
      kind: 'conflict',
      detail:
        record.resolvedAt !== undefined
          ? 'The request is resolved already.'
          : `Only a failed or needs_review request can be resolved; this one is ${record.status}.`,
    };
  try {
    const resolved = await deps.statusStore.update(record, {
      resolvedAt: at(deps),
      resolution: 'manual',
      resolvedBy: actor.id,
      // An operator's words may name the customer: the known patterns (e-mail, phone) are removed.
      ...(note.trim() !== '' && { resolutionNote: scrub(note.trim()).slice(0, 500) }),
      updatedAt: at(deps),
    });
    await audit(deps, actor, { action: 'request.resolve', outcome: 'resolved' }, correlationId);
    return { kind: 'resolved', record: resolved };
  } catch (error) {
    if (error instanceof StatusConflictError)
      return { kind: 'conflict', detail: 'The request changed meanwhile: look at it again.' };
    throw error;
  }
}
