import type { MatchedOn } from '../recovery-match';
import type { StatusRecord } from '../status';

/**
 * An operator's review of a `needs_review` create with candidate accounts (issue 32: a possible
 * duplicate, or several customers matching exactly): link the request to one of the candidates, or
 * (a possible duplicate only) have a new customer created. What the operator sees: the fields the
 * candidates matched on (`matchedOn`, field names) and their D365 accounts; never the values.
 */
export { REVIEW_DECISIONS } from './review-decision';
export type { ReviewDecision } from './review-decision';

export interface ReviewView {
  /** Which fields the candidates matched on (names, never values). */
  matchedOn?: MatchedOn;
  /** The candidates' D365 accounts in the request's legal entity. */
  candidates: string[];
}

/** The candidate accounts of a needs-review record (none for any other). */
export function candidatesOf(record: StatusRecord): string[] {
  if (record.status !== 'needs_review' || record.existingAccounts === undefined) return [];
  return record.existingAccounts.split(',').filter((account) => account !== '');
}

/** Whether an operator may decide it: a create in `needs_review` with candidates, not yet resolved. */
export const mayLink = (record: StatusRecord): boolean =>
  record.kind !== 'update' && record.resolvedAt === undefined && candidatesOf(record).length > 0;

/**
 * Whether an operator may have a new customer created instead: a possible duplicate (an initial
 * beside a first name: only an operator can tell two people from one) whose request is still stored.
 * Several exact matches are not offered this: the request is one of them, or a policy question.
 */
export const mayCreateNew = (record: StatusRecord): boolean =>
  mayLink(record) && record.errorCode === 'possible_duplicate' && record.payload !== undefined;

/** What the operator sees of the review; absent when there is nothing to decide. */
export function reviewOf(record: StatusRecord): ReviewView | undefined {
  if (!mayLink(record)) return undefined;
  return {
    ...(record.matchedOn !== undefined && { matchedOn: record.matchedOn }),
    candidates: candidatesOf(record),
  };
}
