import type { StatusRecord } from '../status';
import { FAILURE_CODES, isTerminal } from '../status';
import { parsePrivacyState, PrivacyKind, PrivacyState } from './privacy-request';

/**
 * The privacy request's status answer (GET /api/privacy/requests/{id}): what it asked, where it is,
 * and the proof — what was erased (or found, for an export) per store, as counts, never values; the
 * linked D365 customers and what became of them; who fetched an export and when.
 */
export interface PrivacyAnswer {
  id: string;
  type: PrivacyKind;
  status: StatusRecord['status'];
  scope: PrivacyState['subject']['scope'];
  via: PrivacyState['origin']['via'];
  source?: string;
  /** The shop's own request ID (Shopify's data_request.id). */
  externalId?: string;
  legalEntity?: string;
  customerAccount?: string;
  receivedAt: string;
  dueAt: string;
  /** Not completed and its due date has passed. */
  pastDue: boolean;
  completedAt?: string;
  /** What was erased, per store (`statusRecords`, `customerLinks`, `identityClaims`, …): counts. */
  erased?: Record<string, number>;
  /** What an export found, per store: counts. */
  found?: Record<string, number>;
  /** Shops that refused our token, so the account we wrote there could not be removed. */
  shopsUnreached?: string[];
  d365: PrivacyState['d365'];
  fetches?: PrivacyState['fetches'];
  /** When the erasure marks were lifted (the merchant let the customer come back). */
  releasedAt?: string;
  /** Why it has not completed yet (waiting for a request in flight, a D365 update). */
  lastError?: string;
  error?: { code: string; message: string };
  attempts: number;
  updatedAt: string;
}

export function toPrivacyAnswer(record: StatusRecord, now: Date): PrivacyAnswer | undefined {
  const state = parsePrivacyState(record.payload);
  if (!state) return undefined;
  const done = record.status === 'succeeded';
  const { subject, origin } = state;
  return {
    id: record.correlationId,
    type: state.kind,
    status: record.status,
    scope: subject.scope,
    via: origin.via,
    ...(origin.source !== undefined && { source: origin.source }),
    ...(origin.externalId !== undefined && { externalId: origin.externalId }),
    ...(subject.legalEntity !== undefined && { legalEntity: subject.legalEntity }),
    ...(subject.customerAccount !== undefined && { customerAccount: subject.customerAccount }),
    receivedAt: state.receivedAt,
    dueAt: state.dueAt,
    pastDue: !done && Date.parse(state.dueAt) < now.getTime(),
    ...(state.completedAt !== undefined && { completedAt: state.completedAt }),
    ...(state.kind === 'erase' ? { erased: state.erased } : { found: state.found, fetches: state.fetches }),
    ...(state.shopsUnreached.length > 0 && { shopsUnreached: state.shopsUnreached }),
    d365: state.d365,
    ...(state.releasedAt !== undefined && { releasedAt: state.releasedAt }),
    ...(record.lastError !== undefined && !isTerminal(record.status) && { lastError: record.lastError }),
    ...(record.errorCode !== undefined && {
      error: { code: record.errorCode, message: record.errorMessage ?? FAILURE_CODES[record.errorCode] },
    }),
    attempts: record.attempts,
    updatedAt: record.updatedAt,
  };
}
