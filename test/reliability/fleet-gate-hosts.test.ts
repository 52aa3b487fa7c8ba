import { startStorageCounter, StorageCounter } from '../../bench/storage-counter';
import { FleetStack, startFleetStack } from '../../dev/local-stack/fleet-stack';
import { createOnFleet } from '../support/fleet-customers';

// Three hosts (the app as Azure runs it) on one Azurite, behind the bench's counting proxy, and one
// emulator: many more customers than fleet slots, so every host's invocations queue at its gate.
const CAP = 3;
const CUSTOMERS = 60;

let counter: StorageCounter;
let stack: FleetStack;

beforeAll(async () => {
  counter = await startStorageCounter(process.env.TEST_STORAGE_CONNECTION_STRING!);
  stack = await startFleetStack({
    hosts: 3,
    storageConnectionString: counter.connectionString,
    settings: {
      D365_MAX_CONCURRENCY: String(CAP),
      AzureFunctionsJobHost__extensions__queues__batchSize: '16',
      AzureFunctionsJobHost__extensions__queues__newBatchThreshold: '16',
      AzureFunctionsJobHost__extensions__queues__maxPollingInterval: '00:00:00.500',
    },
    emulator: { latencyMs: 100 },
  });
});

afterAll(async () => {
  await stack?.stop();
  await counter?.stop();
});

describe('the fleet gate on three hosts', () => {
  it('keeps D365 calls under the cap and hands freed slots on within each host instead of through storage', async () => {
    await stack.emulatorApi('POST', '/_emulator/stats/reset');
    counter.reset();
    const { answers, outcomes } = await createOnFleet(stack, CUSTOMERS, 'gate');
    expect(answers).toEqual(answers.map(() => 202));
    expect(outcomes).toEqual(outcomes.map(() => 'succeeded'));

    const stats = await stack.emulatorApi<{
      customersCreated: number;
      d365: { maxConcurrent: number; requests: Record<string, number> };
    }>('GET', '/_emulator/stats');
    const d365Calls = Object.values(stats.d365.requests).reduce((a, b) => a + b, 0);
    expect(stats.customersCreated).toBe(CUSTOMERS);
    expect(stats.d365.maxConcurrent).toBeLessThanOrEqual(CAP);
    // Taking a slot from the fleet and giving it back are two writes of its row; a slot handed from
    // one call to the next within a host is none. Most calls ran in a handed-on slot.
    const { gate } = counter.counts();
    console.log(
      `fleet gate, 3 hosts: ${d365Calls} D365 calls, gate partition ${gate.writes} writes, ${gate.reads} reads`,
    );
    expect(gate.writes).toBeLessThan(d365Calls);
  }, 240_000);
});
