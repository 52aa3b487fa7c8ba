import { canTransition, isTerminal, STATUSES, StatusRecord, toStatusAnswer } from './status';

const record: StatusRecord = {
  correlationId: '0b6f4c1e-1d2a-4c3b-8e4f-5a6b7c8d9e0f',
  status: 'failed',
  legalEntity: 'USRT',
  target: 'custom-service',
  attempts: 2,
  createdAt: '2026-11-26T18:00:00.000Z',
  updatedAt: '2026-11-26T18:00:01.000Z',
  errorCode: 'business_error',
  errorMessage: 'The record already exists.',
  lastError: 'D365 answered 503',
  payload: '{"Customer":{"FirstName":"Alex"}}',
  etag: 'W/"1"',
};

describe('the status state machine', () => {
  it('allows only forward moves, and none out of a terminal state', () => {
    expect(canTransition('queued', 'processing')).toBe(true);
    expect(canTransition('processing', 'submitting')).toBe(true);
    expect(canTransition('queued', 'submitting')).toBe(true); // the claim as the fence (issue 33)
    expect(canTransition('submitting', 'succeeded')).toBe(true);
    expect(canTransition('queued', 'succeeded')).toBe(false);
    expect(canTransition('processing', 'queued')).toBe(false);
    for (const to of STATUSES) {
      expect(canTransition('succeeded', to)).toBe(false);
      expect(canTransition('failed', to)).toBe(to === 'queued'); // only an operator's replay
      // D365 holds the customer: nothing moves it on, so no replay can create a second one.
      expect(canTransition('needs_review', to)).toBe(false);
    }
    expect(canTransition('retrying', 'needs_review')).toBe(true);
    expect(STATUSES.filter(isTerminal)).toEqual(['succeeded', 'failed', 'needs_review']);
  });

  it('answers without the payload, the ETag or the target, and with the error as code and message', () => {
    const answer = toStatusAnswer(record);
    expect(answer).toEqual({
      correlationId: record.correlationId,
      status: 'failed',
      legalEntity: 'USRT',
      error: { code: 'business_error', message: 'The record already exists.' },
      attempts: 2,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    });
    expect(JSON.stringify(answer)).not.toContain('Alex');
  });

  it('shows the last transient error only while the request is pending', () => {
    expect(toStatusAnswer({ ...record, status: 'processing', errorCode: undefined }).lastError).toBe(
      'D365 answered 503',
    );
  });
});
