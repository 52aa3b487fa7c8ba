import type { StatusRecord } from '../domain/status';
import { outcomeResponse } from './outcome-response';

const STATUS_URL = 'https://sync.example/api/customers/status/6f1c2a4e-8d0b-4f7e-9a51-0c3d2b1e4f5a';

const record = (fields: Partial<StatusRecord>): StatusRecord => ({
  correlationId: '6f1c2a4e-8d0b-4f7e-9a51-0c3d2b1e4f5a',
  status: 'queued',
  legalEntity: 'USRT',
  target: 'odata',
  attempts: 1,
  createdAt: '2026-12-07T00:00:00.000Z',
  updatedAt: '2026-12-07T00:00:05.000Z',
  etag: '*',
  ...fields,
});

describe('outcomeResponse after Prefer: wait', () => {
  it.each([
    [
      'a create D365 confirmed without an account that lookups did not find',
      record({ status: 'needs_review', errorCode: 'account_not_found', existingAccounts: 'US-1,US-2' }),
      502,
      'account-not-found',
    ],
    [
      'an update whose fields were changed in D365 meanwhile',
      record({ kind: 'update', status: 'needs_review', errorCode: 'update_conflict' }),
      409,
      'update-conflict',
    ],
  ])('answers %s as final: a problem, no Retry-After', (_what, ended, status, type) => {
    const answer = outcomeResponse(ended, STATUS_URL, {}, 5, true);
    expect(answer.status).toBe(status);
    const headers = answer.headers as Record<string, string>;
    expect(headers['retry-after']).toBeUndefined();
    expect(headers['content-type']).toBe('application/problem+json');
    expect(headers.location).toBe(STATUS_URL);
    const body = JSON.parse(answer.body as string) as Record<string, unknown>;
    expect(body).toMatchObject({
      type: `urn:d365-customer-sync:problem:${type}`,
      title: 'The request ended for an operator to review',
      status,
      code: ended.errorCode,
      statusUrl: STATUS_URL,
    });
    if (ended.existingAccounts) expect(body.existingAccounts).toEqual(['US-1', 'US-2']);
  });

  it('still answers 202 with Retry-After while the request has not ended', () => {
    const answer = outcomeResponse(record({ status: 'retrying' }), STATUS_URL, {}, 5, true);
    expect(answer.status).toBe(202);
    expect((answer.headers as Record<string, string>)['retry-after']).toBe('5');
  });
});
