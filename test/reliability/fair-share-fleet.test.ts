import { createHash, randomBytes } from 'node:crypto';
import { QueueClient } from '@azure/storage-queue';
import { FleetStack, startFleetStack } from '../../dev/local-stack/fleet-stack';
import { postJson, waitForTerminal } from '../support/app-stack';
import { sampleCustomer } from '../fixtures/sample-customers';

/**
 * Fair sharing across a fleet (issue 24, point 5): three hosts, one queue, caller A floods creates
 * and caller B then sends one. First come, first served, B's create waits behind A's whole backlog;
 * with fair sharing (shared/domain/fair-share.ts) the hosts defer A's messages over its share, take
 * B's off the queue and put it first in line for a D365 slot. Counts, not times: how many of A's
 * creates D365 made after B's (the emulator numbers accounts in the order it creates them).
 */
const CAP = 3;
const FLOOD = 200;
const run = randomBytes(4).toString('hex');
const keys = { a: `key-a-${randomBytes(16).toString('hex')}`, b: `key-b-${randomBytes(16).toString('hex')}` };
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let stack: FleetStack;
const deferrals: string[] = [];

beforeAll(async () => {
  stack = await startFleetStack({
    hosts: 3,
    settings: {
      D365_MAX_CONCURRENCY: String(CAP),
      CALLER_AUTH: 'keys',
      DEV_FUNCTION_KEYS: JSON.stringify({ [`a-${run}`]: keys.a, [`b-${run}`]: keys.b }),
      CALLER_KEYS: JSON.stringify([
        { name: `a-${run}`, keySha256: sha256(keys.a), roles: ['create', 'read'] },
        { name: `b-${run}`, keySha256: sha256(keys.b), roles: ['create', 'read'] },
      ]),
    },
    emulator: { latencyMs: 100 },
    onLine: (_host, line) => {
      if (line.includes('customer.deferred_for_fair_share')) deferrals.push(line);
    },
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const customer = (email: string) => {
  const fixture = sampleCustomer('full');
  return { Customer: { ...fixture.Customer, EmailAddress: email } };
};

const accountNumber = (account: string): number => Number(account.replace(/^\D+-/, ''));

describe('fair sharing on three hosts', () => {
  it("serves caller B's single create well before caller A's backlog of creates is through", async () => {
    const asA = { 'x-functions-key': keys.a };
    const asB = { 'x-functions-key': keys.b };
    await stack.emulatorApi('POST', '/_emulator/stats/reset');
    const floods = await Promise.all(
      Array.from({ length: FLOOD }, (_, i) =>
        postJson(`${stack.url(i)}/api/customers`, customer(`a.${run}.${i}@example.com`), asA),
      ),
    );
    expect(floods.map((f) => f.status)).toEqual(floods.map(() => 202));

    const b = await postJson(`${stack.url(0)}/api/customers`, customer(`b.${run}@example.com`), asB);
    expect(b.status).toBe(202);
    const stats = await stack.emulatorApi<{ customersCreated: number }>('GET', '/_emulator/stats');
    const backlog = FLOOD - stats.customersCreated;

    const bOutcome = await waitForTerminal((b.json as { statusUrl: string }).statusUrl, 180_000, asB);
    expect(bOutcome.status).toBe('succeeded');
    const aOutcomes = await Promise.all(
      floods.map((f) => waitForTerminal((f.json as { statusUrl: string }).statusUrl, 240_000, asA)),
    );
    expect(aOutcomes.map((o) => o.status)).toEqual(aOutcomes.map(() => 'succeeded'));

    const bAccount = accountNumber(bOutcome.customerAccount!);
    const aAfterB = aOutcomes.filter((o) => accountNumber(o.customerAccount!) > bAccount).length;
    console.log(
      `fair share, 3 hosts: A's backlog when B was accepted ${backlog} of ${FLOOD}; ` +
        `A's creates D365 made after B's: ${aAfterB}; deferrals of A's messages: ${deferrals.length}`,
    );
    // The backlog is real (B came while most of A's creates were still to do) ...
    expect(backlog).toBeGreaterThanOrEqual(FLOOD / 4);
    // ... and B did not wait for it: most of it was served after B. (First come, first served: only
    // the few already at the gate; the fair line alone, without admission: those the hosts had
    // taken off the queue before B's, 43 of 147.)
    // Measured 78-94 % on a loaded machine (load ~15 on 2 cores); the fair line alone 29 %.
    expect(aAfterB).toBeGreaterThanOrEqual(0.6 * backlog);
    // Deferral is not a failed delivery: nothing went to the poison queue.
    const poison = new QueueClient(stack.env.AzureWebJobsStorage!, `${stack.queueName}-poison`);
    const poisoned = (await poison.exists()) ? (await poison.getProperties()).approximateMessagesCount : 0;
    expect(poisoned).toBe(0);
  }, 360_000);
});
