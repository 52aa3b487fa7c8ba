import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { Config } from '../config/config';
import { parseCorrelationId } from '../domain/correlation-id';
import { isPrivacyKind, parsePrivacyRequestBody, toPrivacyAnswer } from '../domain/privacy';
import type { AuditAction } from '../domain/operations/audit';
import type { AuditLog, Log, StatusStore } from '../ports';
import type { AcceptDeps } from '../use-cases/accept-customer';
import { acceptPrivacyRequest, PrivacyIntakeResult } from '../use-cases/accept-privacy-request';
import { ExportDeps, fetchExport } from '../use-cases/privacy-export';
import { releasePrivacyRequest } from '../use-cases/release-privacy-request';
import { parseIdempotencyKey } from './idempotency-key';
import { Operator, requireOperator } from './operator-auth';
import { problemResponse, problems } from './problem';
import { decodeJsonBytes, MAX_BODY_BYTES, readBodyBytes } from './request-body';
import { privacyStatusUrl } from './status-url';
import { publicRequestUrl } from './public-url';

/**
 * The operators' privacy routes (issue 27): `POST /api/privacy/requests` (any channel's request),
 * `GET …/{id}` (status and proof), `GET …/{id}/export` (a data request's export, each fetch
 * recorded), `POST …/{id}/release` (the merchant lets an erased customer come back). Operators
 * only, by the operations routes' shared check (`requireOperator`: the master key, or an Entra ID
 * sign-in with `CALLER_ROLE_OPERATOR`); a new request, an export fetched and a release go to the
 * operator audit log (the privacy request's ID, never the customer).
 */
export interface PrivacyHttpDeps {
  config: Config;
  accept: AcceptDeps;
  statusStore: StatusStore;
  exports: ExportDeps;
  /** The operator audit log (operations, issue 31); absent in unit tests that do not look at it. */
  auditLog?: AuditLog;
  log: Log;
  now?: () => Date;
}

const now = (deps: { now?: () => Date }): Date => deps.now?.() ?? new Date();

/** One operator action on a privacy request in the operator audit log. */
async function audit(
  deps: PrivacyHttpDeps,
  operator: Operator,
  action: AuditAction,
  correlationId: string,
  outcome: string,
): Promise<void> {
  await deps.auditLog?.append({
    at: now(deps).toISOString(),
    actor: operator,
    action,
    correlationIds: [correlationId],
    count: 1,
    outcome,
  });
}

/** The answer to an accepted (or redelivered) privacy request: 202 (200 when replayed) with its status URL. */
export function privacyIntakeResponse(
  requestUrl: string,
  result: PrivacyIntakeResult,
  retryAfterSeconds: number,
  at: Date,
): HttpResponseInit {
  switch (result.kind) {
    case 'key-reused':
      return problemResponse(problems.idempotencyKeyReused());
    case 'unavailable':
      return problemResponse(problems.storageUnavailable(retryAfterSeconds));
    case 'accepted': {
      const url = privacyStatusUrl(requestUrl, result.record.correlationId);
      return {
        status: result.replayed ? 200 : 202,
        headers: {
          'cache-control': 'no-store',
          location: url,
          ...(result.replayed && { 'idempotent-replayed': 'true' }),
        },
        jsonBody: { ...toPrivacyAnswer(result.record, at), statusUrl: url },
      };
    }
  }
}

