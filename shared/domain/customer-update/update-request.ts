import { z } from 'zod';
import { CUSTOMER_FIELDS, FieldError, parseCustomerRequest } from '../customer-contract';
import type { CustomerRequest } from '../customer-contract';
import { applyMergePatch } from './merge-patch';
import type { OrderStamp } from './update-order';

/**
 * A customer update as the intake queues it (the `request` of the queue message and the status
 * record's payload): which customer, the normalised patch of its `Customer` members (a value sets a
 * member, `null` removes it), and the update's order stamp.
 */
export const updateRequestSchema = z.strictObject({
  Update: z.strictObject({
    legalEntity: z.string().min(1).max(4),
    customerAccount: z.string().min(1).max(40).optional(),
    source: z.string().min(1).max(100).optional(),
    sourceCustomerId: z.string().min(1).max(100).optional(),
    customer: z.record(z.string(), z.unknown()),
    stamp: z.strictObject({
      kind: z.enum(['source', 'version', 'arrival']),
      value: z.number(),
      arrivedAt: z.number(),
    }),
    /** A shop's delivery: the digest of the shop's customer it carries (domain/webhooks/source-digest.ts). */
    sourceDigest: z.string().min(1).max(100).optional(),
  }),
});

export type UpdateRequest = z.infer<typeof updateRequestSchema>;

/** Whether a queued request is an update (rather than a create). */
export function isUpdateRequest(request: unknown): boolean {
  return typeof request === 'object' && request !== null && 'Update' in request;
}

export function parseUpdateRequest(request: unknown): UpdateRequest | undefined {
  const parsed = updateRequestSchema.safeParse(request);
  return parsed.success ? parsed.data : undefined;
}

/** Members of `Customer` a patch may not change: the legal entity is half of the D365 key. */
const IMMUTABLE = ['LegalEntity'] as const;

export type PatchCheck =
  | {
      ok: true;
      /** The patch's `Customer` members, normalised as the contract normalises them (`null`: removed). */
      customer: Record<string, unknown>;
      merged: CustomerRequest;
    }
  | { ok: false; errors: FieldError[] };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks a merge patch against the customer it changes: the patch is `{"Customer": {...}}`, the
 * legal entity stays, and the merged result must be a valid customer (the create's rules). The
 * errors' pointers are into the patch body (the merged document has the same paths).
 */
export function checkCustomerPatch(
  baseline: CustomerRequest,
  patch: unknown,
  options: { defaultCustomerGroup: string; now?: Date },
): PatchCheck {
  if (!isObject(patch))
    return { ok: false, errors: [{ pointer: '', detail: 'The patch must be a JSON object.' }] };
  const errors: FieldError[] = Object.keys(patch)
    .filter((key) => key !== 'Customer')
    .map((key) => ({ pointer: `/${escape(key)}`, detail: `${key} is not a member of a customer.` }));
  const customer = patch.Customer;
  if (!isObject(customer)) {
    errors.push({ pointer: '/Customer', detail: 'Customer must be an object of the members to change.' });
    return { ok: false, errors };
  }
  for (const field of IMMUTABLE) {
    if (field in customer && customer[field] !== baseline.Customer[field])
      errors.push({
        pointer: `/Customer/${field}`,
        detail: `${field} cannot be changed by an update (it is part of the customer's key).`,
      });
  }
  if (Object.keys(customer).length === 0)
    errors.push({ pointer: '/Customer', detail: 'The patch changes nothing: name at least one member.' });
  // The merged customer is checked too (without the refused key change), so every error is reported at once.
  const changes = Object.fromEntries(
    Object.entries(customer).filter(([field]) => !IMMUTABLE.some((f) => f === field)),
  );
  const merged = applyMergePatch(baseline, { Customer: changes });
  const parsed = parseCustomerRequest(merged, options);
  if (!parsed.ok) errors.push(...parsed.errors);
  if (errors.length > 0 || !parsed.ok) return { ok: false, errors };
  const normalised: Record<string, unknown> = {};
  const value = parsed.value.Customer as unknown as Record<string, unknown>;
  for (const field of Object.keys(customer)) normalised[field] = value[field] ?? null;
  return { ok: true, customer: normalised, merged: parsed.value };
}

const escape = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * A full customer from a source that always sends all of it (Shopify's `customers/update`) as a patch:
 * its members, and `null` for every optional member it no longer has.
 */
export function fullCustomerAsPatch(body: { Customer: Record<string, unknown> }): {
  Customer: Record<string, unknown>;
} {
  const customer: Record<string, unknown> = { ...body.Customer };
  for (const field of CUSTOMER_FIELDS) if (!(field in customer)) customer[field] = null;
  return { Customer: customer };
}

/** The stamp of a source's clock, a caller's version, or the arrival time. */
export function orderStamp(
  arrivedAt: number,
  given?: { kind: 'source' | 'version'; value: number },
): OrderStamp {
  return given ? { ...given, arrivedAt } : { kind: 'arrival', value: arrivedAt, arrivedAt };
}
