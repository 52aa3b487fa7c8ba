import { z } from 'zod';
import { ATTENTION_VIEWS } from '../../domain/operations/attention';
import { FAILURE_CODES, FailureCode, STATUSES } from '../../domain/status';
import { AUDIT_ACTIONS, MAX_AUDITED_IDS } from '../../domain/operations/audit';
import { REVIEW_DECISIONS } from '../../domain/operations/review';
import { MATCHED_ON } from '../../domain/recovery-match';

/**
 * zod schemas of what the operations API answers (issue 31): the source of its part of the OpenAPI
 * document (openapi-operations.ts), against which the HTTP tests check every real answer.
 */
const timestamp = z.iso.datetime({ offset: true }).meta({ examples: ['2026-11-26T18:00:00.412Z'] });
const correlationId = z.uuid().meta({ examples: ['6f1c2a4e-8d0b-4f7e-9a51-0c3d2b1e4f5a'] });
const failureCode = z.enum(Object.keys(FAILURE_CODES) as [FailureCode, ...FailureCode[]]);
const view = z.enum(ATTENTION_VIEWS).meta({
  description:
    '`failed` / `needs_review`: ended without a customer and not resolved; `retrying`: waiting for its next attempt after a transient failure; `resolved`: resolved by an operator or by a later success for the same customer.',
});
const kind = z.enum(['create', 'update']);

export const listedRequestSchema = z
  .strictObject({
    view,
    correlationId,
    status: z.enum(STATUSES),
    kind,
    errorCode: failureCode.optional(),
    source: z
      .string()
      .meta({ description: 'A `WEBHOOK_SOURCES` name, the caller, or `api`.', examples: ['api'] }),
    legalEntity: z.string().meta({ examples: ['USRT'] }),
    attempts: z.int().min(0),
    createdAt: timestamp,
    at: timestamp.meta({ description: 'When it entered the view (failed, resolved, or began retrying).' }),
    resolution: z.enum(['manual', 'superseded']).optional(),
  })
  .meta({ description: 'One request in an operations list: no personal data.' });

export const requestPageSchema = z
  .strictObject({
    items: z.array(listedRequestSchema),
    cursor: z
      .string()
      .optional()
      .meta({ description: 'Send it back as `cursor` for the next page; absent on the last page.' }),
    counts: z
      .strictObject({
        total: z.int().min(0),
        byCode: z.record(z.string(), z.int().min(0)).meta({
          description: 'Matches per error code (with every filter but `errorCode`); `none` for no code.',
          examples: [{ not_registered: 9120, retries_exhausted: 880 }],
        }),
      })
      .optional()
      .meta({ description: 'First page only (no `cursor` sent).' }),
  })
  .meta({ description: 'A page of requests that need an operator, newest first.' });

export const operatorRequestSchema = z
  .strictObject({
    correlationId,
    kind,
    status: z.enum(STATUSES),
    view: view.optional(),
    legalEntity: z.string(),
    source: z.string(),
    sourceCustomerId: z.string().optional(),
    customerAccount: z.string().optional(),
    outcome: z.string().optional(),
    error: z.strictObject({ code: failureCode, message: z.string() }).optional(),
    lastError: z.string().optional(),
    attempts: z.int().min(0),
    createdAt: timestamp,
    updatedAt: timestamp,
    nextAttemptAt: timestamp.optional(),
    submittedAt: timestamp
      .optional()
      .meta({ description: 'When a create was first sent to D365: the customer may exist there since.' }),
    resolution: z
      .strictObject({
        how: z.enum(['manual', 'superseded']),
        at: timestamp,
        by: z.string().meta({ description: 'The operator (object ID, or `master-key`), or `system`.' }),
        note: z.string().optional(),
      })
      .optional(),
    edited: z.boolean().meta({ description: 'An operator changed its payload (edit and retry).' }),
    replayJobId: z.string().optional(),
    hasPayload: z
      .boolean()
      .meta({ description: 'The stored request is still there (until it succeeds or its retention ends).' }),
    review: z
      .strictObject({
        matchedOn: z.enum(MATCHED_ON).optional().meta({
          description:
            'Which fields the candidates matched on (names, never values): see `StatusAnswer.matchedOn`.',
        }),
        candidates: z
          .array(z.string())
          .meta({ description: 'The candidates’ D365 accounts.', examples: [['US-000123']] }),
      })
      .optional()
      .meta({
        description:
          'A `needs_review` create with candidate accounts (issue 32: a possible duplicate, or several exact matches): link it to one (`…/link`), or for a possible duplicate have a new customer created (`…/create-new`).',
      }),
    reviewDecision: z
      .enum(REVIEW_DECISIONS)
      .optional()
      .meta({ description: 'What an operator decided in a review: `linked` or `create_new`.' }),
    actions: z.strictObject({
      retry: z.boolean(),
      edit: z.boolean(),
      resolve: z.boolean(),
      link: z.boolean().meta({ description: 'Link to one of `review.candidates` (`POST …/link`).' }),
      createNew: z.boolean().meta({ description: 'Create a new customer instead (`POST …/create-new`).' }),
    }),
  })
  .meta({
    description: 'One request as an operator sees it; its payload only through `…/payload` (audited).',
  });

