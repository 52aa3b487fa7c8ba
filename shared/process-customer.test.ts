import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { memoryStatusStore } from '../test/support/memory-status-store';
import { acceptCustomer } from './accept-customer';
import { CustomerQueue } from './customer-queue';
import { D365Client } from './d365-client';
import { permanent, ProcessingError, transient } from './failure';
import { silentLog } from './log';
import { processCustomerMessage, recordPoisonMessage } from './process-customer';
import { QueueMessage } from './queue-message';
import { Telemetry, TelemetryEvent } from './telemetry';

const full = JSON.parse(
  readFileSync(join(__dirname, '..', 'test', 'fixtures', 'seed-customer-full.json'), 'utf8'),
);

function setup(d365: D365Client['createCustomer']) {
  const statusStore = memoryStatusStore();
  const sent: QueueMessage[] = [];
  const queue: CustomerQueue = { send: async (message) => void sent.push(message) };
  const events: TelemetryEvent[] = [];
  const telemetry: Telemetry = { trackEvent: (event) => void events.push(event) };
  const calls: unknown[] = [];
  const client: D365Client = {
    createCustomer: async (request) => {
      calls.push(request);
      return d365(request);
    },
  };
  const common = {
    statusStore,
    telemetry,
    log: silentLog,
    target: 'custom-service' as const,
    defaultCustomerGroup: '30',
  };
  return {
    statusStore,
    sent,
    events,
    calls,
    accept: (body: unknown) => acceptCustomer(body, { ...common, queue }),
    process: (message: unknown) => processCustomerMessage(message, { ...common, d365: client }),
  };
}

async function acceptedMessage(app: ReturnType<typeof setup>): Promise<QueueMessage> {
  const result = await app.accept(full);
  expect(result.kind).toBe('accepted');
  return app.sent.at(-1)!;
}

describe('processing a queued customer', () => {
  it('moves queued → processing → submitting → succeeded and drops the personal payload', async () => {
    const app = setup(async () => ({ customerAccount: 'US-000042' }));
    const message = await acceptedMessage(app);
    expect(app.statusStore.records.get(message.correlationId)).toMatchObject({
      status: 'queued',
      attempts: 0,
    });
    expect(app.statusStore.records.get(message.correlationId)!.payload).toContain('USRT');

    await expect(app.process(message)).resolves.toEqual({ kind: 'succeeded', customerAccount: 'US-000042' });
    const record = app.statusStore.records.get(message.correlationId)!;
    expect(record).toMatchObject({
      status: 'succeeded',
      customerAccount: 'US-000042',
      outcome: 'created',
      attempts: 1,
    });
    expect(record.payload).toBeUndefined();
    expect(app.events.map((e) => e.name)).toEqual(['CustomerAccepted', 'CustomerSucceeded']);
  });

  it('acknowledges a redelivered message of a finished request without calling D365', async () => {
    const app = setup(async () => ({ customerAccount: 'US-1' }));
    const message = await acceptedMessage(app);
    await app.process(message);
    await expect(app.process(message)).resolves.toEqual({ kind: 'already-finished' });
    expect(app.calls).toHaveLength(1);
  });

  it('ends as failed on a business error and does not retry', async () => {
    const app = setup(async () => {
      throw permanent('business_error', 'The record already exists. (DuplicateKeyException)');
    });
    const message = await acceptedMessage(app);
    await expect(app.process(message)).resolves.toEqual({ kind: 'failed', code: 'business_error' });
    expect(app.statusStore.records.get(message.correlationId)).toMatchObject({
      status: 'failed',
      errorCode: 'business_error',
      errorMessage: 'The record already exists. (DuplicateKeyException)',
    });
    const failed = app.events.find((e) => e.name === 'CustomerFailed')!;
    expect(failed.properties).toMatchObject({
      correlationId: message.correlationId,
      legalEntity: 'USRT',
      reason: 'business_error',
    });
  });

  it('records a transient failure as lastError and throws so the queue delivers the message again', async () => {
    let first = true;
    const app = setup(async () => {
      if (first) {
        first = false;
        throw transient('D365 answered 503');
      }
      return { customerAccount: 'US-2' };
    });
    const message = await acceptedMessage(app);
    await expect(app.process(message)).rejects.toBeInstanceOf(ProcessingError);
    expect(app.statusStore.records.get(message.correlationId)).toMatchObject({
      status: 'submitting',
      lastError: 'D365 answered 503',
      attempts: 1,
    });
    await expect(app.process(message)).resolves.toMatchObject({ kind: 'succeeded' });
    expect(app.statusStore.records.get(message.correlationId)).toMatchObject({
      attempts: 2,
      status: 'succeeded',
    });
    expect(app.statusStore.records.get(message.correlationId)!.lastError).toBeUndefined();
  });

  it('records a malformed message as failed (invalid_message) and never retries it', async () => {
    const app = setup(async () => ({ customerAccount: 'US-3' }));
    const message = await acceptedMessage(app);
    const broken = { ...message, request: { Customer: { LegalEntity: 'USRT' } } };
    await expect(app.process(broken)).resolves.toEqual({ kind: 'discarded' });
    expect(app.statusStore.records.get(message.correlationId)).toMatchObject({
      status: 'failed',
      errorCode: 'invalid_message',
    });
    await expect(app.process('not json at all')).resolves.toEqual({ kind: 'discarded' });
    expect(app.calls).toHaveLength(0);
  });

  it('accepts the message as the library hands it over: an object or a JSON string', async () => {
    const app = setup(async () => ({ customerAccount: 'US-4' }));
    const message = await acceptedMessage(app);
    await expect(app.process(JSON.stringify(message))).resolves.toMatchObject({ kind: 'succeeded' });
  });

  it('marks a poisoned request failed (retries exhausted) with the last transient error', async () => {
    const app = setup(async () => {
      throw transient('D365 answered 503');
    });
    const message = await acceptedMessage(app);
    await expect(app.process(message)).rejects.toBeInstanceOf(ProcessingError);
    await recordPoisonMessage(message, {
      statusStore: app.statusStore,
      telemetry: { trackEvent: () => {} },
      log: silentLog,
    });
    const record = app.statusStore.records.get(message.correlationId)!;
    expect(record).toMatchObject({ status: 'failed', errorCode: 'retries_exhausted' });
    expect(record.errorMessage).toContain('D365 answered 503');
  });
});

describe('intake', () => {
  it('removes the queued record again when the message cannot be written, and reports unavailable', async () => {
    const statusStore = memoryStatusStore();
    const result = await acceptCustomer(full, {
      statusStore,
      queue: {
        send: async () => {
          throw new Error('queue down');
        },
      },
      telemetry: { trackEvent: () => {} },
      log: silentLog,
      target: 'custom-service',
      defaultCustomerGroup: '30',
    });
    expect(result).toEqual({ kind: 'unavailable' });
    expect(statusStore.records.size).toBe(0);
  });

  it('rejects an invalid body without writing anything', async () => {
    const app = setup(async () => ({ customerAccount: 'x' }));
    const result = await app.accept({ Customer: { ...full.Customer, EmailAddress: 'nope' } });
    expect(result.kind).toBe('invalid');
    expect(app.statusStore.records.size).toBe(0);
    expect(app.sent).toHaveLength(0);
  });
});
