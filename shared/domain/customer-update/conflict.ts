/**
 * What an update sends to D365, and whether D365 changed a customer behind our back. Pure; the field
 * names are the D365 entity's (CustomersV3), mapped by the adapter the use-case is given.
 */
export const CONFLICT_POLICIES = ['ours', 'd365', 'review'] as const;
/** What to do when D365 changed a field the update changes: overwrite it, keep D365's, or flag it. */
export type ConflictPolicy = (typeof CONFLICT_POLICIES)[number];

/** Members of the entity that are its key or fixed: never sent in a PATCH. */
const NOT_PATCHED = new Set(['dataAreaId', 'CustomerAccount', 'PartyType']);

/** An absent field and an empty one are the same to D365 (its string fields are not nullable). */
const text = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

/** Whether a value is what we last sent for a field (sent-digests.ts `isAsSent`, bound to a link). */
export type AsSent = (field: string, value: unknown) => boolean;

/**
 * The fields of `next` (the customer as mapped after the update) among `determined` (the fields the
 * update's members set) whose value is not what we last sent: what the PATCH sends. A field the
 * update removed is sent as `""`, which clears it in D365.
 */
export function changedFields(
  next: Record<string, unknown>,
  determined: readonly string[],
  asSent: AsSent,
): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const field of determined) {
    if (NOT_PATCHED.has(field)) continue;
    if (!asSent(field, next[field])) changes[field] = next[field] ?? '';
  }
  return changes;
}

/**
 * The fields of `changes` that D365 now holds with a value other than the one we last sent
 * (`asSent`): someone changed them in D365 since. Fields the update does not touch are not
 * compared: the PATCH leaves them alone.
 */
export function changedInD365(
  current: Record<string, unknown>,
  asSent: AsSent,
  changes: Record<string, unknown>,
  pending: Record<string, unknown> = {},
): string[] {
  return Object.keys(changes).filter(
    (field) =>
      !asSent(field, current[field]) && !(field in pending && text(current[field]) === text(pending[field])),
  );
}

/** Whether D365 already holds every value of `changes` (our own PATCH went through before a crash). */
export function alreadyApplied(current: Record<string, unknown>, changes: Record<string, unknown>): boolean {
  return Object.entries(changes).every(([field, value]) => text(current[field]) === text(value));
}

export type ConflictDecision =
  /** Nothing of ours was changed in D365: PATCH with the ETag just read. */
  | { kind: 'patch' }
  /** D365 already has these values (a PATCH of ours whose answer was lost): adopt its ETag. */
  | { kind: 'already-applied' }
  /** Policy "ours": PATCH over D365's change (`If-Match: *`). */
  | { kind: 'overwrite'; fields: string[] }
  /** Policy "d365": D365's values stay; the update is recorded and not sent. */
  | { kind: 'keep-d365'; fields: string[] }
  /** Policy "review": nothing is sent; the update waits for an operator (`needs_review`). */
  | { kind: 'review'; fields: string[] };

/**
 * What to do once D365's current values are known (before the first PATCH, or after a 412).
 * `pending`: the fields of an earlier update of ours whose PATCH may have gone through (its answer
 * was lost and it ended without knowing): D365 holding those values is not a change made in D365.
 */
export function decideOnCurrent(
  current: Record<string, unknown>,
  asSent: AsSent,
  changes: Record<string, unknown>,
  policy: ConflictPolicy,
  pending: Record<string, unknown> = {},
): ConflictDecision {
  if (alreadyApplied(current, changes)) return { kind: 'already-applied' };
  const fields = changedInD365(current, asSent, changes, pending);
  if (fields.length === 0) return { kind: 'patch' };
  if (policy === 'ours') return { kind: 'overwrite', fields };
  if (policy === 'd365') return { kind: 'keep-d365', fields };
  return { kind: 'review', fields };
}
