import { errorName } from '../domain/failure';
import {
  isPrivacyKind,
  parsePrivacyState,
  PrivacyState,
  queryForRequest,
  SubjectQuery,
} from '../domain/privacy';
import type { StatusRecord } from '../domain/status';
import { CustomerLink, CustomerLinks, Log, StatusConflictError, StatusStore } from '../ports';
import { clock } from './clock';

/**
 * Data requests (issue 27): what the app holds about a customer, as JSON, built when it is fetched
 * (so nothing but the request's identifiers is kept for it): every request record the customer's
 * identifiers find, with its stored request as stored ("the fields as stored"), and the customer
 * links with the D365 accounts. Fetched by an operator (GET /api/privacy/requests/{id}/export) or
 * sent in the signed completion callback; each fetch is recorded on the request (who, when).
 */
export interface PrivacyExport {
  requestId: string;
  generatedAt: string;
  /** The customer's requests: their facts and, while the app still holds it, the customer they carried. */
  requests: ExportedRequest[];
  /** Which D365 account each of the customer's source customers is linked to. */
  links: ExportedLink[];
  /** Set when the export stopped at its size limit (ask an operator for the rest). */
  truncated?: boolean;
}

export interface ExportedRequest {
  correlationId: string;
  kind: 'create' | 'update';
  status: string;
  legalEntity: string;
  source?: string;
  sourceCustomerId?: string;
  customerAccount?: string;
  outcome?: string;
  createdAt: string;
  updatedAt: string;
  /** The request as stored (the normalised customer, or the update's patch); absent once dropped. */
  data?: unknown;
  /** The request as its caller sent it, kept while an operator's edit of it is held (operations). */
  original?: unknown;
}

export interface ExportedLink {
  source: string;
  sourceCustomerId?: string;
  legalEntity: string;
  customerAccount?: string;
  linkedAt?: string;
}

/** Most records and links an export or count takes (far above one customer's). */
const EXPORT_LIMIT = 1000;

export interface ExportDeps {
  statusStore: StatusStore;
  links: CustomerLinks;
  log: Log;
  now?: () => Date;
}

/** Counts per store of what the query finds (an export's proof: counts, never values). */
export async function countFound(
  query: SubjectQuery,
  deps: Pick<ExportDeps, 'statusStore'> & { links?: CustomerLinks },
): Promise<Record<string, number>> {
  const records = await deps.statusStore.findHolding(query, EXPORT_LIMIT);
  const links = deps.links ? await deps.links.findForSubject(query, EXPORT_LIMIT) : [];
  return { statusRecords: records.length, customerLinks: links.length };
}

const storedJson = (text: string | undefined): unknown => {
  try {
    return text === undefined ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
};

export function exportedRequest(record: StatusRecord): ExportedRequest {
  const data = storedJson(record.payload);
  const original = storedJson(record.originalPayload);
  return {
    correlationId: record.correlationId,
    kind: record.kind === 'update' ? 'update' : 'create',
    status: record.status,
    legalEntity: record.legalEntity,
    ...(record.source !== undefined && { source: record.source }),
    ...(record.sourceCustomerId !== undefined && { sourceCustomerId: record.sourceCustomerId }),
    ...(record.customerAccount !== undefined && { customerAccount: record.customerAccount }),
    ...(record.outcome !== undefined && { outcome: record.outcome }),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    ...(data !== undefined && { data }),
    ...(original !== undefined && { original }),
  };
}

const exportedLink = (link: CustomerLink): ExportedLink => ({
  source: link.source,
  ...(link.sourceCustomerId !== undefined && { sourceCustomerId: link.sourceCustomerId }),
  legalEntity: link.legalEntity,
  ...(link.customerAccount !== undefined && { customerAccount: link.customerAccount }),
  ...(link.linkedAt !== undefined && { linkedAt: link.linkedAt }),
});

export type ExportResult =
  | { kind: 'export'; body: PrivacyExport }
  | { kind: 'not-found' }
  /** Not an export request, or not completed yet. */
  | { kind: 'not-ready'; status: string };

/** The export of a completed data request, recording who fetched it (`by`) and when. */
export async function fetchExport(id: string, by: string, deps: ExportDeps): Promise<ExportResult> {
  const record = await deps.statusStore.get(id);
  const state = parsePrivacyState(record?.payload);
  if (!record || !state || !isPrivacyKind(record.kind)) return { kind: 'not-found' };
  if (state.kind !== 'export' || record.status !== 'succeeded')
    return { kind: 'not-ready', status: record.status };
  const body = await buildExport(record.correlationId, state, deps);
  await recordFetch(record, state, by, deps);
  return { kind: 'export', body };
}

export async function buildExport(
  requestId: string,
  state: PrivacyState,
  deps: Pick<ExportDeps, 'statusStore' | 'links' | 'now'>,
): Promise<PrivacyExport> {
  const query = queryForRequest(state);
  const records = await deps.statusStore.findHolding(query, EXPORT_LIMIT);
  const links = await deps.links.findForSubject(query, EXPORT_LIMIT);
  return {
    requestId,
    generatedAt: clock(deps).toISOString(),
    requests: records.map(exportedRequest),
    links: links.map(exportedLink),
    ...((records.length >= EXPORT_LIMIT || links.length >= EXPORT_LIMIT) && { truncated: true }),
  };
}

/** Adds the fetch to the request (a few tries: another fetch may write at the same time). */
export async function recordFetch(
  record: StatusRecord,
  state: PrivacyState,
  by: string,
  deps: Pick<ExportDeps, 'statusStore' | 'log' | 'now'>,
): Promise<void> {
  let current: StatusRecord | undefined = record;
  let currentState: PrivacyState | undefined = state;
  for (let attempt = 0; attempt < 5 && current && currentState; attempt++) {
    const fetches = [...currentState.fetches, { by, at: clock(deps).toISOString() }].slice(-50);
    try {
      await deps.statusStore.update(current, { payload: JSON.stringify({ ...currentState, fetches }) });
      return;
    } catch (error) {
      if (!(error instanceof StatusConflictError)) {
        deps.log.error('privacy.fetch_record_failed', {
          correlationId: record.correlationId,
          reason: errorName(error),
        });
        return;
      }
      current = await deps.statusStore.get(record.correlationId);
      currentState = parsePrivacyState(current?.payload);
    }
  }
}
