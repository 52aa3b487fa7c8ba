import { FieldError, parseCustomerRequest } from '../../domain/customer-contract';
import { applyMergePatch } from '../../domain/customer-update';
import { mayReplay, mayResolve } from '../../domain/operations/request-view';
import { AuditActor, AuditEntry } from '../../domain/operations/audit';
import { changedPointers } from '../../domain/operations/changed-fields';
import { scrub } from '../../domain/redaction';
import { StatusRecord } from '../../domain/status';
import { AuditLog, CustomerQueue, Log, StatusConflictError, StatusStore } from '../../ports';
import { clock } from '../clock';
import { requeueFailed } from '../replay-request';

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

export type Refusal = { kind: 'not-found' } | { kind: 'conflict'; detail: string };

const CHANGED_MEANWHILE: Refusal = {
  kind: 'conflict',
  detail: 'The request changed meanwhile: look at it again.',
};

async function audit(
  deps: ActDeps,
  actor: AuditActor,
  entry: Pick<AuditEntry, 'action' | 'outcome'> & Partial<AuditEntry>,
  correlationId: string,
): Promise<void> {
  const at = clock(deps).toISOString();
  await deps.audit.append({ at, actor, correlationIds: [correlationId], count: 1, ...entry });
}

/** Runs a change of the record; `undefined` when it changed meanwhile (another operator, the worker). */
async function unlessChanged<T>(change: () => Promise<T>): Promise<T | undefined> {
  try {
    return await change();
  } catch (error) {
    if (error instanceof StatusConflictError) return undefined;
    throw error;
  }
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
  const queued = await unlessChanged(() => requeueFailed({ ...record, payload: record.payload! }, {}, deps));
  if (!queued) return CHANGED_MEANWHILE;
  await audit(deps, actor, { action: 'request.retry', outcome: 'queued' }, correlationId);
  return { kind: 'queued', record: queued };
}

export type EditResult =
  | { kind: 'queued'; record: StatusRecord; fields: string[] }
  | { kind: 'invalid'; errors: FieldError[] }
  | Refusal;

/** Members an edit may not change, and why (checked after the intake's rules). */
function frozenChange(fields: string[], record: StatusRecord): FieldError | undefined {
  if (fields.includes('/Customer/LegalEntity'))
    return {
      pointer: '/Customer/LegalEntity',
      detail:
        'LegalEntity cannot change: resolve this request and send a new one for the other legal entity.',
    };
  if (fields.includes('/Customer/EmailAddress') && record.submittedAt !== undefined)
    return {
      pointer: '/Customer/EmailAddress',
      detail:
        'EmailAddress cannot change: an earlier attempt may have created the customer in D365, which is found by its e-mail.',
    };
  return undefined;
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
): Promise<EditResult> {
  const record = await deps.statusStore.get(correlationId);
  if (!record) return { kind: 'not-found' };
  if (!mayReplay(record)) return notReplayable(record);
  const before = JSON.parse(record.payload!) as unknown;
  if (record.kind === 'update' || typeof before !== 'object' || before === null || !('Customer' in before))
    return {
      kind: 'conflict',
      detail: 'Only a create sent as a customer request can be edited: replay this one as it is.',
    };
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch))
    return {
      kind: 'invalid',
      errors: [{ pointer: '', detail: 'The body must be a JSON Merge Patch object: {"Customer": {...}}.' }],
    };
  const parsed = parseCustomerRequest(applyMergePatch(before, patch), {
    defaultCustomerGroup: deps.defaultCustomerGroup,
    now: clock(deps),
  });
  if (!parsed.ok) return { kind: 'invalid', errors: parsed.errors };
  const fields = changedPointers(before, parsed.value);
  const frozen = frozenChange(fields, record);
  if (frozen) return { kind: 'invalid', errors: [frozen] };
  if (fields.length === 0)
    return { kind: 'conflict', detail: 'The patch changes nothing: retry replays the request as it is.' };
  const payload = JSON.stringify(parsed.value);
  const originalPayload = record.originalPayload ?? record.payload!;
  const queued = await unlessChanged(() =>
    requeueFailed({ ...record, payload }, { payload, originalPayload }, deps),
  );
  if (!queued) return CHANGED_MEANWHILE;
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
  const at = clock(deps).toISOString();
  const resolved = await unlessChanged(() =>
    deps.statusStore.update(record, {
      resolvedAt: at,
      resolution: 'manual',
      resolvedBy: actor.id,
      // An operator's words may name the customer: the known patterns (e-mail, phone) are removed.
      ...(note.trim() !== '' && { resolutionNote: scrub(note.trim()).slice(0, 500) }),
      updatedAt: at,
    }),
  );
  if (!resolved) return CHANGED_MEANWHILE;
  await audit(deps, actor, { action: 'request.resolve', outcome: 'resolved' }, correlationId);
  return { kind: 'resolved', record: resolved };
}
