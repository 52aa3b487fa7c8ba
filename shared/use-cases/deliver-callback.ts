import { callbackSecretsFor } from '../domain/callback-secret';
import {
  callbackEventFor,
  callbackEventId,
  CallbackMessage,
  callbackMessageFor,
  decodeCallbackMessage,
  isWriteBackEvent,
} from '../domain/callback-event';
import { parseWriteBackDetail } from '../domain/write-back';
import { parseRetryAfter } from '../domain/failure';
import { backoffSeconds, RetryPolicy } from '../domain/retry-policy';
import { standardWebhookSignature } from '../domain/standard-webhook-signature';
import { isTerminal, Status, StatusRecord } from '../domain/status';
import {
  CallbackEndpoints,
  CallbackOutbox,
  CallbackSender,
  Log,
  StatusStore,
  Telemetry,
  WebhookSecrets,
} from '../ports';
import { clock } from './clock';

/**
 * Result callbacks, the transactional-outbox way. `announceEnding` runs in the step that ends a
 * request, before the terminal status is written: the outbox message is on the callback queue
 * first, so a crash between the two leaves a message and no ending (the request is taken up again
 * and ends, writing the same event ID again), never an ending without a message. `deliverCallback`
 * (the callback queue's trigger) reads the record, sends the event only once the record shows that
 * ending, and retries with back-off (or the endpoint's `Retry-After`) through the queue, so a slow
 * or dead endpoint holds no worker and never slows customer creation.
 */
export interface CallbackAnnounceDeps {
  callbackOutbox?: CallbackOutbox;
  now?: () => Date;
}

/** Writes the outbox message for a request about to end in `status` (nothing without a callback URL). */
export async function announceEnding(
  record: StatusRecord,
  status: Status,
  deps: CallbackAnnounceDeps,
): Promise<void> {
  if (!record.callbackUrl || !deps.callbackOutbox) return;
  const callbackUrl = record.callbackUrl;
  await deps.callbackOutbox.send(callbackMessageFor({ ...record, callbackUrl }, status, clock(deps)));
}

/** Writes the outbox message for a shop write-back about to end (written or failed). */
export async function announceWriteBack(
  record: StatusRecord,
  state: 'written' | 'failed',
  deps: CallbackAnnounceDeps,
): Promise<void> {
  if (!record.callbackUrl || !deps.callbackOutbox) return;
  const callbackUrl = record.callbackUrl;
  await deps.callbackOutbox.send(
    callbackMessageFor({ ...record, callbackUrl }, `write_back.${state}`, clock(deps)),
  );
}

export interface DeliverDeps {
  statusStore: StatusStore;
  outbox: CallbackOutbox;
  endpoints: CallbackEndpoints;
  sender: CallbackSender;
  secrets: WebhookSecrets;
  /** Key Vault secret holding the `whsec_…` signing secret. */
  secretName: string;
  /** Back-off between attempts; `maxAttempts` sends, then the event is given up. */
  retry: Pick<RetryPolicy, 'baseSeconds' | 'maxDelaySeconds' | 'maxAttempts'>;
  telemetry: Telemetry;
  log: Log;
  now?: () => Date;
  random?: () => number;
  /** Waits between the short re-reads of a record that has not shown its ending yet. */
  sleep?: (ms: number) => Promise<void>;
}

export type DeliverResult =
  | { kind: 'delivered'; status: number; latencyMs: number }
  | { kind: 'retrying'; delaySeconds: number; reason: string }
  /** The record did not show the ending yet: looked at again later. */
  | { kind: 'early'; delaySeconds: number }
  /** 410 Gone: the endpoint is disabled. */
  | { kind: 'disabled' }
  | { kind: 'abandoned'; reason: string }
  | { kind: 'dropped'; reason: 'invalid' | 'record-gone' | 'superseded' | 'endpoint-disabled' | 'refused' };

/** The longest `Retry-After` honoured as given (a day); longer ones wait this long. */
const MAX_RETRY_AFTER_SECONDS = 86_400;
/** Re-reads of a record that has not shown its ending, and then how often it is looked at later. */
const EARLY_REREADS = 3;
const MAX_EARLY = 10;

const hostOf = (url: string): string => new URL(url).host;

/** How the record relates to the message: its ending is there, not yet, or another one is. */
function matchRecord(record: StatusRecord, message: CallbackMessage): 'ended' | 'not-yet' | 'superseded' {
  if ((record.queuedAt ?? record.createdAt) !== message.queuedAt) return 'superseded';
  if (isWriteBackEvent(message.status)) {
    if (record.writeBack === 'pending') return 'not-yet';
    return `write_back.${record.writeBack}` === message.status ? 'ended' : 'superseded';
  }
  if (!isTerminal(record.status)) return 'not-yet';
  return record.status === message.status ? 'ended' : 'superseded';
}

async function readEnded(
  message: CallbackMessage,
  deps: DeliverDeps,
): Promise<StatusRecord | 'record-gone' | 'superseded' | 'not-yet'> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let read = 0; ; read++) {
    const record = await deps.statusStore.get(message.correlationId);
    if (!record) return 'record-gone';
    const match = matchRecord(record, message);
    if (match !== 'not-yet') return match === 'ended' ? record : match;
    if (read >= EARLY_REREADS) return 'not-yet';
    await sleep(50 * 2 ** read);
  }
}

