import type {
  CustomerLink,
  CustomerLinkKey,
  CustomerLinks,
  Log,
  ShopClients,
  StatusStore,
  WriteBackQueue,
} from '../ports';
import { StatusConflictError } from '../ports';
import { errorName } from '../domain/failure';
import { pendingWriteBack, queueWriteBack, wantsWriteBack } from './worker/write-back';

export interface VerifyLinkDeps {
  links: CustomerLinks;
  statusStore: StatusStore;
  log: Log;
  /** A shop's customer whose link is confirmed gets its account written back (issue 28). */
  shopClients?: ShopClients;
  writeBackQueue?: WriteBackQueue;
  now?: () => Date;
}

/**
 * A pending link confirmed (domain/ownership.ts): by its own source's verified signal (a Shopify
 * update with `verified_email`), or by an operator. The link grants changes from now on, and the
 * create that made it shows its account (its record's identity becomes `verified`). Idempotent; a
 * concurrent change of the link is read again.
 */
export async function confirmLink(link: CustomerLink, deps: VerifyLinkDeps): Promise<CustomerLink> {
  let current = link;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    if (current.verification !== 'pending') return current;
    try {
      current = await deps.links.save(current, { verification: 'verified' });
      break;
    } catch (error) {
      if (!(error instanceof StatusConflictError)) throw error;
      const again = await deps.links.get(keyOf(current));
      if (!again) throw error;
      current = again;
    }
  }
  await revealCreate(current.createCorrelationId, deps);
  deps.log.info('customer.link.verified', { correlationId: current.createCorrelationId });
  return current;
}

/** An operator's decision: the link of `key`, confirmed; undefined when there is none. */
export async function verifyLink(
  key: CustomerLinkKey,
  deps: VerifyLinkDeps,
): Promise<{ kind: 'verified'; link: CustomerLink } | { kind: 'not-found' } | { kind: 'not-linked' }> {
  const link = await deps.links.get(key);
  if (!link) return { kind: 'not-found' };
  if (link.customerAccount === undefined) return { kind: 'not-linked' };
  return { kind: 'verified', link: await confirmLink(link, deps) };
}

const keyOf = (link: CustomerLink): CustomerLinkKey =>
  link.sourceCustomerId !== undefined
    ? { kind: 'reference', source: link.source, sourceCustomerId: link.sourceCustomerId }
    : { kind: 'account', legalEntity: link.legalEntity, customerAccount: link.customerAccount ?? '' };

/**
 * The create's record may name its account now. A shop's customer that succeeded gets its write-back
 * in the same write (pending, then queued): the shop learns the account it could not be told while
 * the link was pending. A failure leaves it hidden (the link is what counts).
 */
async function revealCreate(correlationId: string, deps: VerifyLinkDeps): Promise<void> {
  try {
    const record = await deps.statusStore.get(correlationId);
    if (record?.identity !== 'unverified') return;
    const writeBack =
      record.status === 'succeeded' &&
      record.writeBack === undefined &&
      wantsWriteBack({ ...record, identity: 'verified' }, deps.shopClients);
    await deps.statusStore.update(record, {
      identity: 'verified',
      ...(writeBack && pendingWriteBack(deps)),
    });
    if (writeBack) await queueWriteBack(correlationId, deps);
  } catch (error) {
    deps.log.warn('customer.link.reveal_failed', { correlationId, reason: errorName(error) });
  }
}
