import { errorName } from '../domain/failure';
import { CustomerLink, CustomerLinks, Log, StatusConflictError, StatusStore } from '../ports';

/** What the reservation helpers need of the intake's ports (accept-customer.ts `AcceptDeps`). */
interface ReservationDeps {
  statusStore: Pick<StatusStore, 'get'>;
  links?: CustomerLinks;
  log: Log;
}

// A create's reservation of its source customer's link (issue 17), taken over or released.

/**
 * A link reserved by an earlier create of the same source customer whose create never ran (no
 * record: its intake died) or failed is this create's now, so an update of the customer waits for
 * this create instead of failing `customer_not_created`. A running create's reservation stays (the
 * first create to end links the customer). A concurrent change of the link leaves it as it is.
 */
export async function takeOverDeadReservation(
  link: CustomerLink,
  create: { correlationId: string; now: Date },
  deps: ReservationDeps,
): Promise<CustomerLink> {
  if (link.customerAccount !== undefined || link.createCorrelationId === create.correlationId) return link;
  const earlier = await deps.statusStore.get(link.createCorrelationId);
  if (earlier && earlier.status !== 'failed') return link;
  try {
    return await deps.links!.save(link, {
      createCorrelationId: create.correlationId,
      createdAt: create.now.toISOString(),
    });
  } catch (error) {
    if (error instanceof StatusConflictError) return link;
    throw error;
  }
}

/**
 * The request was not accepted (nothing stored or queued): a link it reserved, still only reserved
 * and still for it, goes again, so an update of that customer is `unknown-customer` rather than
 * waiting for a create that will never run. A failure here leaves it to retention.
 */
export async function releaseReservation(
  link: CustomerLink,
  correlationId: string,
  deps: ReservationDeps,
): Promise<void> {
  if (link.customerAccount !== undefined || link.createCorrelationId !== correlationId) return;
  try {
    await deps.links!.delete(link);
  } catch (error) {
    deps.log.warn('customer.accept.link_release_failed', { correlationId, reason: errorName(error) });
  }
}
