import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppStack, postJson, startAppStack, waitForTerminal } from '../support/app-stack';
import { sampleCustomer } from '../fixtures/sample-customers';

/**
 * Answers captured from real F&O, Entra ID and Key Vault (test/captured-answers, each with its
 * source) replayed through the emulator's scripted answers into the real worker: each ends in the
 * state the README promises, with the number of D365 customers it promises.
 */
interface Captured {
  target: 'custom-service' | 'odata';
  rule: Record<string, unknown> & { service: string };
  source: string;
  expect: { status: string; errorCode?: string; customers: number };
}

const dir = join(__dirname, '..', 'captured-answers');
const cases = readdirSync(dir)
  .filter((file) => file.endsWith('.json'))
  .map(
    (file) =>
      [file.replace(/\.json$/, ''), JSON.parse(readFileSync(join(dir, file), 'utf8')) as Captured] as const,
  );

const SETTINGS = { RETRY_BASE_SECONDS: '1', RETRY_MAX_DELAY_SECONDS: '1', D365_SETTLE_SECONDS: '1' };
const stacks: Partial<Record<Captured['target'], AppStack>> = {};

beforeAll(async () => {
  stacks['custom-service'] = await startAppStack({ settings: SETTINGS });
  stacks.odata = await startAppStack({ settings: { ...SETTINGS, D365_TARGET: 'odata' } });
}, 120_000);

afterAll(async () => {
  await Promise.all(Object.values(stacks).map((stack) => stack?.stop()));
});

describe('captured answers through the real worker', () => {
  it('has a source beside every captured answer', () => {
    expect(cases.length).toBeGreaterThanOrEqual(8);
    for (const [, captured] of cases) expect(captured.source.length).toBeGreaterThan(20);
  });

  it.each(cases)(
    '%s',
    async (name, captured) => {
      const stack = stacks[captured.target]!;
      // Token and secret answers only matter to a host that has not cached them yet.
      if (captured.rule.service !== 'd365') await stack.restartHost('SIGKILL');
      const email = `captured.${name}.${Date.now()}@example.com`;
      await stack.emulatorApi('POST', '/_emulator/faults', captured.rule);
      try {
        const body = { Customer: { ...sampleCustomer('full').Customer, EmailAddress: email } };
        const accepted = await postJson(`${stack.url}/api/customers`, body);
        expect(accepted.status).toBe(202);
        const final = await waitForTerminal((accepted.json as { statusUrl: string }).statusUrl, 45_000);
        expect(final.status).toBe(captured.expect.status);
        if (captured.expect.errorCode) expect(final.error?.code).toBe(captured.expect.errorCode);
        const customers = (await stack.customers()).filter((c) => c.fields.PrimaryContactEmail === email);
        expect(customers).toHaveLength(captured.expect.customers);
        if (final.status === 'succeeded') expect(customers[0]?.account).toBe(final.customerAccount);
      } finally {
        await stack.emulatorApi('DELETE', '/_emulator/faults');
      }
    },
    90_000,
  );
});
