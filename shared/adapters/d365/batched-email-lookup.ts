import { ProcessingError } from '../../domain/failure';
import {
  CallOptions,
  D365Client,
  D365EmailBatchLookup,
  D365Gate,
  D365GateUnavailableError,
} from '../../ports';
import { buildCustomerBatchLookupQuery, CUSTOMER_LOOKUP_TOP, MAX_LOOKUP_QUERY_LENGTH } from './odata-filter';

/**
 * Batched duplicate lookups (the DataLoader pattern) in front of `D365Client.findCustomersByEmail`:
 * lookups of one legal entity that wait on this instance at the same time go to D365 as one
 * CustomersV3 query (`PrimaryContactEmail eq 'a' or …`), and each caller gets its own e-mail's
 * accounts, or the batch's error.
 *
 * One batch is one D365 call and takes one slot of the (fleet) gate for that call alone, so the
 * callers do not hold gate slots while they wait: the slots go to creates. A batch stays open for
 * more callers while it waits for its slot (when slots are free that is one storage round trip;
 * when they are busy, the batch grows instead of queueing lookups one by one), and closes at
 * `maxBatch` callers or when its query string would pass `MAX_LOOKUP_QUERY_LENGTH`.
 *
 * When no lookup of this instance is in flight, a new batch asks for its slot at once (after the
 * I/O already due, `setImmediate`), so a lone lookup at low load waits for nothing. While one is in
 * flight, a new batch waits up to `windowMs` for company first.
 */
export interface BatchedEmailLookupOptions {
  /** Most e-mails in one D365 query (1 = no batching). */
  maxBatch: number;
  /** How long a batch collects callers while another lookup is in flight (ms). */
  windowMs: number;
  /** How long a batch waits for a gate slot before its callers get `D365GateUnavailableError`. */
  maxGateWaitMs: number;
  /** The query string limit (tests set a small one). */
  maxQueryLength?: number;
}

/** What the decorator counted (the bench reads it from the host's log). */
export interface BatchedEmailLookupStats {
  lookups: number;
  batches: number;
  /** Lookups sent alone again because a batch's answer could not tell them completely. */
  alone: number;
  largestBatch: number;
}

interface Waiter {
  email: string;
  resolve(accounts: string[]): void;
  reject(error: unknown): void;
}

interface Batch {
  legalEntity: string;
  waiters: Waiter[];
  /** Distinct e-mails in the batch (callers may share one). */
  emails: Set<string>;
  open: boolean;
}

type Inner = Pick<D365Client, 'findCustomersByEmail'> & D365EmailBatchLookup;

/** F&O compares strings without regard to case and ignores trailing spaces (SQL Server collation). */
export const emailKey = (email: string): string => email.replace(/ +$/, '').toLowerCase();

/**
 * Attributes the rows of one batched CustomersV3 answer to the e-mails asked for: per e-mail its
 * accounts in D365's order (at most `CUSTOMER_LOOKUP_TOP`), or `undefined` when the answer cannot
 * tell them completely: the page was full (`$top` rows, or a `@odata.nextLink`) and the e-mail has
 * fewer than `CUSTOMER_LOOKUP_TOP` rows in it, or a row matched none of the e-mails by our comparison
 * (F&O's collation may have matched it to one; we cannot tell which, so every e-mail is asked alone).
 */
export function attributeLookupRows(
  emails: readonly string[],
  rows: readonly { CustomerAccount?: unknown; PrimaryContactEmail?: unknown; PartyType?: unknown }[],
  page: { top: number; nextLink: boolean },
): Map<string, string[] | undefined> {
  const byKey = new Map<string, string[]>(emails.map((email) => [emailKey(email), []]));
  let unattributed = false;
  for (const row of rows) {
    // An organisation's contact e-mail is not a person's (issue 32): never this customer.
    if (row.PartyType === 'Organization') continue;
    const accounts =
      typeof row.PrimaryContactEmail === 'string' ? byKey.get(emailKey(row.PrimaryContactEmail)) : undefined;
    if (!accounts) unattributed = true;
    else if (typeof row.CustomerAccount === 'string' && row.CustomerAccount !== '')
      accounts.push(row.CustomerAccount);
  }
  const full = page.nextLink || rows.length >= page.top;
  return new Map(
    emails.map((email) => {
      const accounts = byKey.get(emailKey(email))!;
      if (accounts.length >= CUSTOMER_LOOKUP_TOP) return [email, accounts.slice(0, CUSTOMER_LOOKUP_TOP)];
      return [email, unattributed || full ? undefined : accounts];
    }),
  );
}

/**
 * What the other callers of a batch that D365 throttled (429) get: the gate's pause, as if they had
 * waited for a slot, so the worker gives their attempts back. Without batching one 429 costs one
 * request an attempt; a batch's 429 must not cost each of its callers one (a storm would exhaust
 * their retries). The first caller keeps the 429 itself: one attempt, one `D365Throttled` event.
 * Other errors reach every caller as they are.
 */
