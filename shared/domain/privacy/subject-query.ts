import { emailKeyOf } from '../customer-identity';
import { isTerminal, StatusRecord } from '../status';
import { isPrivacyKind, PrivacyState } from './privacy-request';

/**
 * What an erasure or export looks for (issue 27), as identifiers the stores keep: a source's
 * customer IDs, e-mail keys, D365 accounts; or every record of one source (Shopify's shop/redact).
 * `source` limits it to what came from that source (a shop's request covers that shop's customers
 * only). The same rule decides for the Table adapters (which pre-filter on the service) and the
 * in-memory stand-ins.
 */
export interface SubjectQuery {
  /** Only what came from this source; with `wholeSource`, everything that came from it. */
  source?: string;
  wholeSource?: boolean;
  references?: readonly { source: string; sourceCustomerId: string }[];
  emailKeys?: readonly string[];
  accounts?: readonly { legalEntity: string; customerAccount: string }[];
  /** Only requests still at work (`stillWorking`): an erasure waits for them to end first. */
  inFlight?: boolean;
}

/**
 * A request still at work on its customer: not ended, or a create whose shop write-back (issue 28)
 * is pending — its account may still be written to the shop, after which the erasure forgets it.
 */
export const stillWorking = (record: Pick<StatusRecord, 'status' | 'writeBack'>): boolean =>
  !isTerminal(record.status) || record.writeBack === 'pending';

/** The record still holds something that ties it to a customer (erasure removes all of it). */
export function holdsCustomerData(record: StatusRecord): boolean {
  return (
    record.payload !== undefined ||
    record.originalPayload !== undefined ||
    record.sourceCustomerId !== undefined ||
    record.customerAccount !== undefined ||
    record.emailKey !== undefined ||
    record.existingAccounts !== undefined
  );
}

const sameAccount = (
  a: { legalEntity: string; customerAccount?: string },
  b: { legalEntity: string; customerAccount: string },
): boolean =>
  a.customerAccount !== undefined &&
  a.customerAccount === b.customerAccount &&
  a.legalEntity.toUpperCase() === b.legalEntity.toUpperCase();

/** The identifiers records and links share. */
interface Identified {
  source?: string;
  sourceCustomerId?: string;
  emailKey?: string;
  legalEntity: string;
  customerAccount?: string;
}

/** Whether an item (a record or a link) is the query's customer, ignoring the source limit. */
function identifies(item: Identified, query: SubjectQuery): boolean {
  return (
    (query.references ?? []).some(
      (r) => item.source === r.source && item.sourceCustomerId === r.sourceCustomerId,
    ) ||
    (item.emailKey !== undefined && (query.emailKeys ?? []).includes(item.emailKey)) ||
    (query.accounts ?? []).some((a) => sameAccount(item, a))
  );
}

/** A customer request's record (not a privacy request's) that the query covers and that still holds data. */
export function recordMatches(record: StatusRecord, query: SubjectQuery): boolean {
  if (isPrivacyKind(record.kind) || !holdsCustomerData(record)) return false;
  if (query.inFlight === true && !stillWorking(record)) return false;
  if (query.source !== undefined && record.source !== query.source) return false;
  return query.wholeSource === true || identifies(record, query);
}

/** A link the query covers. */
export function linkMatches(link: Identified & { source: string }, query: SubjectQuery): boolean {
  if (query.source !== undefined && link.source !== query.source) return false;
  return query.wholeSource === true || identifies(link, query);
}

/**
 * A customer row of an uploaded export (the CSV backfill, issue 30) that the query covers: by its shop
 * customer ID under its job's `source` (undefined when the job's row is gone), or its e-mail key; a
 * whole source's rows for `shop/redact`.
 */
export function uploadedCustomerMatches(
  customer: { id: string; email: string | null },
  source: string | undefined,
  query: SubjectQuery,
): boolean {
  if (query.wholeSource === true) return query.source !== undefined && source === query.source;
  if (query.source !== undefined && source !== query.source) return false;
  const email = customer.email?.trim() ? { emailKey: emailKeyOf(customer.email) } : {};
  return identifies({ source, sourceCustomerId: customer.id, legalEntity: '', ...email }, query);
}

/** Whether the query names anything at all (an empty one must match nothing, never everything). */
export const isEmptyQuery = (query: SubjectQuery): boolean =>
  !query.wholeSource &&
  (query.references ?? []).length === 0 &&
  (query.emailKeys ?? []).length === 0 &&
  (query.accounts ?? []).length === 0;

/**
 * What a privacy request looks for: the identifiers gathered so far (the subject's, and those of the
 * customer links found for it), limited to its source when a shop or sender asked; or every record
 * of one source (scope `source`).
 */
export function queryForRequest(state: PrivacyState): SubjectQuery {
  const { subject, origin } = state;
  const source = origin.via === 'api' ? undefined : origin.source;
  if (subject.scope === 'source') return { source: subject.source ?? source, wholeSource: true };
  const expanded = state.expanded ?? {
    references:
      subject.source !== undefined && subject.sourceCustomerId !== undefined
        ? [{ source: subject.source, sourceCustomerId: subject.sourceCustomerId }]
        : [],
    accounts:
      subject.legalEntity !== undefined && subject.customerAccount !== undefined
        ? [{ legalEntity: subject.legalEntity, customerAccount: subject.customerAccount }]
        : [],
    emailKeys: subject.emailKey !== undefined ? [subject.emailKey] : [],
  };
  return { ...(source !== undefined && { source }), ...expanded };
}
