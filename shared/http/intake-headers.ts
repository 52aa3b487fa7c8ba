import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { Config } from '../config/config';
import { Caller, requireCaller } from './caller';
import { parseIdempotencyKey } from './idempotency-key';
import { parsePreferWait } from './prefer';
import { problemResponse, problems } from './problem';
import type { RateLimiter } from './rate-limit';

/** What a customer intake (create or update) knows from the headers before it reads the body. */
export interface IntakeHeaders {
  caller: Caller;
  idempotencyKey: string | undefined;
  /** `Prefer: wait=N`, capped at `PREFER_WAIT_MAX_SECONDS`; 0 without one. */
  waitSeconds: number;
}

/**
 * The checks every customer intake makes first, in this order: the caller (401/403), its request
 * budget (429), `Idempotency-Key` and `Prefer` (400 naming the header).
 */
export function readIntakeHeaders(
  request: HttpRequest,
  deps: { config: Pick<Config, 'callers' | 'preferWaitMaxSeconds'>; rateLimiter: RateLimiter },
): { ok: true; headers: IntakeHeaders } | { ok: false; response: HttpResponseInit } {
  const check = requireCaller(request, 'create', deps.config.callers);
  if (!check.ok) return check;
  const { caller } = check;
  const budget = deps.rateLimiter.take(caller.id);
  if (!budget.ok) return refuse(problems.tooManyRequests(budget.retryAfterSeconds));
  const key = parseIdempotencyKey(request.headers.get('idempotency-key'));
  if (!key.ok) return refuse(problems.invalidHeader('Idempotency-Key', key.error));
  const prefer = parsePreferWait(request.headers.get('prefer'), deps.config.preferWaitMaxSeconds);
  if (!prefer.ok) return refuse(problems.invalidHeader('Prefer', prefer.error));
  return {
    ok: true,
    headers: { caller, idempotencyKey: key.key, waitSeconds: prefer.waitSeconds ?? 0 },
  };
}

const refuse = (problem: Parameters<typeof problemResponse>[0]) =>
  ({ ok: false, response: problemResponse(problem) }) as const;