function throttledFor(error: unknown, gate: D365Gate): unknown {
  if (!(error instanceof ProcessingError) || error.failure.kind !== 'transient' || !error.failure.throttled)
    return error;
  const retryAt = Math.max(gate.pausedUntil(), Date.now() + (error.failure.retryAfterSeconds ?? 1) * 1000);
  return new D365GateUnavailableError(retryAt, 'paused');
}

export function batchedEmailLookup<T extends Inner>(
  inner: T,
  gate: D365Gate,
  options: BatchedEmailLookupOptions,
): T & { lookupStats(): BatchedEmailLookupStats } {
  const maxQueryLength = options.maxQueryLength ?? MAX_LOOKUP_QUERY_LENGTH;
  const stats: BatchedEmailLookupStats = { lookups: 0, batches: 0, alone: 0, largestBatch: 0 };
  /** The open batch per legal entity (lower case). */
  const open = new Map<string, Batch>();
  let inFlight = 0;

  const fits = (batch: Batch, email: string): boolean => {
    if (batch.emails.has(emailKey(email))) return true;
    if (batch.emails.size >= options.maxBatch) return false;
    const emails = [...batch.waiters.map((w) => w.email), email];
    return buildCustomerBatchLookupQuery(batch.legalEntity, emails).length <= maxQueryLength;
  };

  const close = (batch: Batch): void => {
    if (!batch.open) return;
    batch.open = false;
    if (open.get(batch.legalEntity.toLowerCase()) === batch) open.delete(batch.legalEntity.toLowerCase());
  };

  /** One D365 call for the batch's distinct e-mails; then the ones it could not tell, one by one. */
  const query = async (batch: Batch): Promise<Map<string, string[]>> => {
    const first = new Map<string, string>();
    for (const { email } of batch.waiters) if (!first.has(emailKey(email))) first.set(emailKey(email), email);
    const distinct = [...first.values()];
    const answers = new Map<string, string[]>();
    const found =
      distinct.length === 1
        ? new Map([[distinct[0]!, await inner.findCustomersByEmail(batch.legalEntity, distinct[0]!)]])
        : await inner.findCustomersByEmails(batch.legalEntity, distinct);
    for (const email of distinct) {
      let accounts = found.get(email);
      if (accounts === undefined) {
        stats.alone += 1;
        accounts = await inner.findCustomersByEmail(batch.legalEntity, email);
      }
      answers.set(emailKey(email), accounts);
    }
    return answers;
  };

  const run = async (batch: Batch): Promise<void> => {
    inFlight += 1;
    try {
      // Ahead of this instance's waiting creates: its callers' creates come after it.
      const slot = await gate.acquire(options.maxGateWaitMs, { ahead: true });
      close(batch);
      if (!('run' in slot)) throw new D365GateUnavailableError(slot.retryAt, slot.reason);
      stats.batches += 1;
      stats.largestBatch = Math.max(stats.largestBatch, batch.waiters.length);
      try {
        const answers = await slot.run(() => query(batch));
        for (const waiter of batch.waiters) waiter.resolve([...answers.get(emailKey(waiter.email))!]);
        // The callers' creates ask the gate for a slot in this turn (no I/O between); released after
        // them, the slot goes straight to the first (the gate's hand-off) instead of back to the
        // fleet and out again: three Table calls fewer between a lookup and its create.
        await new Promise((resolve) => setImmediate(resolve));
      } finally {
        await slot.release();
      }
    } catch (error) {
      close(batch);
      batch.waiters.forEach((waiter, i) => waiter.reject(i === 0 ? error : throttledFor(error, gate)));
    } finally {
      inFlight -= 1;
    }
  };

  /**
   * One caller's lookup, answered from its batch's call (which runs under the adapter's D365 timeout:
   * one caller cannot time out the others' call). A caller's `abortSignal` ends its own wait.
   */
  const findCustomersByEmail = (
    legalEntity: string,
    email: string,
    callOptions?: CallOptions,
  ): Promise<string[]> => {
    stats.lookups += 1;
    try {
      // Checks the e-mail and the legal entity (rejects as the single lookup does) before it joins.
      buildCustomerBatchLookupQuery(legalEntity, [email]);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<string[]>((resolve, reject) => {
      const waiter: Waiter = { email, resolve, reject };
      const signal = callOptions?.abortSignal;
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      const key = legalEntity.toLowerCase();
      const current = open.get(key);
      if (current?.open && fits(current, email)) {
        current.waiters.push(waiter);
        current.emails.add(emailKey(email));
        if (current.emails.size >= options.maxBatch) close(current);
        return;
      }
      if (current) close(current);
      const batch: Batch = { legalEntity, waiters: [waiter], emails: new Set([emailKey(email)]), open: true };
      if (options.maxBatch > 1) open.set(key, batch);
      else batch.open = false;
      if (inFlight === 0 || options.windowMs <= 0) setImmediate(() => void run(batch));
      else setTimeout(() => void run(batch), options.windowMs);
    });
  };

  return { ...inner, findCustomersByEmail, lookupStats: () => ({ ...stats }) };
}
