import { z } from 'zod';
import { STATUSES } from '../domain/status';

/**
 * The privacy routes' answers (issue 27) as zod schemas, for the OpenAPI document: the request's
 * status and proof (`toPrivacyAnswer`, domain/privacy/privacy-answer.ts) and a data request's export
 * (`PrivacyExport`, use-cases/privacy-export.ts). Counts and identifiers only, never a value of the
 * customer, except in the export itself.
 */
const counts = z.record(z.string(), z.number().int().min(0));

const d365Outcome = z.strictObject({
  legalEntity: z.string(),
  customerAccount: z.string(),
  action: z.enum(['reported', 'anonymise']).meta({
    description:
      '`reported`: named for the merchant to handle in F&O (PRIVACY_ANONYMISE_LEGAL_ENTITIES does not list its legal entity); `anonymise`: a CustomersV3 update replaced its personal fields with placeholders (docs/privacy.md).',
  }),
  updateId: z.string().optional().meta({ description: 'The anonymising update\u2019s correlation ID.' }),
  status: z.string().optional(),
  outcome: z.string().optional(),
  refused: z.array(z.string()).optional().meta({ description: 'Entity fields D365 refused to change.' }),
  errorCode: z.string().optional(),
});

export const privacyAnswerSchema = z
  .strictObject({
    id: z.uuid(),
    type: z.enum(['erase', 'export']),
    status: z.enum(STATUSES),
    scope: z.enum(['customer', 'source']).meta({
      description:
        '`customer`: one customer; `source`: everything of one shop (Shopify\u2019s `shop/redact`).',
    }),
    via: z.enum(['shopify', 'standard', 'api']),
    source: z.string().optional(),
    externalId: z
      .string()
      .optional()
      .meta({ description: 'The shop\u2019s own request ID (Shopify\u2019s `data_request.id`).' }),
    legalEntity: z.string().optional(),
    customerAccount: z.string().optional(),
    receivedAt: z.iso.datetime(),
    dueAt: z.iso.datetime().meta({ description: '30 days after `receivedAt`.' }),
    pastDue: z.boolean(),
    completedAt: z.iso.datetime().optional(),
    erased: counts
      .optional()
      .meta({ description: 'What an erasure removed, per store: counts, never values.' }),
    found: counts.optional().meta({ description: 'What a data request found, per store: counts.' }),
    shopsUnreached: z.array(z.string()).optional().meta({
      description:
        'Sources whose shop refused our Admin API token during the erasure: the D365 account we wrote into their customer (metafield / attribute value) could not be removed; the merchant removes it in the shop.',
    }),
    d365: z.array(d365Outcome),
    fetches: z
      .array(z.strictObject({ by: z.string(), at: z.iso.datetime() }))
      .optional()
      .meta({ description: 'Who fetched the export, and when.' }),
    releasedAt: z.iso.datetime().optional().meta({
      description: 'When an operator released the erasure: the customer may come back.',
    }),
    lastError: z.string().optional(),
    error: z.strictObject({ code: z.string(), message: z.string() }).optional(),
    attempts: z.number().int().min(0),
    updatedAt: z.iso.datetime(),
    statusUrl: z.url().optional().meta({ description: 'This request\u2019s status (also in `Location`).' }),
  })
  .meta({
    description: 'A privacy request: where it stands, and the proof of what was done (counts, never values).',
  });

export const privacyExportSchema = z
  .strictObject({
    requestId: z.uuid(),
    generatedAt: z.iso.datetime(),
    requests: z.array(
      z.strictObject({
        correlationId: z.string(),
        kind: z.enum(['create', 'update']),
        status: z.string(),
        legalEntity: z.string(),
        source: z.string().optional(),
        sourceCustomerId: z.string().optional(),
        customerAccount: z.string().optional(),
        outcome: z.string().optional(),
        createdAt: z.string(),
        updatedAt: z.string(),
        data: z
          .unknown()
          .optional()
          .meta({ description: 'The request as stored, while the app still holds it.' }),
        original: z.unknown().optional().meta({
          description: 'The request as its caller sent it, when an operator edited it (edit and retry).',
        }),
      }),
    ),
    links: z.array(
      z.strictObject({
        source: z.string(),
        sourceCustomerId: z.string().optional(),
        legalEntity: z.string(),
        customerAccount: z.string().optional(),
        linkedAt: z.string().optional(),
      }),
    ),
    truncated: z.boolean().optional(),
  })
  .meta({ description: 'What the app holds about the customer, as stored, with the D365 accounts linked.' });
