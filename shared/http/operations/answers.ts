import type { HttpResponseInit } from '@azure/functions';
import { Problem, problemResponse } from '../problem';

/** What every operations answer carries: never cached (it is about live requests, and some hold personal data). */
export const NO_STORE = { 'cache-control': 'no-store' } as const;

export const json = (
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResponseInit => ({
  status,
  headers: { ...NO_STORE, ...headers },
  jsonBody: body,
});

export const problem = (p: Problem, headers: Record<string, string> = {}): HttpResponseInit =>
  problemResponse(p, { ...NO_STORE, ...headers });
