import type { BigCommerceSource, WebhookSource } from '../../config/webhook-sources';
import { CustomerRequest, customerFingerprint, parseCustomerRequest } from '../../domain/customer-contract';
import { emailKeyField } from '../../domain/customer-identity';
import { permanent } from '../../domain/failure';
import { FAILURE_CODES, StatusRecord } from '../../domain/status';
import { mapBigCommerceCompany } from '../../domain/webhooks/bigcommerce-company';
import { mapBigCommerceCustomer } from '../../domain/webhooks/bigcommerce-customer';
import type { ShopMapping } from '../../domain/webhooks/shop-customer';
import { SourceReference, sourceReferenceOf } from '../../domain/webhooks/source-reference';
import { SourceCustomers, StatusStore } from '../../ports';
import { clock } from '../clock';

export interface ResolveDeps {
  statusStore: StatusStore;
  sourceCustomers?: SourceCustomers;
  webhookSources?: readonly WebhookSource[];
  defaultCustomerGroup: string;
  now?: () => Date;
}

/**
 * The worker's step for a request that only names a shop's customer or B2B company (BigCommerce):
 * reads it from the shop, maps and validates it, and stores it as the record's payload, so later
 * attempts (retries, the reconciler, a replay) use it without reading the shop again. Runs inside
 * the worker's claim: a `ProcessingError` it throws is retried or ends the request like any other.
 */
export async function resolveSourceCustomer(
  reference: SourceReference,
  record: StatusRecord,
  deps: ResolveDeps,
): Promise<{ record: StatusRecord; request: CustomerRequest }> {
  const parseOptions = { defaultCustomerGroup: deps.defaultCustomerGroup };
  if (record.payload && !sourceReferenceOf(JSON.parse(record.payload))) {
    const stored = parseCustomerRequest(JSON.parse(record.payload), parseOptions);
    if (stored.ok) return { record, request: stored.value };
  }
  const source = deps.webhookSources?.find((s) => s.name === reference.source);
  if (!source || source.kind !== 'bigcommerce' || !deps.sourceCustomers) {
    throw permanent(
      'configuration',
      `The webhook source '${reference.source}' is not configured as a BigCommerce store.`,
    );
  }
  const mapped = await readAndMap(reference, source, deps.sourceCustomers);
  if (!mapped.ok) throw permanent('unmappable', `${FAILURE_CODES.unmappable} ${mapped.reasons.join('; ')}.`);
  const parsed = parseCustomerRequest(mapped.body, parseOptions);
  if (!parsed.ok) {
    const fields = parsed.errors.map((e) => e.pointer).join(', ');
    throw permanent('unmappable', `${FAILURE_CODES.unmappable} Invalid after mapping: ${fields}.`);
  }
  const request = parsed.value;
  const updated = await deps.statusStore.update(record, {
    payload: JSON.stringify(request),
    fingerprint: customerFingerprint(request),
    ...emailKeyField(request.Customer.EmailAddress),
    updatedAt: clock(deps).toISOString(),
  });
  return { record: updated, request };
}

/** The customer (or B2B Edition company) read from the store and mapped to our contract. */
async function readAndMap(
  reference: SourceReference,
  source: BigCommerceSource,
  sourceCustomers: SourceCustomers,
): Promise<ShopMapping> {
  if (reference.kind === 'bigcommerce-company') {
    const parts = await sourceCustomers.bigCommerceCompany(source, reference.companyId);
    if (parts === undefined) throw permanent('source_not_found', FAILURE_CODES.source_not_found);
    return mapBigCommerceCompany(parts, source);
  }
  const customer = await sourceCustomers.bigCommerceCustomer(source, reference.customerId);
  if (customer === undefined) throw permanent('source_not_found', FAILURE_CODES.source_not_found);
  return mapBigCommerceCustomer(customer, source);
}
