import { Failure, transient, TransientOptions } from './failure';
import { StatusRecord } from './status';
import { decideDelivery, decideOnLookup, decideRetry } from './worker-decisions';

const now = Date.parse('2026-12-01T12:00:00.000Z');
const at = (seconds: number): string => new Date(now + seconds * 1000).toISOString();
const record = (changes: Partial<StatusRecord> = {}): StatusRecord => ({
  correlationId: '0d6f1c9e-8a43-4c8e-9f7e-1c2d3e4f5a6b',
  status: 'queued',
  legalEntity: 'USRT',
  target: 'custom-service',
  attempts: 0,
  createdAt: at(-60),
  queuedAt: at(-60),
  updatedAt: at(-60),
  etag: 'W/"1"',
  ...changes,
});
const state = { now, realNow: now, gatePausedUntil: 0, maxInlineWaitMs: 120_000 };
/** The transient failure an adapter would throw. */
function transientFailure(
  reason: string,
  options?: TransientOptions,
): Extract<Failure, { kind: 'transient' }> {
  const { failure } = transient(reason, options);
  if (failure.kind !== 'transient') throw new Error('transient() made a permanent failure');
  return failure;
}
const policy = { baseSeconds: 2, maxDelaySeconds: 300, maxAttempts: 10, maxTotalSeconds: 3600 };

describe('decideDelivery', () => {
  it('claims a queued request as attempt 1, without a lookup first', () => {
    expect(decideDelivery(record(), state)).toEqual({ kind: 'claim', attempt: 1, mayExist: false });
  });

  it('acknowledges a request that already ended', () => {
    expect(decideDelivery(record({ status: 'succeeded' }), state)).toEqual({ kind: 'already-finished' });
    expect(decideDelivery(record({ status: 'failed' }), state)).toEqual({ kind: 'already-finished' });
  });

  it('leaves a request whose lease another invocation holds until the lease ends', () => {
    expect(decideDelivery(record({ status: 'processing', leaseUntil: at(30) }), state)).toEqual({
      kind: 'held-elsewhere',
      delaySeconds: 30,
    });
  });

  it('takes over a request whose lease ran out, looking D365 up first once a create was sent', () => {
    const stranded = record({ status: 'submitting', attempts: 2, leaseUntil: at(-1), submittedAt: at(-40) });
    expect(decideDelivery(stranded, state)).toEqual({ kind: 'claim', attempt: 3, mayExist: true });
    // Uncertainty stays a state: a later `retrying` record that once was `submitting` still looks up.
    const retried = record({ status: 'retrying', attempts: 3, nextAttemptAt: at(0), submittedAt: at(-40) });
    expect(decideDelivery(retried, state)).toEqual({ kind: 'claim', attempt: 4, mayExist: true });
  });

  it('drops an early copy of a scheduled retry', () => {
    expect(decideDelivery(record({ status: 'retrying', nextAttemptAt: at(20) }), state)).toEqual({
      kind: 'not-due',
    });
  });

  it('hands the attempt back while D365 asked the fleet to wait longer than an invocation may', () => {
    const paused = { ...state, gatePausedUntil: now + 300_000 };
    expect(decideDelivery(record(), paused)).toEqual({ kind: 'throttled', delaySeconds: 300 });
    expect(decideDelivery(record(), { ...state, gatePausedUntil: now + 5_000 }).kind).toBe('claim');
  });
});

describe('decideOnLookup', () => {
  it('creates when nobody has the e-mail', () => {
    expect(decideOnLookup([], { mayExist: false, duplicatePolicy: 'link' })).toEqual({ kind: 'create' });
  });

  it('links, rejects or recovers by the policy and whether a create of ours may have gone through', () => {
    expect(decideOnLookup(['US-1'], { mayExist: false, duplicatePolicy: 'link' })).toEqual({
      kind: 'link',
      account: 'US-1',
      existingAccounts: undefined,
    });
    expect(decideOnLookup(['US-1'], { mayExist: false, duplicatePolicy: 'reject' })).toEqual({
      kind: 'reject',
      existingAccounts: 'US-1',
    });
    expect(decideOnLookup(['US-1'], { mayExist: true, duplicatePolicy: 'create' })).toEqual({
      kind: 'recover',
      account: 'US-1',
      existingAccounts: undefined,
    });
  });

  it('names every match when there are several', () => {
    expect(decideOnLookup(['US-1', 'US-7'], { mayExist: false, duplicatePolicy: 'link' })).toEqual({
      kind: 'link',
      account: 'US-1',
      existingAccounts: 'US-1,US-7',
    });
  });
});

describe('decideRetry', () => {
  it('honours Retry-After', () => {
    const failure = transientFailure('D365 throttled the request (429)', {
      retryAfterSeconds: 7.2,
      throttled: true,
    });
    expect(decideRetry(record({ attempts: 1 }), failure, { now, policy })).toEqual({
      kind: 'retry',
      delaySeconds: 8,
    });
  });

  it('backs off with full jitter without Retry-After', () => {
    const failure = transientFailure('D365 answered 503');
    expect(decideRetry(record({ attempts: 3 }), failure, { now, policy, random: () => 0.5 })).toEqual({
      kind: 'retry',
      delaySeconds: 4,
    });
  });

  it('gives up after the last attempt or past the total time', () => {
    const failure = transientFailure('D365 answered 503');
    expect(decideRetry(record({ attempts: 10 }), failure, { now, policy })).toEqual({ kind: 'exhausted' });
    const old = record({ attempts: 1, queuedAt: at(-3599) });
    expect(decideRetry(old, transientFailure('x', { retryAfterSeconds: 5 }), { now, policy })).toEqual({
      kind: 'exhausted',
    });
  });
});