/** `POST /api/ops/requests/{id}/resolve`: the operator's note (known personal patterns are removed). */
export const resolveBodySchema = z
  .strictObject({
    note: z
      .string()
      .max(500, 'note must be at most 500 characters')
      .default('')
      .meta({ examples: ['Created by hand in D365 as US-027.'] }),
  })
  .meta({
    description:
      'Why the request needs nothing more (handled in D365 by hand). E-mails and phones are removed.',
  });

/** `POST /api/ops/requests/{id}/link`: the candidate's account. */
export const linkBodySchema = z
  .strictObject({
    customerAccount: z
      .string()
      .min(1, 'customerAccount is required')
      .max(20, 'customerAccount must be at most 20 characters')
      .meta({ description: 'One of the request’s `review.candidates`.', examples: ['US-000123'] }),
  })
  .meta({ description: 'Which candidate the request is the customer of.' });

/** The link body, or field errors with pointers (`/customerAccount`). */
export function parseLinkBody(
  body: unknown,
): { ok: true; customerAccount: string } | { ok: false; errors: { pointer: string; detail: string }[] } {
  const parsed = linkBodySchema.safeParse(body ?? {});
  if (parsed.success) return { ok: true, customerAccount: parsed.data.customerAccount };
  return {
    ok: false,
    errors: parsed.error.issues.map((issue) => ({
      pointer: issue.code === 'unrecognized_keys' ? `/${issue.keys[0]}` : `/${issue.path.join('/')}`,
      detail:
        issue.code === 'unrecognized_keys'
          ? `Unknown member: ${issue.keys.join(', ')}.`
          : issue.path.length === 0 || issue.code === 'invalid_type'
            ? 'customerAccount is required (one of the request’s candidates).'
            : issue.message,
    })),
  };
}

/** The resolve body, or field errors with pointers (`/note`). */
export function parseResolveBody(
  body: unknown,
): { ok: true; note: string } | { ok: false; errors: { pointer: string; detail: string }[] } {
  const parsed = resolveBodySchema.safeParse(body ?? {});
  if (parsed.success) return { ok: true, note: parsed.data.note };
  return {
    ok: false,
    errors: parsed.error.issues.map((issue) => ({
      pointer: issue.code === 'unrecognized_keys' ? `/${issue.keys[0]}` : `/${issue.path.join('/')}`,
      detail:
        issue.code === 'unrecognized_keys' ? `Unknown member: ${issue.keys.join(', ')}.` : issue.message,
    })),
  };
}

const customerRequest = z
  .record(z.string(), z.unknown())
  .meta({ description: 'The stored customer request (`CustomerRequest`, as normalised by the intake).' });

export const payloadAnswerSchema = z
  .strictObject({
    payload: customerRequest,
    original: customerRequest
      .optional()
      .meta({ description: 'As the caller sent it, when an operator edited it since.' }),
  })
  .meta({ description: 'A request’s stored payload: personal data, shown on an audited request only.' });

export const editAnswerSchema = z
  .strictObject({
    request: operatorRequestSchema,
    changed: z.array(z.string()).meta({
      description: 'JSON pointers of the changed members (the audit log keeps these, never values).',
    }),
  })
  .meta({ description: 'The edited request, queued again.' });

export const auditEntrySchema = z
  .strictObject({
    id: z.uuid(),
    at: timestamp,
    actor: z.strictObject({
      kind: z.enum(['key', 'entra', 'system']),
      id: z.string().meta({ description: '`master-key`, an Entra ID object ID, or `system`.' }),
      name: z.string().optional(),
    }),
    action: z.enum(AUDIT_ACTIONS),
    correlationIds: z.array(correlationId).meta({ description: `At most ${MAX_AUDITED_IDS}.` }),
    count: z.int().min(0).meta({ description: 'How many requests the action touched.' }),
    jobId: z.string().optional(),
    fields: z
      .array(z.string())
      .optional()
      .meta({ description: 'Edit and retry: the changed members (pointers).' }),
    filter: z.record(z.string(), z.string()).optional(),
    outcome: z.string(),
  })
  .meta({ description: 'One operator action: who, what, when, which requests; never personal data.' });

export const auditPageSchema = z
  .strictObject({
    entries: z.array(auditEntrySchema),
    cursor: z.string().optional().meta({ description: 'For the next page (the whole log only).' }),
  })
  .meta({ description: 'Operator actions, newest first.' });
