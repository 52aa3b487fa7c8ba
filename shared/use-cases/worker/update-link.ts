import type { UpdateRequest } from '../../domain/customer-update';
import type { CustomerLink, CustomerLinks } from '../../ports';

/**
 * What an update reads and writes on its customer's link (ports.ts, `CustomerLink`): the PATCH in
 * flight (`inFlight`) and the last update whose result the link holds (`lastUpdate`), as JSON.
 */

/** The claim key that serialises one customer's updates on the fleet. */
export const updateClaimKey = (legalEntity: string, customerAccount: string): string =>
  `update|${legalEntity.toUpperCase()}|${customerAccount}`;

/** The link an update names: by the source's customer ID, else by the D365 account. */
export function readLink(
  u: UpdateRequest['Update'],
  links: CustomerLinks,
): Promise<CustomerLink | undefined> {
  return links.get(
    u.sourceCustomerId !== undefined && u.source !== undefined
      ? { kind: 'reference', source: u.source, sourceCustomerId: u.sourceCustomerId }
      : { kind: 'account', legalEntity: u.legalEntity, customerAccount: u.customerAccount ?? '' },
  );
}

const parsed = (json: string | undefined): Record<string, unknown> | undefined => {
  if (json === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined; // not ours: ignore it
  }
};

/** The update whose PATCH was being sent when the link was last written (`inFlight`), and its fields. */
export function inFlightOf(link: CustomerLink): { id: string; changes: Record<string, unknown> } | undefined {
  const value = parsed(link.inFlight);
  if (typeof value?.id === 'string' && typeof value.changes === 'object' && value.changes !== null)
    return { id: value.id, changes: value.changes as Record<string, unknown> };
  return undefined;
}

export const UPDATE_OUTCOMES = ['updated', 'unchanged', 'kept_d365'] as const;
export type UpdateOutcome = (typeof UPDATE_OUTCOMES)[number];

export const lastUpdateJson = (id: string, outcome: UpdateOutcome): string => JSON.stringify({ id, outcome });

/** The last update whose result the link holds (`lastUpdate`), and how it ended. */
export function lastUpdateOf(link: CustomerLink): { id: string; outcome: UpdateOutcome } | undefined {
  const value = parsed(link.lastUpdate);
  const outcome = UPDATE_OUTCOMES.find((o) => o === value?.outcome);
  if (typeof value?.id === 'string' && outcome) return { id: value.id, outcome };
  return undefined;
}
