/**
 * A request whose customer the worker still has to read from the shop (BigCommerce's webhooks name
 * only an ID: a customer's, or a B2B Edition company's). It stands in the status record's payload and
 * the queue message's `request` until the worker has fetched and mapped it; no personal data is in it.
 */
export type SourceReference =
  | {
      kind: 'bigcommerce';
      /** The WEBHOOK_SOURCES name. */
      source: string;
      customerId: number;
    }
  | {
      /** A B2B Edition company (`store/company/created`, issue 32): it becomes an organisation. */
      kind: 'bigcommerce-company';
      source: string;
      companyId: number;
    };

export const referenceRequest = (reference: SourceReference): { $fetch: SourceReference } => ({
  $fetch: reference,
});

const isId = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value);

/** The reference a queued `request` holds, or undefined when it is a customer request. */
export function sourceReferenceOf(request: unknown): SourceReference | undefined {
  if (typeof request !== 'object' || request === null || !('$fetch' in request)) return undefined;
  const ref = (request as { $fetch: unknown }).$fetch as Record<string, unknown> | null;
  if (typeof ref?.source !== 'string') return undefined;
  if (ref.kind === 'bigcommerce' && isId(ref.customerId)) {
    return { kind: 'bigcommerce', source: ref.source, customerId: ref.customerId };
  }
  if (ref.kind === 'bigcommerce-company' && isId(ref.companyId)) {
    return { kind: 'bigcommerce-company', source: ref.source, companyId: ref.companyId };
  }
  return undefined;
}
