import { z } from 'zod';
import { emailKeyOf } from '../customer-identity';
import type { FieldError } from '../customer-contract';
import { toFieldErrors } from '../customer-contract/errors';
import type { PrivacyKind, PrivacySubject } from './privacy-request';

/**
 * The ways a privacy request names its customer (issue 27), parsed into a subject of identifiers:
 * an e-mail becomes its e-mail key here, so no value of the customer is ever stored with the request.
 */

/** Shopify's compliance topics (shopify.dev "Privacy law compliance"): always taken, never "not subscribed". */
export const SHOPIFY_COMPLIANCE_TOPICS = [
  'customers/data_request',
  'customers/redact',
  'shop/redact',
] as const;
export type ShopifyComplianceTopic = (typeof SHOPIFY_COMPLIANCE_TOPICS)[number];
export const isShopifyComplianceTopic = (topic: string): topic is ShopifyComplianceTopic =>
  SHOPIFY_COMPLIANCE_TOPICS.some((t) => t === topic);

/** The Standard Webhooks types of a privacy request (our own names, `data` as in the API's body). */
export const STANDARD_PRIVACY_TYPES = {
  'customer.redact': 'erase',
  'customer.data_request': 'export',
} as const;
export const standardPrivacyKind = (type: string): PrivacyKind | undefined =>
  (STANDARD_PRIVACY_TYPES as Record<string, PrivacyKind>)[type];

const shopifyId = z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,30}$/)]);

/**
 * `JSON.parse` keeping every integer a double cannot hold exactly as its digits (Shopify's customer
 * IDs pass 2^53, e.g. 706405506930370084, and compliance payloads carry no `admin_graphql_api_id`).
 * Uses the reviver's source text (Node.js 22: `context.source`).
 */
export function parseWithExactIntegers(text: string): unknown {
  const reviver = (_key: string, value: unknown, context?: { source?: string }): unknown =>
    typeof value === 'number' && !Number.isSafeInteger(value) && /^\d+$/.test(context?.source ?? '')
      ? context!.source
      : value;
  return JSON.parse(text, reviver as (key: string, value: unknown) => unknown);
}

/**
 * Shopify's payloads, as documented (shop_id, shop_domain; customer {id, email, phone}; orders).
 * Members Shopify may add are let through; what we use is checked.
 */
const shopifyPayloadSchema = z.looseObject({
  shop_id: shopifyId.optional(),
  shop_domain: z.string().min(1).max(255),
  customer: z
    .looseObject({
      id: shopifyId.nullish(),
      email: z.string().max(320).nullish(),
      phone: z.string().max(64).nullish(),
    })
    .optional(),
  data_request: z.looseObject({ id: shopifyId }).optional(),
});

export type ParsedPrivacy =
  | { ok: true; kind: PrivacyKind; subject: PrivacySubject; externalId?: string }
  | { ok: false; errors: FieldError[] };

const invalid = (pointer: string, detail: string): ParsedPrivacy => ({
  ok: false,
  errors: [{ pointer, detail }],
});

const emailKeyOfText = (email: string | null | undefined): string | undefined =>
  typeof email === 'string' && email.trim() !== '' ? emailKeyOf(email) : undefined;

/**
 * A Shopify compliance payload for the shop `source` (its WEBHOOK_SOURCES name) at `shopDomain`:
 * `customers/redact` an erasure, `customers/data_request` an export (both by the shop's customer ID
 * and its e-mail), `shop/redact` the erasure of everything that came from the shop.
 */
export function parseShopifyCompliance(
  topic: ShopifyComplianceTopic,
  value: unknown,
  shop: { source: string; shopDomain: string },
): ParsedPrivacy {
  const parsed = shopifyPayloadSchema.safeParse(value);
  if (!parsed.success) return { ok: false, errors: toFieldErrors(parsed.error.issues) };
  const payload = parsed.data;
  if (payload.shop_domain.trim().toLowerCase() !== shop.shopDomain)
    return invalid('/shop_domain', 'shop_domain is not the shop that signed the delivery.');
  if (topic === 'shop/redact')
    return { ok: true, kind: 'erase', subject: { scope: 'source', source: shop.source } };
  const id = payload.customer?.id;
  const emailKey = emailKeyOfText(payload.customer?.email);
  if ((id === undefined || id === null) && emailKey === undefined)
    return invalid('/customer', 'customer names neither an id nor an email.');
  const subject: PrivacySubject = {
    scope: 'customer',
    source: shop.source,
    ...(id !== undefined && id !== null && { sourceCustomerId: String(id) }),
    ...(emailKey !== undefined && { emailKey }),
  };
  const externalId = payload.data_request?.id;
  return {
    ok: true,
    kind: topic === 'customers/redact' ? 'erase' : 'export',
    subject,
    ...(externalId !== undefined && { externalId: String(externalId) }),
  };
}

