import { Webhook } from 'standardwebhooks';
import { callbackMessageFor } from '../domain/callback-event';
import { StatusRecord } from '../domain/status';
import { CallbackAnswer, noopTelemetry, silentLog } from '../ports';
import { memoryStatusStore } from '../../test/support/memory-status-store';
import { parseRetryAfter } from '../domain/failure';
import { deliverCallback, DeliverDeps } from './deliver-callback';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const NOW = new Date('2025-01-15T10:00:00.000Z');

async function setup(answers: CallbackAnswer[], record: Partial<StatusRecord> = {}) {
  const statusStore = memoryStatusStore();
  const stored = await statusStore.create({
    correlationId: '6f1c2a4e-8d0b-4f7e-9a51-0c3d2b1e4f5a',
    status: 'succeeded',
    legalEntity: 'USRT',
    target: 'custom-service',
    attempts: 1,
    createdAt: '2025-01-15T09:59:58.000Z',
    queuedAt: '2025-01-15T09:59:58.000Z',
    updatedAt: '2025-01-15T09:59:59.000Z',
    customerAccount: 'USRT-000001',
    outcome: 'created',
    callbackUrl: 'https://hooks.example.com/x',
    ...record,
  });
  const requeued: { message: unknown; delaySeconds?: number }[] = [];
  const posts: { headers: Record<string, string>; body: string }[] = [];
  const disabled: string[] = [];
  const deps: DeliverDeps = {
    statusStore,
    outbox: {
      send: async (message, options) => void requeued.push({ message, delaySeconds: options?.delaySeconds }),
    },
    endpoints: {
      isDisabled: async (url) => disabled.includes(url),
      disable: async (url) => void disabled.push(url),
    },
    sender: {
      post: async (_url, request) => {
        posts.push(request);
        return answers.shift() ?? { kind: 'answered', status: 200 };
      },
    },
    secrets: { get: async () => [SECRET], refresh: async () => [SECRET] },
    secretName: 'callback-signing-secret',
    retry: { baseSeconds: 5, maxDelaySeconds: 60, maxAttempts: 3 },
    telemetry: noopTelemetry,
    log: silentLog,
    now: () => NOW,
    random: () => 1,
    sleep: async () => {},
  };
  const message = callbackMessageFor({ ...stored, callbackUrl: stored.callbackUrl! }, 'succeeded', NOW);
  return { deps, message, requeued, posts, disabled, statusStore, stored };
}

describe('deliverCallback', () => {
  it('sends an event the official library verifies, with no personal data', async () => {
    const { deps, message, posts } = await setup([]);
    // The library checks webhook-timestamp against its own clock: sign with the real one.
    const result = await deliverCallback(message, { ...deps, now: () => new Date() });
    expect(result).toMatchObject({ kind: 'delivered', status: 200 });
    const [sent] = posts;
    const verified = new Webhook(SECRET).verify(sent!.body, sent!.headers) as Record<string, unknown>;
    expect(verified).toEqual({
      type: 'customer.succeeded',
      timestamp: '2025-01-15T09:59:59.000Z',
      data: {
        correlationId: message.correlationId,
        status: 'succeeded',
        legalEntity: 'USRT',
        customerAccount: 'USRT-000001',
        outcome: 'created',
        attempts: 1,
      },
    });
  });

  it('honours Retry-After, else backs off, and gives up after maxAttempts', async () => {
    const { deps, message, requeued } = await setup([
      { kind: 'answered', status: 503, retryAfter: '17' },
      { kind: 'unreachable', reason: 'ECONNREFUSED' },
      { kind: 'answered', status: 500 },
    ]);
    expect(await deliverCallback(message, deps)).toMatchObject({ kind: 'retrying', delaySeconds: 17 });
    expect(await deliverCallback(requeued[0]!.message, deps)).toMatchObject({
      kind: 'retrying',
      delaySeconds: 10,
    });
    expect(await deliverCallback(requeued[1]!.message, deps)).toEqual({
      kind: 'abandoned',
      reason: 'HTTP 500',
    });
    expect(requeued).toHaveLength(2);
  });

  it('disables the endpoint on 410 and drops what comes for it afterwards', async () => {
    const { deps, message, disabled, posts } = await setup([{ kind: 'answered', status: 410 }]);
    expect(await deliverCallback(message, deps)).toEqual({ kind: 'disabled' });
    expect(disabled).toEqual(['https://hooks.example.com/x']);
    expect(await deliverCallback(message, deps)).toEqual({ kind: 'dropped', reason: 'endpoint-disabled' });
    expect(posts).toHaveLength(1);
  });

  it('looks again later when the record has not shown the ending yet, and drops a superseded one', async () => {
    const early = await setup([], { status: 'submitting' });
    expect(await deliverCallback(early.message, early.deps)).toEqual({ kind: 'early', delaySeconds: 1 });
    expect(early.posts).toHaveLength(0);
    const other = await setup([], { status: 'failed', errorCode: 'business_error' });
    expect(await deliverCallback(other.message, other.deps)).toEqual({
      kind: 'dropped',
      reason: 'superseded',
    });
  });

  it('announces needs_review as its own event type, with its code', async () => {
    const { deps, statusStore, stored, posts } = await setup([], {
      status: 'needs_review',
      customerAccount: undefined,
      outcome: undefined,
      errorCode: 'account_not_found',
    });
    const message = callbackMessageFor({ ...stored, callbackUrl: stored.callbackUrl! }, 'needs_review', NOW);
    expect(await deliverCallback(message, deps)).toMatchObject({ kind: 'delivered' });
    expect(JSON.parse(posts[0]!.body)).toMatchObject({
      type: 'customer.needs_review',
      data: { status: 'needs_review', errorCode: 'account_not_found' },
    });
    expect(await statusStore.get(stored.correlationId)).toBeDefined();
  });

  it('reads Retry-After as seconds or an HTTP-date', () => {
    expect(parseRetryAfter('120', NOW.getTime())).toBe(120);
    expect(parseRetryAfter('Wed, 15 Jan 2025 10:01:00 GMT', NOW.getTime())).toBe(60);
    expect(parseRetryAfter('soon', NOW.getTime())).toBeUndefined();
  });
});
