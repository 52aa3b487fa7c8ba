import { z } from 'zod';
import { ATTENTION_VIEWS } from '../../domain/operations/attention';
import { FAILURE_CODES, FailureCode } from '../../domain/status';
import type { FieldError } from '../../domain/customer-contract';
import type { AttentionQuery } from '../../ports';

/** Page sizes of the operations list: 50 unless asked, at most 200. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

const codes = Object.keys(FAILURE_CODES) as [FailureCode, ...FailureCode[]];

/** The list's query parameters (`GET /api/ops/requests?status=…`), each checked; unknown ones refused. */
export const listQuerySchema = z.strictObject({
  status: z
    .enum(ATTENTION_VIEWS, { message: `status must be one of ${ATTENTION_VIEWS.join(', ')}` })
    .default('failed'),
  // Not `code`: that is the function key's query parameter (`?code=`).
  errorCode: z
    .enum(codes, { message: 'errorCode must be a failure code (the status answer’s error.code)' })
    .optional(),
  source: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,100}$/, 'source must be a source name or caller ID (letters, digits, . _ : -)')
    .optional(),
  legalEntity: z
    .string()
    .regex(/^[A-Za-z0-9]{1,4}$/, 'legalEntity must be a D365 legal entity ID such as USRT')
    .transform((value) => value.toUpperCase())
    .optional(),
  from: z.iso.datetime({ offset: true, message: 'from must be an ISO 8601 date-time' }).optional(),
  to: z.iso.datetime({ offset: true, message: 'to must be an ISO 8601 date-time' }).optional(),
  limit: z.coerce
    .number({ message: `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}` })
    .int({ message: `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}` })
    .min(1, { message: `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}` })
    .max(MAX_PAGE_SIZE, { message: `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}` })
    .default(DEFAULT_PAGE_SIZE),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,200}$/, 'cursor must be the cursor of the previous page')
    .optional(),
});

/** The query as the index takes it, or field errors (pointer: `/<parameter>` of the query). */
export function parseListQuery(
  params: URLSearchParams,
): { ok: true; query: AttentionQuery } | { ok: false; errors: FieldError[] } {
  const raw: Record<string, string> = {};
  // `?code=` is the function key (the host's), never a filter; an empty parameter is an absent one.
  for (const [name, value] of params) if (name !== 'code' && value !== '') raw[name] = value;
  const parsed = listQuerySchema.safeParse(raw);
  if (!parsed.success)
    return {
      ok: false,
      errors: parsed.error.issues.map((issue) => ({
        pointer: `/${issue.code === 'unrecognized_keys' ? issue.keys.join(',') : issue.path.join('/')}`,
        detail:
          issue.code === 'unrecognized_keys'
            ? `Unknown query parameter: ${issue.keys.join(', ')}.`
            : issue.message,
      })),
    };
  const { status, errorCode, from, to, ...rest } = parsed.data;
  if (from !== undefined && to !== undefined && Date.parse(from) > Date.parse(to))
    return { ok: false, errors: [{ pointer: '/from', detail: 'from must not be later than to' }] };
  return {
    ok: true,
    query: {
      view: status,
      ...(errorCode !== undefined && { errorCode }),
      ...(from !== undefined && { from: new Date(from).toISOString() }),
      ...(to !== undefined && { to: new Date(to).toISOString() }),
      ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
      limit: rest.limit,
    } as AttentionQuery,
  };
}
