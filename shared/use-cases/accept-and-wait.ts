import { Caller, identityOf } from '../domain/ownership';
import { QueueMessage } from '../domain/queue-message';
import { isTerminal, StatusRecord } from '../domain/status';
import { CustomerQueue, QueuedReceipt, StatusStore, WaitSlots } from '../ports';
import { AcceptCustomerResult, AcceptDeps, acceptCustomer } from './accept-customer';

export interface AcceptAndWaitDeps {
  accept: AcceptDeps;
  statusStore: StatusStore;
  waits: WaitSlots;
  /**
   * Processes an accepted message in this invocation (the worker's use-case), given its record as
   * written; resolves with the record as the processing last wrote it (undefined: unknown, read it).
   */
  processNow: (message: QueueMessage, accepted: StatusRecord) => Promise<StatusRecord | undefined>;
}

export interface AcceptAndWaitOptions {
  caller: Caller;
  idempotencyKey?: string;
  /** A checked `Callback-Url` for the result event. */
  callbackUrl?: string;
  /** The caller's own customer ID (`Customer-Reference`): the customer's link, in the caller's namespace. */
  reference?: string;
  /** `Prefer: wait=N`, already capped; 0 answers at once. */
  waitSeconds: number;
}

export type AcceptAndWaitResult =
  | Exclude<AcceptCustomerResult, { kind: 'accepted' }>
  | {
      kind: 'accepted';
      /** The record as it stood when the wait ended (or at acceptance, without a wait). */
      record: StatusRecord;
      replayed: boolean;
      /** How long the request was held open for; 0 when it was answered at once. */
      waitedSeconds: number;
    };

/** How long the held-back message's delete waits for the answer to have gone out. */
const AFTER_ANSWER_MS = 100;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `Prefer: wait` intake. Durable first: the request is accepted as always, its message held back
 * for the wait, so a crash loses nothing; then this invocation processes it itself and waits up to
 * `waitSeconds` for the request to end. Without a free wait slot it is answered at once.
 */
export async function acceptAndWait(
  body: unknown,
  deps: AcceptAndWaitDeps,
  options: AcceptAndWaitOptions,
): Promise<AcceptAndWaitResult> {
  const wait = options.waitSeconds > 0 && deps.waits.tryEnter() ? options.waitSeconds : 0;
  // The held-back message's receipt, to discard it once the request has ended (issue 33).
  const held: { receipt?: QueuedReceipt } = {};
  try {
    const { caller, reference } = options;
    const accept =
      wait > 0 ? { ...deps.accept, queue: keepingReceipt(deps.accept.queue, held) } : deps.accept;
    const result = await acceptCustomer(body, accept, {
      idempotencyKey: options.idempotencyKey,
      caller: caller.id,
      identity: identityOf(caller),
      delaySeconds: wait,
      ...(options.callbackUrl !== undefined && { callbackUrl: options.callbackUrl }),
      ...(reference !== undefined && {
        origin: { source: caller.source, sourceCustomerId: reference, exclusive: true },
      }),
    });
    if (result.kind !== 'accepted') return result;
    if (wait === 0)
      return { kind: 'accepted', record: result.record, replayed: result.replayed, waitedSeconds: 0 };
    const work = result.replayed ? undefined : deps.processNow(result.message, result.record);
    const record = await waitForOutcome(deps.statusStore, result.record.correlationId, wait * 1000, work);
    if (record && isTerminal(record.status)) discardHeldBack(deps, held.receipt, record.correlationId);
    return {
      kind: 'accepted',
      record: record ?? result.record,
      replayed: result.replayed,
      waitedSeconds: wait,
    };
  } finally {
    if (wait > 0) deps.waits.leave();
  }
}

/** The queue, keeping the receipt of the message it sends (the one the intake holds back). */
function keepingReceipt(queue: CustomerQueue, held: { receipt?: QueuedReceipt }): CustomerQueue {
  return {
    ...queue,
    async send(message, options) {
      const receipt = await queue.send(message, options);
      if (receipt) held.receipt = receipt;
      return receipt;
    },
  };
}

/**
 * A request that ended while its message was held back: the message is deleted by the receipt its
 * put gave, not delivered when the wait is over only to be read, found ended and deleted (issue 33:
 * a `GetEntity` and an execution less a `Prefer: wait` customer). The delete starts just after the
 * answer; one that fails (storage, or a worker already holding the message) changes nothing: the
 * message is delivered and deleted as before.
 */
function discardHeldBack(deps: AcceptAndWaitDeps, receipt: QueuedReceipt | undefined, correlationId: string) {
  const { discard } = deps.accept.queue;
  if (!receipt || !discard) return;
  const kept = () => deps.accept.log.info('customer.held_back_message_kept', { correlationId });
  // After the answer has gone out: the caller never waits for it (nor does its chain of round trips).
  setTimeout(() => void discard(receipt).catch(kept), AFTER_ANSWER_MS).unref();
}

/**
 * Waits up to `timeoutMs` for a request to end: first for `work` (the intake's own attempt, if
 * any), then by re-reading the record. Resolves with the latest record either way. When the work
 * itself wrote the ending, its record is the answer as stored: it is not read back.
 */
export async function waitForOutcome(
  statusStore: StatusStore,
  correlationId: string,
  timeoutMs: number,
  work?: Promise<unknown>,
): Promise<StatusRecord | undefined> {
  const deadline = Date.now() + timeoutMs;
  if (work) {
    const written = await Promise.race([work.catch(() => undefined), sleep(timeoutMs)]);
    if (endingOf(written, correlationId)) return written;
  }
  for (;;) {
    const record = await statusStore.get(correlationId);
    if (!record || isTerminal(record.status) || Date.now() >= deadline) return record;
    await sleep(Math.min(100, deadline - Date.now()));
  }
}

/** Whether the work resolved with this request's record in an ending (a worker's last write). */
function endingOf(value: unknown, correlationId: string): value is StatusRecord {
  const record = value as Partial<StatusRecord> | undefined;
  return (
    typeof record === 'object' &&
    record !== null &&
    record.correlationId === correlationId &&
    record.status !== undefined &&
    isTerminal(record.status)
  );
}