export async function createPrivacyRequestHttp(
  request: HttpRequest,
  deps: PrivacyHttpDeps,
): Promise<HttpResponseInit> {
  const check = requireOperator(request.headers, deps.config.callers);
  if (!check.ok) return check.response;
  const key = parseIdempotencyKey(request.headers.get('idempotency-key'));
  if (!key.ok) return problemResponse(problems.invalidHeader('Idempotency-Key', key.error));
  const bytes = await readBodyBytes(request, MAX_BODY_BYTES);
  if (!bytes) return problemResponse(problems.tooLarge(MAX_BODY_BYTES));
  const decoded = decodeJsonBytes(bytes);
  if (!decoded.ok) return problemResponse(decoded.problem);
  const parsed = parsePrivacyRequestBody(decoded.value);
  if (!parsed.ok) return problemResponse(problems.invalidBody(parsed.errors));
  const caller = check.operator.id;
  const result = await acceptPrivacyRequest(
    {
      kind: parsed.kind,
      origin: { via: 'api', caller },
      subject: parsed.subject,
      // The same key and body: the same request; without a key, the same body within the window.
      dedupe: key.key
        ? { parts: ['api', caller, key.key, bytes.toString('base64')], windowed: false }
        : { parts: ['api', caller, JSON.stringify(parsed.subject), parsed.kind], windowed: true },
    },
    deps.accept,
  );
  if (result.kind === 'accepted')
    await audit(
      deps,
      check.operator,
      'privacy.request',
      result.record.correlationId,
      result.replayed ? 'replayed' : parsed.kind,
    );
  // Built on the app's public origin, never on the Host header (edge: Host reflection).
  const url = publicRequestUrl(request.url, deps.config.publicOrigin);
  return privacyIntakeResponse(url, result, deps.config.statusRetryAfterSeconds, now(deps));
}

/** The privacy request's record, or the answer when there is none (or the caller is not an operator). */
async function privacyRecord(request: HttpRequest, deps: PrivacyHttpDeps) {
  const check = requireOperator(request.headers, deps.config.callers);
  if (!check.ok) return { ok: false as const, response: check.response };
  const id = parseCorrelationId(request.params.id);
  if (id === undefined)
    return { ok: false as const, response: problemResponse(problems.invalidCorrelationId()) };
  const record = await deps.statusStore.get(id);
  if (!record || !isPrivacyKind(record.kind))
    return { ok: false as const, response: problemResponse(problems.notFound()) };
  return {
    ok: true as const,
    record,
    operator: check.operator,
  };
}

export async function privacyStatusHttp(
  request: HttpRequest,
  deps: PrivacyHttpDeps,
): Promise<HttpResponseInit> {
  const found = await privacyRecord(request, deps);
  if (!found.ok) return found.response;
  const answer = toPrivacyAnswer(found.record, now(deps));
  if (!answer) return problemResponse(problems.notFound());
  return { status: 200, headers: { 'cache-control': 'no-store' }, jsonBody: answer };
}

export async function privacyExportHttp(
  request: HttpRequest,
  deps: PrivacyHttpDeps,
): Promise<HttpResponseInit> {
  const found = await privacyRecord(request, deps);
  if (!found.ok) return found.response;
  const result = await fetchExport(found.record.correlationId, found.operator.id, deps.exports);
  if (result.kind === 'export')
    await audit(deps, found.operator, 'privacy.export_read', found.record.correlationId, 'shown');
  switch (result.kind) {
    case 'not-found':
      return problemResponse(problems.notFound());
    case 'not-ready':
      return problemResponse(
        problems.notReady(
          `The request is ${result.status}; an export is ready once a data request succeeded.`,
        ),
      );
    case 'export':
      return {
        status: 200,
        headers: {
          'cache-control': 'no-store',
          'content-disposition': `attachment; filename="privacy-export-${found.record.correlationId}.json"`,
        },
        jsonBody: result.body,
      };
  }
}

export async function releasePrivacyHttp(
  request: HttpRequest,
  deps: PrivacyHttpDeps,
): Promise<HttpResponseInit> {
  const found = await privacyRecord(request, deps);
  if (!found.ok) return found.response;
  const result = await releasePrivacyRequest(found.record, {
    ...deps.exports,
    erasureMarks: deps.accept.erasureMarks,
  });
  switch (result.kind) {
    case 'not-ready':
      return problemResponse(
        problems.notReady('Only a completed erasure can be released (its marks lifted).'),
      );
    case 'released': {
      await audit(deps, found.operator, 'privacy.release', found.record.correlationId, 'released');
      const answer = toPrivacyAnswer(result.record, now(deps));
      return { status: 200, headers: { 'cache-control': 'no-store' }, jsonBody: answer };
    }
  }
}
