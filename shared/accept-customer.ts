import { randomUUID } from 'node:crypto';
import { CustomerQueue } from './customer-queue';
import { parseCustomerRequest } from './customer-contract';
import { Log } from './log';
import { FieldError } from './problem';
import { QUEUE_MESSAGE_VERSION } from './queue-message';
import { StatusRecord } from './status';
import { StatusStore } from './status-store';
import { Telemetry } from './telemetry';

export interface AcceptDeps {
  statusStore: StatusStore;
  queue: CustomerQueue;
  telemetry: Telemetry;
  log: Log;
  target: StatusRecord['target'];
  defaultCustomerGroup: string;
  now?: () => Date;
  newId?: () => string;
}

export type AcceptResult =
  | { kind: 'accepted'; record: StatusRecord }
  | { kind: 'invalid'; errors: FieldError[] }
  | { kind: 'unavailable' };

/**
 * Intake: validates and normalises the request, writes the `queued` status record, then the queue
 * message. If the message cannot be written the record is removed again, so no record claims
 * `queued` without a message; the caller gets `unavailable` and may send the request again.
 */
export async function acceptCustomer(body: unknown, deps: AcceptDeps): Promise<AcceptResult> {
  const now = deps.now?.() ?? new Date();
  const parsed = parseCustomerRequest(body, { defaultCustomerGroup: deps.defaultCustomerGroup, now });
  if (!parsed.ok) return { kind: 'invalid', errors: parsed.errors };

  const request = parsed.value;
  const correlationId = deps.newId?.() ?? randomUUID();
  const legalEntity = request.Customer.LegalEntity;
  const timestamp = now.toISOString();
  let record: StatusRecord;
  try {
    record = await deps.statusStore.create({
      correlationId,
      status: 'queued',
      legalEntity,
      target: deps.target,
      attempts: 0,
      createdAt: timestamp,
      updatedAt: timestamp,
      payload: JSON.stringify(request),
    });
  } catch (error) {
    deps.log.error('customer.accept.store_failed', { correlationId, reason: errorName(error) });
    return { kind: 'unavailable' };
  }

  try {
    await deps.queue.send({ v: QUEUE_MESSAGE_VERSION, correlationId, acceptedAt: timestamp, request });
  } catch (error) {
    deps.log.error('customer.accept.queue_failed', { correlationId, reason: errorName(error) });
    await deps.statusStore
      .delete(record)
      .catch((deleteError: unknown) =>
        deps.log.error('customer.accept.cleanup_failed', { correlationId, reason: errorName(deleteError) }),
      );
    return { kind: 'unavailable' };
  }

  deps.log.info('customer.accepted', { correlationId, legalEntity });
  deps.telemetry.trackEvent({ name: 'CustomerAccepted', properties: { correlationId, legalEntity } });
  return { kind: 'accepted', record };
}

/** The class of an error and its status code, never its message (which may echo data). */
export function errorName(error: unknown): string {
  const e = error as { name?: string; statusCode?: number; code?: string } | null;
  return [e?.name ?? 'Error', e?.statusCode ?? e?.code].filter(Boolean).join(' ');
}
