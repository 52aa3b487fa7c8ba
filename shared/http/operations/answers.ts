import type { HttpResponseInit } from '@azure/functions';
import type { FieldError } from '../../domain/customer-contract';
import { Problem, problemResponse } from '../problem';

/** What every operations answer carries: never cached (it is about live requests, and some hold personal data). */
export const NO_STORE = { 'cache-control': 'no-store' } as const;

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit => ({
  status,
  headers: { ...NO_STORE, ...headers },
  jsonBody: body,
});

export const invalidQuery = (errors: FieldError[]): Problem => ({
  type: 'urn:d365-customer-sync:problem:invalid-query',
  title: 'Malformed query parameters',
  status: 400,
  detail: `${errors.length} parameter${errors.length === 1 ? '' : 's'} must be corrected: see errors (pointer: /<parameter>).`,
  errors,
});

export const problem = (p: Problem): HttpResponseInit => problemResponse(p, NO_STORE);
