/** Callbacks, held-open request slots, batched D365 lookups and the gate errors. */
import type { CallbackMessage } from '../domain/callback-event';
import type { CallOptions } from './stores';

/** Slots for requests held open (`Prefer: wait`): at most so many per instance at once. */
export interface WaitSlots {
  /** Takes a slot; false when all are taken (the request is answered at once instead). */
  tryEnter(): boolean;
  leave(): void;
}

/** The callback outbox: result events waiting on the callback queue until they are delivered. */
export interface CallbackOutbox {
  send(message: CallbackMessage, options?: { delaySeconds?: number }): Promise<void>;
}

/** Callback URLs that answered 410 Gone: nothing more is sent to them, nor registered for them. */
export interface CallbackEndpoints {
  isDisabled(url: string): Promise<boolean>;
  disable(url: string, at: string): Promise<void>;
}

/**
 * Whether result callbacks can be signed: the state of the signing secret (`CALLBACK_SECRET_NAME`)
 * in Key Vault. `missing`: no such secret (or no enabled version); `forbidden`: the app's identity
 * may not read it; `unknown`: Key Vault did not answer (a delivery reads it again).
 */
export type CallbackSigningState = 'ready' | 'missing' | 'forbidden' | 'unknown';

export interface CallbackSigning {
  readonly secretName: string;
  /**
   * The state now. A problem is remembered briefly (so refused intakes do not each ask Key Vault),
   * unless `fresh` (the check at start, which must not hold up requests once the secret is there).
   */
  state(options?: { fresh?: boolean }): Promise<CallbackSigningState>;
}

/** What a callback endpoint did with one POST. */
export type CallbackAnswer =
  | { kind: 'answered'; status: number; retryAfter?: string }
  /** No HTTP answer: connection refused or reset, TLS failure, timeout. */
  | { kind: 'unreachable'; reason: string }
  /** Not sent: the host now resolves to an address callbacks may not reach (SSRF). */
  | { kind: 'refused'; reason: string };

/** POSTs one signed event to a callback URL (never following redirects). */
export interface CallbackSender {
  post(url: string, request: { headers: Record<string, string>; body: string }): Promise<CallbackAnswer>;
}

/** Several e-mails looked up in one D365 request (CustomersV3, cross-company): batched duplicate lookups. */
export interface D365EmailBatchLookup {
  /**
   * For each e-mail given (the same strings as keys): its accounts as `findCustomersByEmail` answers
   * them, or `undefined` when this one answer cannot tell them completely (a full page, a row it
   * cannot attribute to one e-mail): then that e-mail must be looked up alone.
   */
  findCustomersByEmails(
    legalEntity: string,
    emails: readonly string[],
    options?: CallOptions,
  ): Promise<Map<string, string[] | undefined>>;
}

/** A batched lookup got no D365 gate slot in time: nothing was sent to D365; ask again at `retryAt`. */
export class D365GateUnavailableError extends Error {
  constructor(
    readonly retryAt: number,
    readonly reason: 'paused' | 'busy',
  ) {
    super(reason === 'paused' ? 'D365 is throttling the fleet (429)' : 'every D365 slot is taken');
    this.name = 'D365GateUnavailableError';
  }
}

/** A call was run in a D365 gate slot already given up: it would run outside the fleet's cap (a bug). */
export class GateSlotReleasedError extends Error {
  constructor() {
    super('a D365 call was run in a gate slot that was already released');
    this.name = 'GateSlotReleasedError';
  }
}
