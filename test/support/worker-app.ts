// The create worker's unit-test app: D365 and storage in memory (shared/use-cases/worker/*.test.ts).
import { testWorkerDeps } from './worker-deps';
import { memoryStatusStore } from './memory-status-store';
import { acceptCustomer, AcceptOptions } from '../../shared/use-cases/accept-customer';
import { CustomerRequest } from '../../shared/domain/customer-contract';
import { WorkerDeps } from '../../shared/use-cases/worker/deps';
import { processQueuedRequest } from '../../shared/use-cases/worker/dispatch';
import { QueueMessage } from '../../shared/domain/queue-message';
import { CustomerQueue, D365Client, Telemetry, TelemetryEvent } from '../../shared/ports';
import { sampleCustomer } from '../fixtures/sample-customers';

export const full = sampleCustomer('full');

export interface Sent {
  message: QueueMessage;
  delaySeconds?: number;
}

export type Create = (request: CustomerRequest) => Promise<{ customerAccount: string }>;

export function workerSetup(
  create: Create,
  options: Partial<WorkerDeps> & { existing?: string | string[] } = {},
) {
  const statusStore = memoryStatusStore();
  const sent: Sent[] = [];
  const poisoned: QueueMessage[] = [];
  const queue: CustomerQueue = {
    send: async (message, o) => void sent.push({ message, delaySeconds: o?.delaySeconds }),
  };
  const poisonQueue: CustomerQueue = { send: async (message) => void poisoned.push(message) };
  const events: TelemetryEvent[] = [];
  const telemetry: Telemetry = { trackEvent: (event) => void events.push(event), trackMetric: () => {} };
  const calls: string[] = [];
  let clock = new Date('2026-11-26T18:00:00.000Z');
  const lookups: (() => Promise<string | string[] | undefined>)[] = [];
  const d365: D365Client = {
    createCustomer: async (request) => {
      calls.push('create');
      return create(request);
    },
    findCustomersByEmail: async () => {
      calls.push('lookup');
      const next = lookups.shift();
      const found = next ? await next() : options.existing;
      return found === undefined ? [] : [found].flat();
    },
    findCustomersByNameAndPhone: async () => [],
  };
  // The settle wait after an uncertain create has tests of its own (worker/create-answers.test.ts).
  const deps = testWorkerDeps({
    statusStore,
    queue,
    poisonQueue,
    telemetry,
    d365,
    now: () => clock,
    ...options,
  });
  return {
    deps,
    statusStore,
    lookups,
    sent,
    poisoned,
    events,
    calls,
    advance: (seconds: number) => (clock = new Date(clock.getTime() + seconds * 1000)),
    accept: (body: unknown, o?: AcceptOptions) => acceptCustomer(body, deps, o),
    process: (message: unknown) => processQueuedRequest(message, deps),
    record: (id: string) => statusStore.records.get(id)!,
  };
}

export async function acceptedMessage(app: ReturnType<typeof workerSetup>): Promise<QueueMessage> {
  const result = await app.accept(full);
  expect(result.kind).toBe('accepted');
  return app.sent.at(-1)!.message;
}

export const created: Create = async () => ({ customerAccount: 'US-000042' });
