import { AppliedUpdate, CustomerUpdates } from './customers-store';

/**
 * The fleet audit's update phase, as a pure check of what the emulated D365 holds (a customer from
 * `GET /_emulator/customers`: its fields and its update history) against the updates a source made,
 * oldest first. It does not know the app: only what was sent and what D365 applied.
 *
 * For each customer:
 * - `lost`: a field the source changed whose final D365 value is not the newest value the source gave
 *   it, and that no operator changed in D365 either (an operator's change is the conflict policy's
 *   business, counted under `overwritten` when the app wrote over it);
 * - `outOfOrder`: an applied OData update that matches only source updates older than one applied
 *   before it (each applied update is matched to the oldest source update not yet matched and not
 *   older than the previous match whose values it carries: the app may send fewer fields than the
 *   source changed, never others);
 * - `duplicates`: an applied update that only matches source updates already matched (a redelivery
 *   applied twice);
 * - `unmatched`: an applied OData update that carries values no source update gave;
 * - `overwritten`: an OData update applied after an operator change that writes a field the operator
 *   changed (under the "D365 wins" and "flag for review" policies there must be none);
 * - `incomplete`: the history no longer holds every update (more than its limit were applied).
 */
export interface AuditedCustomer {
  legalEntity: string;
  account: string;
  fields: Record<string, unknown>;
  updates: CustomerUpdates;
}

export interface SentUpdates {
  legalEntity: string;
  account: string;
  /** The fields of each update the source made, oldest first (the values D365 should end with). */
  updates: Record<string, unknown>[];
}

export interface CustomerAuditFinding {
  legalEntity: string;
  account: string;
  problem: 'lost' | 'outOfOrder' | 'duplicates' | 'unmatched' | 'overwritten' | 'incomplete' | 'missing';
  /** The fields concerned (names only: never their values, which are personal data). */
  fields: string[];
}

export interface UpdateAuditReport {
  customers: number;
  lost: number;
  outOfOrder: number;
  duplicates: number;
  unmatched: number;
  overwritten: number;
  incomplete: number;
  /** Customers the source updated that D365 does not have. */
  missing: number;
  findings: CustomerAuditFinding[];
}

const same = (a: unknown, b: unknown): boolean =>
  typeof a === 'string' && typeof b === 'string' ? a.trim() === b.trim() : a === b;

/** True when every value the applied update wrote is the value the source update gave that field. */
const carries = (applied: AppliedUpdate, sent: Record<string, unknown>): boolean =>
  Object.entries(applied.fields).every(([name, value]) => name in sent && same(sent[name], value));

const keyOf = (legalEntity: string, account: string): string =>
  `${legalEntity.toUpperCase()}\u0000${account.toUpperCase()}`;

function auditOne(customer: AuditedCustomer, sent: SentUpdates): CustomerAuditFinding[] {
  const findings: CustomerAuditFinding[] = [];
  const finding = (problem: CustomerAuditFinding['problem'], fields: Iterable<string>): void => {
    const names = [...new Set(fields)].sort();
    findings.push({ legalEntity: sent.legalEntity, account: sent.account, problem, fields: names });
  };
  const { history, dropped } = customer.updates;
  if (dropped > 0) finding('incomplete', []);

  const newest = new Map<string, unknown>();
  for (const update of sent.updates)
    for (const [name, value] of Object.entries(update)) newest.set(name, value);
  const operatorFields = new Set(
    history.filter((h) => h.via === 'operator').flatMap((h) => Object.keys(h.fields)),
  );
  const lost = [...newest].filter(
    ([name, value]) => !same(customer.fields[name], value) && !operatorFields.has(name),
  );
  if (lost.length > 0)
    finding(
      'lost',
      lost.map(([name]) => name),
    );

  let previous = 0;
  const used = new Set<number>();
  const changedByOperator = new Set<string>();
  for (const applied of history) {
    if (applied.via === 'operator') {
      for (const name of Object.keys(applied.fields)) changedByOperator.add(name);
      continue;
    }
    const over = Object.keys(applied.fields).filter((name) => changedByOperator.has(name));
    if (over.length > 0) finding('overwritten', over);
    const index = sent.updates.findIndex(
      (update, i) => i >= previous && !used.has(i) && carries(applied, update),
    );
    if (index >= 0) {
      used.add(index);
      previous = index;
      continue;
    }
    const again = sent.updates.some((update, i) => used.has(i) && carries(applied, update));
    const older = sent.updates.some((update) => carries(applied, update));
    finding(again ? 'duplicates' : older ? 'outOfOrder' : 'unmatched', Object.keys(applied.fields));
  }
  return findings;
}

/** Audits every customer the source updated; `customers` is `GET /_emulator/customers`' `value`. */
export function auditUpdates(
  customers: readonly AuditedCustomer[],
  sent: readonly SentUpdates[],
): UpdateAuditReport {
  const byKey = new Map(customers.map((c) => [keyOf(c.legalEntity, c.account), c]));
  const findings = sent.flatMap((expected): CustomerAuditFinding[] => {
    const customer = byKey.get(keyOf(expected.legalEntity, expected.account));
    if (!customer)
      return [
        { legalEntity: expected.legalEntity, account: expected.account, problem: 'missing', fields: [] },
      ];
    return auditOne(customer, expected);
  });
  const count = (problem: CustomerAuditFinding['problem']): number =>
    findings.filter((f) => f.problem === problem).length;
  return {
    customers: sent.length,
    lost: count('lost'),
    outOfOrder: count('outOfOrder'),
    duplicates: count('duplicates'),
    unmatched: count('unmatched'),
    overwritten: count('overwritten'),
    incomplete: count('incomplete'),
    missing: count('missing'),
    findings,
  };
}
