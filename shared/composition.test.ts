import { acceptDeps, AppServices, workerDeps, reconcileDeps } from './composition';
import { loadConfig } from './config/config';
import { validSettings } from '../test/support/valid-settings';
import { silentLog } from './ports';

describe('the composition root hands each use-case its adapters', () => {
  const config = loadConfig(validSettings());
  const services = {
    config,
    statusStore: {},
    queue: {},
    poisonQueue: {},
    d365: {},
    gate: {},
    telemetry: {},
    rateLimiter: {},
    waits: {},
    callbacks: { outbox: {}, endpoints: {}, sender: {} },
    foEvents: { ledger: {}, queue: {}, states: {} },
    backfill: { jobs: {}, queue: {}, uploads: {} },
    queueDepths: async () => ({}),
  } as unknown as AppServices;

  it('wires the worker with the gate, the poison queue and the policies from configuration', () => {
    const deps = workerDeps(services, silentLog);
    expect(deps.gate).toBe(services.gate);
    expect(deps.poisonQueue).toBe(services.poisonQueue);
    expect(deps.queue).toBe(services.queue);
    expect(deps.retry).toEqual(config.retry);
    expect(deps.duplicatePolicy).toBe('link');
    expect(deps.leaseSeconds).toBe(config.leaseSeconds);
    expect(deps.callbackOutbox).toBe(services.callbacks.outbox);
    // An erasure deletes the F&O data events held of the customer (issue 29).
    expect(deps.privacy?.foEvents).toBe(services.foEvents.ledger);
    // …and the customer's rows in uploaded CSV pages not read yet (issue 30).
    expect(deps.privacy?.backfillUploads).toBe(services.backfill.uploads);
    expect(acceptDeps(services, silentLog).defaultCustomerGroup).toBe('30');
  });

  it('gives the reconciler the queue depths, so the QueueDepth metric is sent', () => {
    const deps = reconcileDeps(services, silentLog);
    expect(deps.queueDepths).toBe(services.queueDepths);
    expect(deps.callbackOutbox).toBe(services.callbacks.outbox);
    expect(deps.reconcileAfterSeconds).toBe(config.reconcileAfterSeconds);
  });
});
