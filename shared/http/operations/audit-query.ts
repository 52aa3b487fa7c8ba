import type { FieldError } from '../../domain/customer-contract';
import { parseCorrelationId } from '../../domain/correlation-id';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './list-query';

/** `GET /api/ops/audit?correlationId=…&limit=…&cursor=…`: one request's history, or the whole log. */
export interface AuditQuery {
  correlationId?: string;
  limit: number;
  cursor?: string;
}

const KNOWN = new Set(['correlationId', 'limit', 'cursor']);

export function parseAuditQuery(
  params: URLSearchParams,
): { ok: true; query: AuditQuery } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const query: AuditQuery = { limit: DEFAULT_PAGE_SIZE };
  // `?code=` is the host's key parameter, never ours; an empty parameter is an absent one.
  for (const [name, value] of params) {
    if (name === 'code' || value === '') continue;
    if (!KNOWN.has(name)) errors.push({ pointer: `/${name}`, detail: `Unknown query parameter: ${name}.` });
    else if (name === 'correlationId') {
      const id = parseCorrelationId(value);
      if (id === undefined)
        errors.push({ pointer: '/correlationId', detail: 'correlationId must be a UUID' });
      else query.correlationId = id;
    } else if (name === 'limit') {
      const limit = Number(value);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE)
        errors.push({ pointer: '/limit', detail: `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}` });
      else query.limit = limit;
    } else if (/^[A-Za-z0-9_-]{1,200}$/.test(value)) query.cursor = value;
    else errors.push({ pointer: '/cursor', detail: 'cursor must be the cursor of the previous page' });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, query };
}
