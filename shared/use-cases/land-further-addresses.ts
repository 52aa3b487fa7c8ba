import { createHash } from 'node:crypto';
import { CustomerRequest } from '../domain/customer-contract';
import { ProcessingError } from '../domain/failure';
import { AddressesOutcome, FurtherAddress, placeKey } from '../domain/further-addresses';
import { backoffSeconds, RetryPolicy } from '../domain/retry-policy';
import { StatusRecord } from '../domain/status';
import {
  D365Gate,
  D365PostalAddresses,
  GateSlot,
  IdentityClaim,
  IdentityClaims,
  Log,
  StatusStore,
  Telemetry,
} from '../ports';
import { clock, later } from './clock';

/**
 * Lands a create's further addresses (those CustomersV3 cannot hold: beyond one primary, one invoice
 * and one delivery address) through D365's customer postal addresses, once the customer's account is
 * known, before the request is recorded `succeeded` (README, "Further addresses"):
 *
 * - Exactly once: the customer's postal addresses are listed before every post (an address already
 *   at that place, compared as F&O compares, is not posted again), and listed again after any failure
 *   before the next post (a 504 may come after D365 added it).
 * - Fenced: every call is preceded by a conditional write of the request's lease (a lost lease is a
 *   `StatusConflictError`: another invocation owns the request and lands them itself) and by the
 *   extension of a per-customer claim (two requests linked to one customer never post at once).
 * - A refusal with an X++ Infolog is checked by listing again (an X++ error thrown after the insert
 *   leaves the address committed, as for the create): there → landed, else refused.
 * - Transient failures are tried again in place with the retry policy's back-off, within
 *   `maxInlineWaitMs`; what still fails, or D365 refuses, is reported by pointer: it never turns the
 *   customer's success into a failure and is not tried again.
 */
export interface LandAddressesDeps {
  postalAddresses?: D365PostalAddresses;
  /** The addresses of a request that CustomersV3 does not hold (mapToCustomersV3's `further`). */
  furtherAddressesOf?: (request: CustomerRequest) => FurtherAddress[];
  target: StatusRecord['target'];
  statusStore: StatusStore;
  identityClaims: IdentityClaims;
  gate: D365Gate;
  retry: RetryPolicy;
  callTimeoutMs: number;
  maxInlineWaitMs?: number;
  /** How long D365 may take to show what it committed (D365_SETTLE_SECONDS): the wait after an uncertain failure. */
  settleSeconds?: number;
  telemetry: Telemetry;
  log: Log;
  now?: () => Date;
  random?: () => number;
}

const DEFAULT_BUDGET_MS = 120_000;
const DEFAULT_SETTLE_SECONDS = 10;
/** Lease margin beyond one call, for the writes around it (as the create's fence). */
const MARGIN_SECONDS = 5;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The claim key of a customer's postal addresses (hashed: the table's row keys take no `/`). */
export function addressesClaimKey(legalEntity: string, customerAccount: string): string {
  const digest = createHash('sha256')
    .update(`${legalEntity.trim().toUpperCase()}\n${customerAccount.trim().toUpperCase()}`)
    .digest('hex');
  return `addresses-${digest}`;
}

/** The request's further addresses, or none (another target, an update, no payload). */
function furtherOf(record: StatusRecord, deps: LandAddressesDeps): FurtherAddress[] {
  if (deps.target !== 'odata' || !deps.postalAddresses || !deps.furtherAddressesOf) return [];
  if (record.kind === 'update' || record.payload === undefined) return [];
  return deps.furtherAddressesOf(JSON.parse(record.payload) as CustomerRequest);
}

/**
 * Lands the further addresses of `record`'s request on `customerAccount`. Returns the record (its
 * lease was renewed: use this one for the next write) and the outcome (absent when there were none).
 * Throws `StatusConflictError` when the request's lease was lost.
 */
