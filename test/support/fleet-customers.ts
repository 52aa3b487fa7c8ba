import { randomUUID } from 'node:crypto';
import { FleetStack } from '../../dev/local-stack/fleet-stack';
import { sampleCustomer } from '../fixtures/sample-customers';
import { postJson, waitForTerminal } from './app-stack';

/**
 * Sends `count` new customers (the full fixture, each its own e-mail `<prefix>.<run>.<i>@…`) to the
 * fleet's hosts in turn, all at once, and waits until each request has ended. Resolves the intake's
 * HTTP statuses and the requests' final states, in the order sent.
 */
export async function createOnFleet(
  stack: FleetStack,
  count: number,
  prefix: string,
): Promise<{ answers: number[]; outcomes: string[] }> {
  const fixture = sampleCustomer('full');
  const run = randomUUID();
  const answers = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      postJson(`${stack.url(i)}/api/customers`, {
        Customer: { ...fixture.Customer, EmailAddress: `${prefix}.${run}.${i}@example.com` },
      }),
    ),
  );
  const outcomes = await Promise.all(
    answers.map((a) =>
      a.status === 202
        ? waitForTerminal((a.json as { statusUrl: string }).statusUrl, 120_000).then((o) => o.status)
        : 'not accepted',
    ),
  );
  return { answers: answers.map((a) => a.status), outcomes };
}