/**
 * Who a request of the API (`POST /api/privacy/requests`) or of a Standard Webhooks sender names:
 * exactly one of a source's customer (`source` + `reference`; a sender's own source is implied),
 * a D365 account (`legalEntity` + `customerAccount`), or an `email`.
 */
export const privacySubjectBodySchema = z.strictObject({
  source: z.string().min(1).max(100).optional().meta({
    description:
      'The source the customer came from (a WEBHOOK_SOURCES name, or the source an API create named), with `reference`.',
  }),
  reference: z.string().min(1).max(100).optional().meta({
    description: 'The customer\u2019s ID in that source (its `Customer-Reference` or shop customer ID).',
  }),
  legalEntity: z
    .string()
    .regex(/^[A-Za-z0-9]{1,4}$/, 'legalEntity is 1 to 4 letters or digits.')
    .optional()
    .meta({ description: 'The D365 legal entity (company), with `customerAccount`.' }),
  customerAccount: z
    .string()
    .min(1)
    .max(20)
    .optional()
    .meta({ description: 'The D365 customer account, with `legalEntity`.' }),
  email: z.email().max(254).optional().meta({
    description:
      'The customer\u2019s e-mail: turned into a key (a hash) at once; requests and links carrying the same e-mail are found by it.',
  }),
});

export const privacyRequestBodySchema = privacySubjectBodySchema.extend({
  type: z.enum(['erase', 'export']).meta({
    description:
      '`erase`: forget the customer everywhere the app holds it; `export`: a copy of what it holds.',
  }),
});

/** The subject a body of `privacySubjectBodySchema`'s shape names (`defaultSource`: a sender's own). */
export function parseSubjectBody(
  value: unknown,
  defaultSource?: string,
): { ok: true; subject: PrivacySubject } | { ok: false; errors: FieldError[] } {
  const parsed = privacySubjectBodySchema.safeParse(value);
  if (!parsed.success) return { ok: false, errors: toFieldErrors(parsed.error.issues) };
  return subjectOf(parsed.data, defaultSource);
}

export function parsePrivacyRequestBody(value: unknown): ParsedPrivacy {
  const parsed = privacyRequestBodySchema.safeParse(value);
  if (!parsed.success) return { ok: false, errors: toFieldErrors(parsed.error.issues) };
  const { type, ...body } = parsed.data;
  const subject = subjectOf(body, undefined);
  return subject.ok ? { ok: true, kind: type, subject: subject.subject } : subject;
}

function subjectOf(
  body: z.infer<typeof privacySubjectBodySchema>,
  defaultSource: string | undefined,
): { ok: true; subject: PrivacySubject } | { ok: false; errors: FieldError[] } {
  const source = body.source ?? defaultSource;
  const ways = [
    body.reference !== undefined,
    body.legalEntity !== undefined || body.customerAccount !== undefined,
    body.email !== undefined,
  ].filter(Boolean).length;
  const fail = (pointer: string, detail: string) => ({ ok: false as const, errors: [{ pointer, detail }] });
  if (ways !== 1)
    return fail(
      '',
      'Name the customer in exactly one way: source and reference, legalEntity and customerAccount, or email.',
    );
  if (body.reference !== undefined) {
    if (source === undefined) return fail('/source', 'source is required with reference.');
    return { ok: true, subject: { scope: 'customer', source, sourceCustomerId: body.reference } };
  }
  if (body.email !== undefined)
    return {
      ok: true,
      subject: {
        scope: 'customer',
        ...(source !== undefined && { source }),
        emailKey: emailKeyOf(body.email),
      },
    };
  if (body.legalEntity === undefined)
    return fail('/legalEntity', 'legalEntity is required with customerAccount.');
  if (body.customerAccount === undefined)
    return fail('/customerAccount', 'customerAccount is required with legalEntity.');
  return {
    ok: true,
    subject: {
      scope: 'customer',
      ...(source !== undefined && { source }),
      legalEntity: body.legalEntity.toUpperCase(),
      customerAccount: body.customerAccount,
    },
  };
}