export async function landFurtherAddresses(
  record: StatusRecord,
  customerAccount: string,
  deps: LandAddressesDeps,
  slot?: GateSlot,
): Promise<{ record: StatusRecord; addresses?: AddressesOutcome }> {
  const further = furtherOf(record, deps);
  if (further.length === 0) return { record };
  const postal = deps.postalAddresses!;
  const { correlationId, legalEntity } = record;
  const deadline = Date.now() + (deps.maxInlineWaitMs ?? DEFAULT_BUDGET_MS);
  const callSeconds = deps.callTimeoutMs / 1000 + MARGIN_SECONDS;
  const landed = new Set<string>();
  const failed = new Set<string>();
  let current = record;
  let claim: IdentityClaim | undefined;

  /** The fence before every call: the request's lease and the customer's claim cover one more call. */
  const fence = async (): Promise<boolean> => {
    current = await deps.statusStore.update(current, {
      leaseUntil: later(deps, callSeconds),
      updatedAt: clock(deps).toISOString(),
    });
    return claim ? claim.extend(later(deps, callSeconds)) : false;
  };
  /** One call in the request's slot, or in a slot of its own. */
  const inGate = async <T>(call: () => Promise<T>): Promise<T> => {
    if (slot) return slot.run(call);
    const taken = await deps.gate.acquire(Math.max(0, deadline - Date.now()));
    if (!('run' in taken))
      throw new ProcessingError({ kind: 'transient', reason: 'no D365 slot for the postal addresses' });
    try {
      return await taken.run(call);
    } finally {
      await taken.release();
    }
  };

  try {
    // The customer's claim: one request at a time lists and posts this customer's addresses.
    while (!claim) {
      const claimed = await deps.identityClaims.claim(
        addressesClaimKey(legalEntity, customerAccount),
        correlationId,
        later(deps, callSeconds),
      );
      if (!('held' in claimed)) claim = claimed;
      else if (Date.now() >= deadline) break;
      else {
        // Our request's lease stays ours while we wait for the other request to finish.
        current = await deps.statusStore.update(current, {
          leaseUntil: later(deps, callSeconds),
          updatedAt: clock(deps).toISOString(),
        });
        await sleep(Math.min(1000, Math.max(100, Date.parse(claimed.until) - clock(deps).getTime())));
      }
    }
    let attempt = 0;
    while (claim && landed.size + failed.size < further.length) {
      attempt += 1;
      try {
        if (!(await fence())) break;
        const there = new Set(
          (await inGate(() => postal.listPostalAddresses(legalEntity, customerAccount))).map(placeKey),
        );
        for (const address of further) {
          if (landed.has(address.pointer) || failed.has(address.pointer)) continue;
          if (there.has(placeKey(address))) {
            landed.add(address.pointer); // already there (an earlier attempt, or the same place twice)
            continue;
          }
          if (!(await fence()))
            throw new ProcessingError({ kind: 'transient', reason: 'address claim lost' });
          try {
            await inGate(() => postal.addPostalAddress(legalEntity, customerAccount, address));
          } catch (error) {
            if (!(error instanceof ProcessingError) || error.failure.kind !== 'permanent') throw error;
            // An X++ error may come after the insert (as for the create): look before calling it refused.
            if (error.failure.code === 'business_error' && (await fence())) {
              const now = await inGate(() => postal.listPostalAddresses(legalEntity, customerAccount));
              if (now.some((place) => placeKey(place) === placeKey(address))) {
                landed.add(address.pointer);
                there.add(placeKey(address));
                continue;
              }
            }
            // D365 refused this address (an unknown state or ZIP...): reported, not tried again.
            failed.add(address.pointer);
            deps.log.warn('customer.address_refused', {
              correlationId,
              legalEntity,
              reason: `${address.pointer}: ${error.failure.code}`,
            });
            if (error.failure.code !== 'business_error')
              for (const a of further) if (!landed.has(a.pointer)) failed.add(a.pointer);
            continue;
          }
          landed.add(address.pointer);
          there.add(placeKey(address));
        }
      } catch (error) {
        if (!(error instanceof ProcessingError) || error.failure.kind !== 'transient') throw error;
        const { failure } = error;
        const wait = await waitAfterTransient(failure, attempt, deps);
        if (attempt >= deps.retry.maxAttempts || Date.now() + wait >= deadline) break;
        deps.log.info('customer.address_retry', {
          correlationId,
          legalEntity,
          reason: failure.reason,
          attempt,
        });
        // The lease and the claim cover the wait, so nobody takes the request over meanwhile.
        current = await deps.statusStore.update(current, {
          leaseUntil: later(deps, wait / 1000 + callSeconds),
          updatedAt: clock(deps).toISOString(),
        });
        if (!(await claim.extend(later(deps, wait / 1000 + callSeconds)))) break;
        await sleep(wait);
      }
    }
  } finally {
    await claim?.release();
  }
  for (const address of further) if (!landed.has(address.pointer)) failed.add(address.pointer);
  const addresses: AddressesOutcome = {
    landed: further.filter((a) => landed.has(a.pointer)).map((a) => a.pointer),
    failed: further.filter((a) => failed.has(a.pointer)).map((a) => a.pointer),
  };
  if (addresses.failed.length > 0)
    deps.log.warn('customer.addresses_failed', {
      correlationId,
      legalEntity,
      reason: addresses.failed.join(','),
    });
  deps.telemetry.trackEvent({
    name: 'CustomerAddresses',
    properties: {
      correlationId,
      legalEntity,
      outcome: addresses.failed.length === 0 ? 'complete' : 'partial',
    },
    measurements: { addressesLanded: addresses.landed.length, addressesFailed: addresses.failed.length },
  });
  return { record: current, addresses };
}

/**
 * After a transient D365 failure of a further record (an address, a contact person): pauses the
 * fleet's gate when D365 throttled, and says how long to wait before the next try (ms). After an
 * uncertain failure (a 504, a reset, a slow commit) D365 may still be writing the record: the next
 * list only counts once the settle time has passed, so the wait is at least that.
 */
export async function waitAfterTransient(
  failure: Extract<ProcessingError['failure'], { kind: 'transient' }>,
  attempt: number,
  deps: LandAddressesDeps,
): Promise<number> {
  if (failure.throttled) await deps.gate.pause(failure.retryAfterSeconds ?? 1);
  const settle = failure.uncertain ? (deps.settleSeconds ?? DEFAULT_SETTLE_SECONDS) : 0;
  const backoff = failure.retryAfterSeconds ?? backoffSeconds(attempt, deps.retry, deps.random);
  return Math.max(settle, backoff) * 1000;
}
