import { parseCustomerRequest } from '../domain/customer-contract';
import type { CustomerRequest } from '../domain/customer-contract';
import { emailKeyField } from '../domain/customer-identity';
import { serialiseDigests } from '../domain/customer-update';
import type { LinkVerification } from '../domain/ownership';
import type { StatusRecord } from '../domain/status';
import { sourceCustomerDigest } from '../domain/webhooks/source-digest';
import type { CustomerLinks } from '../ports';
import { clock } from './clock';
import { createdDigests } from './worker/update-plan';

export interface CreateLinkDeps {
  links?: CustomerLinks;
  defaultCustomerGroup: string;
  /** The D365 entity fields a request becomes (digests of what the create sent: the update path compares with them). */
  toD365Fields?: (request: CustomerRequest) => Record<string, unknown>;
  now?: () => Date;
}

/**
 * Links a create's customer to its D365 account: the link the caller's later updates find the
 * account by (`source` the webhook source or the caller, `api` with function keys; the source's own
 * customer ID when it named one). Written by the worker when a create ends `created` or `linked`, and
 * by an operator's review decision that links the request to a candidate (issue 32): the same row,
 * in the owner's namespace, never the operator's. Idempotent (`CustomerLinks.complete`), so a
 * retried decision or a second worker writes it once. The link keeps no copy of the customer
 * (issue 27): digests of what the create sent, an e-mail key.
 */
export async function completeCreateLink(
  record: StatusRecord,
  customerAccount: string,
  verification: LinkVerification | undefined,
  deps: CreateLinkDeps,
): Promise<void> {
  if (!deps.links || record.kind !== undefined || record.payload === undefined) return;
  const parsed = parseCustomerRequest(JSON.parse(record.payload), {
    defaultCustomerGroup: deps.defaultCustomerGroup,
  });
  if (!parsed.ok) return;
  const request = parsed.value;
  const digests = deps.toD365Fields
    ? serialiseDigests(createdDigests(request, deps.toD365Fields))
    : undefined;
  await deps.links.complete(
    {
      source: record.source ?? record.caller ?? 'api',
      ...(record.sourceCustomerId !== undefined && { sourceCustomerId: record.sourceCustomerId }),
      legalEntity: record.legalEntity,
      customerAccount,
      createCorrelationId: record.correlationId,
      createdAt: record.createdAt,
      ...(digests !== undefined && { sentDigests: digests }),
      ...emailKeyField(request.Customer.EmailAddress),
      ...(verification !== undefined && { verification }),
      fieldStamps: '{}',
      ...(record.sourceCustomerId !== undefined &&
        record.source !== undefined && {
          sourceDigest: sourceCustomerDigest(record.source, record.sourceCustomerId, request),
        }),
    },
    clock(deps).toISOString(),
  );
}
