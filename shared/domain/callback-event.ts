import { createHash } from 'node:crypto';
import { z } from 'zod';
import { mayRevealAccounts } from './ownership';
import { FailureCode, Status, StatusAnswer, StatusRecord } from './status';
import { WriteBackAnswer, writeBackAnswer, WriteBackState } from './write-back';

/**
 * Result callbacks: the event a caller's callback URL receives when its request ends, and the
 * outbox message that carries it on the callback queue until it is delivered.
 *
 * The event holds no personal data: the correlation ID, the final status, the legal entity, the
 * D365 account, the outcome and the failure code. It is built from the status record at delivery,
 * so every delivery of one event sends the same body, and its ID (`webhook-id`) is derived from
 * the request, its final status and the series of attempts it ends (an operator's replay starts a
 * new one), so a receiver that dedupes on `webhook-id` (as the Standard Webhooks spec asks) sees
 * each ending once however often it is delivered.
 */
export const CALLBACK_MESSAGE_VERSION = 1;

export const callbackMessageSchema = z.strictObject({
  v: z.literal(CALLBACK_MESSAGE_VERSION),
  correlationId: z.uuid(),
  /** The status the request was ending in when the message was written (before the record said so). */
  status: z.string().min(1).max(40),
  /** The record's `queuedAt` then: which series of attempts this ending closes. */
  queuedAt: z.string().min(1).max(40),
  url: z.url({ protocol: /^https$/ }),
  /** Delivery attempts made so far. */
  attempts: z.number().int().min(0),
  /** Times the message came before the record showed its ending (the writer had not got there yet). */
  early: z.number().int().min(0).default(0),
  /** When the message was first written (ISO). */
  writtenAt: z.iso.datetime(),
});

export type CallbackMessage = z.infer<typeof callbackMessageSchema>;

/** The event body (Standard Webhooks' recommended `type` / `timestamp` / `data` envelope). */
export interface CallbackEvent {
  type: `customer.${string}`;
  /** When the request ended (the record's `updatedAt`). */
  timestamp: string;
  /** The status answer's identifying fields (no personal data), the failure's code and the attempts. */
  data: Pick<
    StatusAnswer,
    | 'correlationId'
    | 'kind'
    | 'status'
    | 'legalEntity'
    | 'source'
    | 'sourceCustomerId'
    | 'customerAccount'
    | 'outcome'
    | 'verification'
  > & { errorCode?: FailureCode; attempts: number; writeBack?: WriteBackAnswer };
}

/**
 * The shop write-back's endings are events of their own (`customer.write_back.written`,
 * `customer.write_back.failed`), announced like a request's ending; the request's `succeeded`
 * event says `writeBack: {status: "pending"}` when one follows.
 */
export type WriteBackEventStatus = `write_back.${Exclude<WriteBackState, 'pending'>}`;
export const isWriteBackEvent = (status: string): status is WriteBackEventStatus =>
  status.startsWith('write_back.');

/** The `webhook-id` of a request's ending: stable across redeliveries, new for a replay's ending. */
export function callbackEventId(correlationId: string, status: string, queuedAt: string): string {
  const digest = createHash('sha256').update(`${correlationId}\n${status}\n${queuedAt}`).digest('hex');
  return `evt_${digest.slice(0, 32)}`;
}

/** The outbox message for a request about to end in `status`. */
export function callbackMessageFor(
  record: Pick<StatusRecord, 'correlationId' | 'queuedAt' | 'createdAt'> & { callbackUrl: string },
  status: Status | WriteBackEventStatus,
  now: Date,
): CallbackMessage {
  return {
    v: CALLBACK_MESSAGE_VERSION,
    correlationId: record.correlationId,
    status,
    queuedAt: record.queuedAt ?? record.createdAt,
    url: record.callbackUrl,
    attempts: 0,
    early: 0,
    writtenAt: now.toISOString(),
  };
}

/** The event for an ended record (personal-data free by construction: only these fields). */
export function callbackEventFor(
  record: StatusRecord,
  status: Status | WriteBackEventStatus = record.status,
): CallbackEvent {
  const writeBack = isWriteBackEvent(status)
    ? writeBackAnswer(record.writeBack, record.writeBackDetail)
    : record.writeBack !== undefined && record.status === 'succeeded'
      ? { status: 'pending' as const, attempts: 0 }
      : undefined;
  return {
    type: `customer.${status}`,
    timestamp: record.updatedAt,
    data: {
      correlationId: record.correlationId,
      ...(record.kind !== undefined && { kind: record.kind }),
      status: record.status,
      legalEntity: record.legalEntity,
      ...(record.source !== undefined && { source: record.source }),
      ...(record.sourceCustomerId !== undefined && { sourceCustomerId: record.sourceCustomerId }),
      // A pending link's account is not the caller's to know (domain/ownership.ts).
      ...(record.customerAccount !== undefined &&
        mayRevealAccounts(record) && { customerAccount: record.customerAccount }),
      ...(record.outcome !== undefined && { outcome: record.outcome }),
      ...(!mayRevealAccounts(record) && record.outcome === 'linked' && { verification: 'pending' as const }),
      ...(record.errorCode !== undefined && { errorCode: record.errorCode }),
      attempts: record.attempts,
      ...(writeBack && { writeBack }),
    },
  };
}

export function encodeCallbackMessage(message: CallbackMessage): string {
  return Buffer.from(JSON.stringify(message), 'utf8').toString('base64');
}

/** Reads what the queue trigger handed the function (an object for JSON, else a string). */
export function decodeCallbackMessage(input: unknown): CallbackMessage | undefined {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      return undefined;
    }
  }
  const parsed = callbackMessageSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
