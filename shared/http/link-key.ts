import type { CustomerLinkKey } from '../ports';
import { parseAccountPath, parseCustomerReference } from './customer-reference';
import { Problem, problems } from './problem';

/**
 * The operator routes' link key from the query: `source` + `sourceCustomerId`, or `legalEntity` +
 * `customerAccount`; a 400 problem for anything else.
 */
export function readLinkKey(query: {
  get(name: string): string | null;
}): { ok: true; key: CustomerLinkKey } | { ok: false; problem: Problem } {
  const q = (name: string) => query.get(name) ?? undefined;
  if (q('source') !== undefined || q('sourceCustomerId') !== undefined) {
    const source = q('source') ?? '';
    const id = parseCustomerReference(q('sourceCustomerId') ?? '');
    if (!/^[A-Za-z0-9._:-]{1,100}$/.test(source) || !id.ok || id.reference === undefined)
      return {
        ok: false,
        problem: problems.invalidPath({
          pointer: '',
          detail: 'Give source and sourceCustomerId, or legalEntity and customerAccount.',
        }),
      };
    return { ok: true, key: { kind: 'reference', source, sourceCustomerId: id.reference } };
  }
  const path = parseAccountPath(q('legalEntity'), q('customerAccount'));
  if (!path.ok) return { ok: false, problem: problems.invalidPath(path.error) };
  return {
    ok: true,
    key: { kind: 'account', legalEntity: path.legalEntity, customerAccount: path.customerAccount },
  };
}
