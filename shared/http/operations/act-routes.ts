import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { Config } from '../../config/config';
import { parseCorrelationId } from '../../domain/correlation-id';
import { operatorView } from '../../domain/operations/request-view';
import type { AuditActor } from '../../domain/operations/audit';
import {
  editAndRetry,
  readPayload,
  Refusal,
  resolveRequest,
  retryRequest,
} from '../../use-cases/operations/act-on-request';
import { createNewCustomer, linkToCandidate, ReviewDeps } from '../../use-cases/operations/act-on-review';
import { requireOperator } from '../operator-auth';
import { problems } from '../problem';
import { MERGE_PATCH_MEDIA_TYPES, readJsonBody } from '../request-body';
import { json, problem } from './answers';
import { parseLinkBody, parseResolveBody } from './schemas';

/**
 * The operator actions on one request (`/api/ops/requests/{id}/…`): the HTTP edge of
 * use-cases/operations/act-on-request.ts. Each checks the operator, then the ID, then maps the
 * use-case's closed result to an answer (404, 409 problem, 400 with the intake's pointers).
 */
export type Action = (
  correlationId: string,
  request: HttpRequest,
  context: { actor: AuditActor; deps: ReviewDeps },
) => Promise<HttpResponseInit>;

function refusal(result: Refusal): HttpResponseInit {
  return result.kind === 'not-found'
    ? problem(problems.notFound())
    : problem(problems.actionRefused(result.detail));
}

/** Checks the operator, then the ID, then runs the action (`deps` built per invocation by the caller). */
export async function runOperatorAction(
  request: HttpRequest,
  callers: Config['callers'],
  deps: ReviewDeps,
  action: Action,
): Promise<HttpResponseInit> {
  const check = requireOperator(request.headers, callers);
  if (!check.ok) return check.response;
  const correlationId = parseCorrelationId(request.params.correlationId);
  if (correlationId === undefined) return problem(problems.invalidCorrelationId());
  return action(correlationId, request, { actor: check.operator, deps });
}

/** `GET …/payload`: the stored request (personal data); the read is audited. */
export const showPayload: Action = async (correlationId, _request, { actor, deps }) => {
  const result = await readPayload(correlationId, actor, deps);
  if (result.kind !== 'payload') return refusal(result);
  return json(200, {
    payload: result.payload,
    ...(result.original !== undefined && { original: result.original }),
  });
};

/** `POST …/retry`: replays a failed request as it is. */
export const retry: Action = async (correlationId, _request, { actor, deps }) => {
  const result = await retryRequest(correlationId, actor, deps);
  if (result.kind !== 'queued') return refusal(result);
  return json(202, operatorView(result.record));
};

/** `PATCH …/payload` (JSON Merge Patch): edit and retry, validated as the intake validates. */
export const editPayload: Action = async (correlationId, request, { actor, deps }) => {
  const body = await readJsonBody(request, { mediaTypes: MERGE_PATCH_MEDIA_TYPES });
  if (!body.ok) {
    const unsupported = body.problem.status === 415;
    return problem(body.problem, unsupported ? { 'accept-patch': MERGE_PATCH_MEDIA_TYPES.join(', ') } : {});
  }
  const result = await editAndRetry(correlationId, body.value, actor, deps);
  if (result.kind === 'invalid') return problem(problems.invalidBody(result.errors));
  if (result.kind !== 'queued') return refusal(result);
  return json(202, { request: operatorView(result.record), changed: result.fields });
};

/** `POST …/resolve` `{ "note": "…" }`: marks a failed or needs-review request handled by hand. */
export const resolve: Action = async (correlationId, request, { actor, deps }) => {
  const body = await readJsonBody(request);
  if (!body.ok) return problem(body.problem);
  const parsed = parseResolveBody(body.value);
  if (!parsed.ok) return problem(problems.invalidBody(parsed.errors));
  const result = await resolveRequest(correlationId, parsed.note, actor, deps);
  if (result.kind !== 'resolved') return refusal(result);
  return json(200, operatorView(result.record));
};

/** `POST …/link` `{ "customerAccount": "…" }`: links a needs-review create to one of its candidates (issue 32). */
export const link: Action = async (correlationId, request, { actor, deps }) => {
  const body = await readJsonBody(request);
  if (!body.ok) return problem(body.problem);
  const parsed = parseLinkBody(body.value);
  if (!parsed.ok) return problem(problems.invalidBody(parsed.errors));
  const result = await linkToCandidate(correlationId, parsed.customerAccount, actor, deps);
  if (result.kind === 'not-a-candidate')
    return problem(
      problems.invalidBody([
        { pointer: '/customerAccount', detail: 'customerAccount is not one of the request’s candidates.' },
      ]),
    );
  if (result.kind !== 'linked') return refusal(result);
  return json(200, operatorView(result.record));
};

/** `POST …/create-new`: has a new customer created for a needs-review possible duplicate (issue 32). */
export const createNew: Action = async (correlationId, _request, { actor, deps }) => {
  const result = await createNewCustomer(correlationId, actor, deps);
  if (result.kind !== 'queued') return refusal(result);
  return json(202, operatorView(result.record));
};
