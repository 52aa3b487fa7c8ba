import { createHash } from 'node:crypto';
import { canonicalJson, CustomerRequest } from '../customer-contract';

/**
 * The shop's echo (issue 28): a write of ours to a shop's customer (the D365 account metafield or
 * tag, later D365 changes) fires the shop's own `customers/update` back at us, carrying the customer
 * as it now is. What we sync of it is what we last took from the shop, so the delivery changes
 * nothing: it must end as a counted no-op, never as a D365 PATCH or an update record.
 *
 * The link keeps a digest of the shop's customer as we last took it (the create, or the last update
 * from the shop that was applied), never the customer: the normalised contract customer, salted
 * with the source and the shop's customer ID so equal customers of two shops differ. A delivery
 * whose customer has the same digest is the echo (or a change to fields we do not sync: as much a
 * no-op); any change we sync gives another digest and goes through as an update, whenever it arrives
 * and whether our write was already recorded or not (the digest does not depend on our write).
 */
export function sourceCustomerDigest(
  source: string,
  sourceCustomerId: string,
  request: Pick<CustomerRequest, 'Customer'>,
): string {
  return createHash('sha256')
    .update(`${source}\n${sourceCustomerId}\n${canonicalJson(request.Customer)}`, 'utf8')
    .digest('base64url');
}
