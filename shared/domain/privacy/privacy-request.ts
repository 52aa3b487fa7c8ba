import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * Privacy requests (issue 27): a customer's right to erasure or to a copy of what we hold, from
 * Shopify's compliance webhooks, a Standard Webhooks sender or an operator. Each is a status record
 * of `kind` `erase` or `export` (so it has a status URL, a lease, retries and the reconciler's
 * care like any request); its `payload` is the `PrivacyState` below: which customer, progress and
 * the proof (counts per store, never values). The request never holds the customer's values: an
 * e-mail becomes its e-mail key at the intake.
 */
export const PRIVACY_KINDS = ['erase', 'export'] as const;
export type PrivacyKind = (typeof PRIVACY_KINDS)[number];
export const isPrivacyKind = (kind: string | undefined): kind is PrivacyKind =>
  PRIVACY_KINDS.some((k) => k === kind);

/** Days within which a privacy request must be completed (Shopify, "Privacy law compliance": 30 days). */
export const PRIVACY_DUE_DAYS = 30;

/** Where a request came from: it limits what it may erase (a shop's request: that shop's customers). */
export const originSchema = z.strictObject({
  via: z.enum(['shopify', 'standard', 'api']),
  /** The WEBHOOK_SOURCES name of the shop or sender; absent for an operator's request. */
  source: z.string().min(1).max(100).optional(),
  /** Who asked (webhook:<source>, or the operator's caller ID). */
  caller: z.string().min(1).max(200),
  /** The shop's own request ID (Shopify's data_request.id), for the merchant's records. */
  externalId: z.string().min(1).max(100).optional(),
});

/**
 * Which customer: by the source's customer ID, by a D365 account, by e-mail (its key), or (scope
 * `source`) every customer of one source (Shopify's shop/redact). Identifiers, never values.
 */
export const subjectSchema = z.strictObject({
  scope: z.enum(['customer', 'source']),
  source: z.string().min(1).max(100).optional(),
  sourceCustomerId: z.string().min(1).max(100).optional(),
  legalEntity: z.string().min(1).max(4).optional(),
  customerAccount: z.string().min(1).max(40).optional(),
  emailKey: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});
export type PrivacySubject = z.infer<typeof subjectSchema>;

const counts = z.record(z.string(), z.number().int().min(0));

/** What happened to a linked D365 customer (report: named for the merchant; anonymise: the update's outcome). */
export const d365OutcomeSchema = z.strictObject({
  legalEntity: z.string(),
  customerAccount: z.string(),
  action: z.enum(['reported', 'anonymise']),
  /** anonymise: the update request's correlation ID, and how it ended. */
  updateId: z.string().optional(),
  status: z.string().optional(),
  outcome: z.string().optional(),
  /** Entity fields D365 refused, when the update failed (from its scrubbed message). */
  refused: z.array(z.string()).optional(),
  errorCode: z.string().optional(),
});
export type D365Outcome = z.infer<typeof d365OutcomeSchema>;

export const privacyStateSchema = z.strictObject({
  $privacy: z.literal(1),
  kind: z.enum(PRIVACY_KINDS),
  origin: originSchema,
  subject: subjectSchema,
  receivedAt: z.iso.datetime(),
  dueAt: z.iso.datetime(),
  /** How far the work got (erase.ts): so a restarted invocation goes on from there. */
  phase: z.enum(['mark', 'wait', 'd365', 'erase', 'recheck', 'done']).default('mark'),
  /** When the erasure marks were written (the recheck waits a settle time after it). */
  markedAt: z.iso.datetime().optional(),
  /** Rounds of erase → recheck (bounded). */
  rounds: z.number().int().min(0).default(0),
  /** Proof: what was found (exports) or erased (erasures) per store. Counts only. */
  found: counts.default({}),
  erased: counts.default({}),
  d365: z.array(d365OutcomeSchema).default([]),
  /** The linked D365 customers were listed (and their updates asked for, under anonymise). */
  d365Listed: z.boolean().default(false),
  /** How many linked D365 customers there were (a whole shop's: only the first 100 are listed). */
  d365Total: z.number().int().min(0).default(0),
  /**
   * The identifiers the work looks for: the subject's, and those of the customer links found for it
   * (references, accounts, e-mail keys). Kept while the request is open, dropped when it completes.
   */
  expanded: z
    .strictObject({
      references: z.array(z.strictObject({ source: z.string(), sourceCustomerId: z.string() })),
      accounts: z.array(z.strictObject({ legalEntity: z.string(), customerAccount: z.string() })),
      emailKeys: z.array(z.string()),
    })
    .optional(),
  /**
   * The erase batch under way (erase.ts), saved before it starts and dropped with its counts: the
   * successor of an instance killed inside it counts what of it is already gone (exact proof).
   */
  batch: z
    .strictObject({
      records: z.array(z.string()),
      links: z.array(
        z.union([
          z.strictObject({ kind: z.literal('reference'), source: z.string(), sourceCustomerId: z.string() }),
          z.strictObject({
            kind: z.literal('account'),
            legalEntity: z.string(),
            customerAccount: z.string(),
          }),
        ]),
      ),
    })
    .optional(),
  /**
   * Shops whose Admin API refused our token while the erasure removed the D365 account we had
   * written into their customers (issue 28): the merchant removes it there (docs/privacy.md).
   */
  shopsUnreached: z.array(z.string()).default([]),
  /** Erasure marks written (their keys, hashes), so a release can lift them. */
  marks: z.array(z.string()).default([]),
  /** Exports: who fetched it, when (or the callback it was sent to). */
  fetches: z.array(z.strictObject({ by: z.string(), at: z.iso.datetime() })).default([]),
  completedAt: z.iso.datetime().optional(),
  releasedAt: z.iso.datetime().optional(),
});
export type PrivacyState = z.infer<typeof privacyStateSchema>;

export function parsePrivacyState(payload: string | undefined): PrivacyState | undefined {
  if (payload === undefined) return undefined;
  try {
    const parsed = privacyStateSchema.safeParse(JSON.parse(payload));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export const dueAtFor = (receivedAt: Date): string =>
  new Date(receivedAt.getTime() + PRIVACY_DUE_DAYS * 86_400_000).toISOString();

/** The `sourceCustomerId` of a whole source's erasure mark (shop/redact): no shop customer ID is `*`. */
export const SOURCE_WIDE = '*';

/**
 * The key of the erasure mark of a source's customer (a hash: no identifier is stored in a key):
 * while it stands, deliveries of that customer from that source are not taken in again.
 */
export function erasureMarkKey(source: string, sourceCustomerId: string): string {
  return createHash('sha256').update(`erased\n${source}\n${sourceCustomerId}`).digest('hex');
}

/**
 * Redeliveries are the same request: its ID is derived from who sent it and what identifies it
 * (Shopify: the shop, the topic and the signed body's digest; a Standard Webhooks sender: its
 * `webhook-id`; the API: the Idempotency-Key, else the body). A window of `PRIVACY_DUE_DAYS` keeps
 * the same request from being sent again within it, and lets a new one (a second uninstall months
 * later) be a new request.
 */
export function privacyDedupeKey(parts: readonly string[], receivedAt: Date, windowed: boolean): string {
  const window = windowed ? String(Math.floor(receivedAt.getTime() / (PRIVACY_DUE_DAYS * 86_400_000))) : '-';
  return createHash('sha256')
    .update([...parts, window].join('\n'))
    .digest('base64url');
}
