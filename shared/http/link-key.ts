import type { CustomerLinkKey } from '../ports';
import { parseAccountPath, parseCustomerReference } from './customer-reference';
import { Problem, problems } from './problem';

const LINK_QUERY_FORMS =
  'Name the link: ?source=…&sourceCustomerId=… (a source customer) or ?legalEntity=…&customerAccount=… (a D365 account).';

/**
 * The operator routes' link key from the query: `source` + `sourceCustomerId`, or `legalEntity` +
 * `customerAccount`; otherwise a 400 `invalid-query` problem that names both forms and what was wrong.
 */
export function readLinkKey(query: {
  get(name: string): string | null;
}): { ok: true; key: CustomerLinkKey } | { ok: false; problem: Problem } {
  const q = (name: string) => query.get(name) ?? undefined;
  const refused = (detail: string) => ({
    ok: false as const,
    problem: problems.invalidQuery([{ pointer: '', detail }]),
  });
  if (q('source') !== undefined || q('sourceCustomerId') !== undefined) {
    const source = q('source') ?? '';
    const id = parseCustomerReference(q('sourceCustomerId') ?? '');
    if (!/^[A-Za-z0-9._:-]{1,100}$/.test(source) || !id.ok || id.reference === undefined)
      return refused(
        `${LINK_QUERY_FORMS} source is 1 to 100 letters, digits, \`.\`, \`_\`, \`:\` or \`-\`; sourceCustomerId is the source's customer ID.`,
      );
    return { ok: true, key: { kind: 'reference', source, sourceCustomerId: id.reference } };
  }
  if (q('legalEntity') === undefined && q('customerAccount') === undefined) return refused(LINK_QUERY_FORMS);
  const path = parseAccountPath(q('legalEntity'), q('customerAccount'));
  if (!path.ok)
    return refused(
      `${LINK_QUERY_FORMS} legalEntity is 1 to 4 letters or digits; customerAccount 1 to 20 letters, digits, \`.\`, \`_\` or \`-\`.`,
    );
  return {
    ok: true,
    key: { kind: 'account', legalEntity: path.legalEntity, customerAccount: path.customerAccount },
  };
}