/** Puts the message back for a later attempt (a new queue message; this delivery is acknowledged). */
async function again(message: CallbackMessage, delaySeconds: number, deps: DeliverDeps): Promise<number> {
  const delay = Math.max(1, Math.ceil(delaySeconds));
  await deps.outbox.send(message, { delaySeconds: delay });
  return delay;
}

/** One delivery attempt of one outbox message. Throws only when storage is unreachable. */
export async function deliverCallback(input: unknown, deps: DeliverDeps): Promise<DeliverResult> {
  const message = decodeCallbackMessage(input);
  if (!message) {
    deps.log.error('callback.message.invalid');
    return { kind: 'dropped', reason: 'invalid' };
  }
  const { correlationId } = message;
  if (await deps.endpoints.isDisabled(message.url)) {
    deps.log.info('callback.endpoint_disabled', { correlationId, reason: hostOf(message.url) });
    return { kind: 'dropped', reason: 'endpoint-disabled' };
  }
  const found = await readEnded(message, deps);
  if (found === 'not-yet') {
    if (message.early >= MAX_EARLY) return { kind: 'dropped', reason: 'superseded' };
    const delaySeconds = await again({ ...message, early: message.early + 1 }, 2 ** message.early, deps);
    return { kind: 'early', delaySeconds };
  }
  if (found === 'record-gone' || found === 'superseded') {
    deps.log.info('callback.dropped', { correlationId, reason: found });
    return { kind: 'dropped', reason: found };
  }
  const record = found;
  // A write-back's ending: one event per series of attempts (an operator's retry starts a new one).
  const writeBack = isWriteBackEvent(message.status);
  const id = writeBack
    ? callbackEventId(
        correlationId,
        message.status,
        `${message.queuedAt}/${parseWriteBackDetail(record.writeBackDetail).since}`,
      )
    : callbackEventId(correlationId, record.status, message.queuedAt);
  const body = JSON.stringify(
    callbackEventFor(record, isWriteBackEvent(message.status) ? message.status : record.status),
  );
  const attempt = message.attempts + 1;
  let answer: Awaited<ReturnType<CallbackSender['post']>>;
  try {
    // Signed with the secret of the caller that registered the URL (callback-secret.ts).
    const secrets = callbackSecretsFor(await deps.secrets.get(deps.secretName), record.caller);
    if (secrets.length === 0) throw new Error('no signing secret');
    const timestamp = Math.floor(clock(deps).getTime() / 1000);
    answer = await deps.sender.post(message.url, {
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': standardWebhookSignature(secrets, id, timestamp, body),
      },
      body,
    });
  } catch (error) {
    // The signing secret could not be read from Key Vault: an attempt like any failed one.
    answer = { kind: 'unreachable', reason: `signing secret unavailable (${(error as Error).name})` };
  }
  const properties = { correlationId, legalEntity: record.legalEntity, attempts: String(attempt) };
  if (answer.kind === 'answered' && answer.status >= 200 && answer.status < 300) {
    const latencyMs = clock(deps).getTime() - Date.parse(record.updatedAt);
    deps.log.info('callback.delivered', { correlationId, attempt, status: record.status });
    deps.telemetry.trackEvent({ name: 'CallbackDelivered', properties, measurements: { latencyMs } });
    return { kind: 'delivered', status: answer.status, latencyMs };
  }
  if (answer.kind === 'answered' && answer.status === 410) {
    await deps.endpoints.disable(message.url, clock(deps).toISOString());
    deps.log.warn('callback.endpoint_gone', { correlationId, reason: `${hostOf(message.url)} answered 410` });
    deps.telemetry.trackEvent({
      name: 'CallbackEndpointDisabled',
      properties: { ...properties, reason: '410' },
    });
    return { kind: 'disabled' };
  }
  if (answer.kind === 'refused') {
    deps.log.error('callback.refused', { correlationId, reason: answer.reason });
    deps.telemetry.trackEvent({ name: 'CallbackFailed', properties: { ...properties, reason: 'refused' } });
    return { kind: 'dropped', reason: 'refused' };
  }
  const reason = answer.kind === 'answered' ? `HTTP ${answer.status}` : answer.reason;
  if (attempt >= deps.retry.maxAttempts) {
    deps.log.error('callback.abandoned', { correlationId, attempt, reason });
    deps.telemetry.trackEvent({ name: 'CallbackFailed', properties: { ...properties, reason: 'attempts' } });
    return { kind: 'abandoned', reason };
  }
  const asked =
    answer.kind === 'answered' ? parseRetryAfter(answer.retryAfter, clock(deps).getTime()) : undefined;
  const delay =
    asked !== undefined
      ? Math.min(asked, MAX_RETRY_AFTER_SECONDS)
      : backoffSeconds(attempt, { ...deps.retry, maxTotalSeconds: 0 }, deps.random);
  const delaySeconds = await again({ ...message, attempts: attempt }, delay, deps);
  deps.log.warn('callback.retry_scheduled', {
    correlationId,
    attempt,
    reason,
    retryAfterSeconds: delaySeconds,
  });
  return { kind: 'retrying', delaySeconds, reason };
}
