import { FleetStack, startFleetStack } from '../../dev/local-stack/fleet-stack';
import { createOnFleet } from '../support/fleet-customers';

// Three hosts on one Azurite and one emulator that throttles D365 at RATE requests/s (a token
// bucket of one second's worth, as F&O's service protection is emulated). The slots alone would
// allow CAP / 50 ms = 120 calls/s, fifteen times the limit; D365_MAX_REQUESTS_PER_SECOND = RATE
// paces them so that the fleet never runs into a 429.
const CAP = 6;
const RATE = 8;
const CUSTOMERS = 40;

interface LoggedRequest {
  at: string;
  status: number;
}

let stack: FleetStack;

beforeAll(async () => {
  stack = await startFleetStack({
    hosts: 3,
    storageConnectionString: process.env.TEST_STORAGE_CONNECTION_STRING!,
    settings: {
      D365_MAX_CONCURRENCY: String(CAP),
      D365_MAX_REQUESTS_PER_SECOND: String(RATE),
      AzureFunctionsJobHost__extensions__queues__batchSize: '16',
      AzureFunctionsJobHost__extensions__queues__newBatchThreshold: '16',
      AzureFunctionsJobHost__extensions__queues__maxPollingInterval: '00:00:00.500',
    },
    emulator: { latencyMs: 50, throttle: { ratePerSecond: RATE } },
  });
});

afterAll(async () => {
  await stack?.stop();
});

describe('a fleet paced to D365_MAX_REQUESTS_PER_SECOND', () => {
  it('creates every customer without one 429, never starting more calls in a second than the rate allows', async () => {
    await stack.emulatorApi('DELETE', '/_emulator/requests');
    const { answers, outcomes } = await createOnFleet(stack, CUSTOMERS, 'pace');
    expect(answers).toEqual(answers.map(() => 202));
    expect(outcomes).toEqual(outcomes.map(() => 'succeeded'));

    const log = (
      await stack.emulatorApi<{ value: LoggedRequest[] }>('GET', '/_emulator/requests?service=d365')
    ).value;
    expect(log.length).toBeGreaterThanOrEqual(CUSTOMERS);
    expect(log.filter((r) => r.status === 429)).toEqual([]);
    // Each slot starts a call at most every CAP / RATE seconds: in any second, at most RATE calls
    // plus the one each slot may have started just before the second began.
    const starts = log.map((r) => Date.parse(r.at)).sort((a, b) => a - b);
    const busiest = Math.max(...starts.map((t) => starts.filter((s) => s >= t && s < t + 1000).length));
    expect(busiest).toBeLessThanOrEqual(RATE + CAP);
  }, 240_000);
});
