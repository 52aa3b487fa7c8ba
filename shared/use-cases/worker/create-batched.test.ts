import { testWorkerDeps } from '../../../test/support/worker-deps';
import { memoryStatusStore } from '../../../test/support/memory-status-store';
import { memoryIdentityClaims } from '../../../test/support/memory-identity-claims';
import { sampleCustomer } from '../../../test/fixtures/sample-customers';
import { acceptCustomer } from '../accept-customer';
import { d365Gate } from '../../adapters/d365/d365-gate';
import { batchedEmailLookup } from '../../adapters/d365/batched-email-lookup';
import { WorkerDeps } from './deps';
import { processQueuedRequest } from './dispatch';
import { QueueMessage } from '../../domain/queue-message';
import { CustomerQueue, D365Client, D365Gate, D365GateUnavailableError } from '../../ports';

/**
 * The worker with a gated (batched) lookup: the lookup takes a gate slot of its own, and the
 * request takes its slot for the create only after the lookup (worker/create.ts, `gatedLookup`).
 */
function setup(
  options: { existing?: string; gatedLookup?: WorkerDeps['gatedLookup']; gate?: D365Gate } = {},
) {
  const statusStore = memoryStatusStore();
  const sent: { message: QueueMessage; delaySeconds?: number }[] = [];
  const queue: CustomerQueue = {
    send: async (message, o) => void sent.push({ message, delaySeconds: o?.delaySeconds }),
  };
  const calls: string[] = [];
  const inner = d365Gate(options.gate ? 1 : 4);
  const gate: D365Gate = options.gate ?? {
    acquire: async (maxWaitMs) => {
      calls.push('slot');
      return inner.acquire(maxWaitMs);
    },
    pause: (seconds) => inner.pause(seconds),
    pausedUntil: () => inner.pausedUntil(),
  };
  const d365: D365Client = {
    createCustomer: async () => {
      calls.push('create');
      return { customerAccount: 'US-NEW' };
    },
    findCustomersByEmail: async () => {
      calls.push('lookup in slot');
      return options.existing ? [options.existing] : [];
    },
    findCustomersByNameAndPhone: async () => [],
  };
  const gatedLookup = options.gatedLookup ?? {
    findCustomersByEmail: async () => {
      calls.push('gated lookup');
      return options.existing ? [options.existing] : [];
    },
  };
  const claims = memoryIdentityClaims();
  const deps = testWorkerDeps({ statusStore, queue, d365, gate, gatedLookup, identityClaims: claims });
  const accepted = async (): Promise<QueueMessage> => {
    await acceptCustomer(sampleCustomer('full'), deps);
    return sent.at(-1)!.message;
  };
  return { deps, calls, sent, claims, accepted, record: (id: string) => statusStore.records.get(id)! };
}

describe('the worker with batched lookups', () => {
  it('looks the customer up before it takes a slot, and holds the slot only for the create', async () => {
    const app = setup();
    const message = await app.accepted();
    await expect(processQueuedRequest(message, app.deps)).resolves.toMatchObject({
      kind: 'succeeded',
      outcome: 'created',
      customerAccount: 'US-NEW',
    });
    expect(app.calls).toEqual(['gated lookup', 'slot', 'create']);
  });

  it('links an existing customer without taking a slot at all', async () => {
    const app = setup({ existing: 'US-OLD' });
    const message = await app.accepted();
    await expect(processQueuedRequest(message, app.deps)).resolves.toMatchObject({
      kind: 'succeeded',
      outcome: 'linked',
      customerAccount: 'US-OLD',
    });
    expect(app.calls).toEqual(['gated lookup']);
  });

  it('gives the attempt back when the lookup’s batch got no slot, and lets go of the customer claim', async () => {
    const retryAt = Date.now() + 7_000;
    const app = setup({
      gatedLookup: {
        findCustomersByEmail: async () => {
          throw new D365GateUnavailableError(retryAt, 'paused');
        },
      },
    });
    const message = await app.accepted();
    const result = await processQueuedRequest(message, app.deps);
    expect(result).toMatchObject({ kind: 'deferred' });
    expect((result as { delaySeconds: number }).delaySeconds).toBeGreaterThanOrEqual(6);
    expect(app.record(message.correlationId)).toMatchObject({ status: 'retrying', attempts: 0 });
    expect(app.sent.at(-1)!.message).toEqual(message);
    expect(app.claims.claims.size).toBe(0);
    expect(app.calls).toEqual([]);
  });

  it('waits out a full gate in place, renewing its lease and customer claim, then goes on', async () => {
    let busy = 2;
    const app = setup({
      gatedLookup: {
        findCustomersByEmail: async () => {
          if (busy-- > 0) throw new D365GateUnavailableError(Date.now() + 100, 'busy');
          return [];
        },
      },
    });
    const message = await app.accepted();
    await expect(processQueuedRequest(message, app.deps)).resolves.toMatchObject({
      kind: 'succeeded',
      outcome: 'created',
    });
    expect(app.calls).toEqual(['slot', 'create']);
    expect(app.sent).toHaveLength(1); // only the intake's message: nothing was given back
  });

  it('with the real decorator, two workers’ lookups go to D365 as one call and each creates once', async () => {
    const gate = d365Gate(4);
    const asked: string[][] = [];
    const created: string[] = [];
    const lookupClient = {
      findCustomersByEmail: async (_le: string, email: string) => {
        asked.push([email]);
        return [];
      },
      findCustomersByEmails: async (_le: string, emails: readonly string[]) => {
        asked.push([...emails]);
        return new Map(emails.map((e) => [e, [] as string[]]));
      },
    };
    const app = setup({
      gate,
      gatedLookup: batchedEmailLookup(lookupClient, gate, {
        maxBatch: 25,
        windowMs: 5,
        maxGateWaitMs: 1_000,
      }),
    });
    app.deps.d365.createCustomer = async (request) => {
      created.push(request.Customer.EmailAddress!);
      return { customerAccount: `US-${created.length}` };
    };
    const one = await app.accepted();
    const other = sampleCustomer('full');
    other.Customer.EmailAddress = 'other@example.com';
    await acceptCustomer(other, app.deps);
    const two = app.sent.at(-1)!.message;
    const results = await Promise.all([
      processQueuedRequest(one, app.deps),
      processQueuedRequest(two, app.deps),
    ]);
    expect(results.map((r) => r.kind)).toEqual(['succeeded', 'succeeded']);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toHaveLength(2);
    expect(created).toHaveLength(2);
  });
});
