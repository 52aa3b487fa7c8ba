/**
 * A request whose customer the worker still has to read from the shop (BigCommerce's webhook names
 * only the ID). It stands in the status record's payload and the queue message's `request` until
 * the worker has fetched and mapped the customer; no personal data is in it.
 */
export interface SourceReference {
  kind: 'bigcommerce';
  /** The WEBHOOK_SOURCES name. */
  source: string;
  customerId: number;
}

export const referenceRequest = (reference: SourceReference): { $fetch: SourceReference } => ({
  $fetch: reference,
});

/** The reference a queued `request` holds, or undefined when it is a customer request. */
export function sourceReferenceOf(request: unknown): SourceReference | undefined {
  if (typeof request !== 'object' || request === null || !('$fetch' in request)) return undefined;
  const ref = (request as { $fetch: unknown }).$fetch as Partial<SourceReference> | null;
  if (
    ref?.kind === 'bigcommerce' &&
    typeof ref.source === 'string' &&
    typeof ref.customerId === 'number' &&
    Number.isSafeInteger(ref.customerId)
  ) {
    return { kind: ref.kind, source: ref.source, customerId: ref.customerId };
  }
  return undefined;
}
