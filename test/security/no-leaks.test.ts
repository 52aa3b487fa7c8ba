import { AppStack, postJson, startAppStack, waitForTerminal } from '../support/app-stack';
import { sampleCustomer } from '../fixtures/sample-customers';

const full = sampleCustomer('full');
const minimal = sampleCustomer('minimal');

/** Every personal value in the fixtures (names, e-mail, phone, streets, cities, birth date). */
const PERSONAL = [
  'Alex',
  'Trump',
  'abc1234@gmail.com',
  'abc1234',
  'alex.trump@example.com',
  '+923004000101',
  '923004000101',
  '3004000101',
  '185 aba road',
  'safari villas',
  'johar town',
  'Johar town Branch',
  'Acworth',
  'Alton Bay',
  '11/10/1997',
  '1997-11-10',
];

/**
 * Captures everything the app wrote during an end-to-end run — the host's log lines, the
 * telemetry the real Application Insights SDK sent (into the emulator's ingestion endpoint), and
 * every answer (status bodies, problem documents) — and fails if any personal value, the client
 * secret or a bearer token is in it.
 */
describe('no personal data or secrets leave the app', () => {
  let stack: AppStack;
  const lines: string[] = [];
  const answers: string[] = [];

  beforeAll(async () => {
    stack = await startAppStack({
      onHostLine: (line) => lines.push(line),
      settings: {
        RETRY_BASE_SECONDS: '0',
        APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-0000-0000-000000000000',
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('in logs, telemetry, status answers and errors', async () => {
    // Point the SDK at the emulator's ingestion endpoint (needs the emulator's URL, known only now).
    const connection = `InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=${stack.emulator.url}/;LiveEndpoint=${stack.emulator.url}/`;
    stack.env.APPLICATIONINSIGHTS_CONNECTION_STRING = connection;
    await stack.restartHost('SIGTERM');

    const post = async (body: unknown, headers: Record<string, string> = {}) => {
      const answer = await postJson(`${stack.url}/api/customers`, body, headers);
      answers.push(answer.text);
      const statusUrl = (answer.json as { statusUrl?: string }).statusUrl;
      if (statusUrl) {
        await waitForTerminal(statusUrl, 30_000);
        answers.push(await (await fetch(statusUrl)).text());
      }
    };
    await post(full);
    await post(minimal); // another e-mail: created
    await post(full, { prefer: 'wait=10' }); // the same e-mail as the first: linked
    await post({
      Customer: { ...full.Customer, EmailAddress: 'other.person@example.com', CustomerGroup: 'NOPE' },
    });
    await post({ Customer: { ...full.Customer, EmailAddress: 'abc1234@gmail' } });
    await post({ Customer: { ...full.Customer, DateOfBirth: '11/10/2997' } });
    await post({ Customer: { ...full.Customer, Nickname: 'Alex' } });
    await stack.emulatorApi('POST', '/_emulator/faults', { service: 'd365', status: 503, count: 1 });
    await post({ Customer: { ...full.Customer, EmailAddress: 'third.person@example.com' } });

    // Wait for the SDK to export every kind of event the run produced.
    const expected = ['CustomerAccepted', 'CustomerSucceeded', 'CustomerFailed', 'CustomerRetryScheduled'];
    const deadline = Date.now() + 30_000;
    let telemetry: { data?: { baseType?: string; baseData?: { name?: string } } }[] = [];
    let names = new Set<string | undefined>();
    while (Date.now() < deadline) {
      telemetry = (await stack.emulatorApi<{ value: typeof telemetry }>('GET', '/_emulator/telemetry')).value;
      names = new Set(telemetry.map((t) => t.data?.baseData?.name));
      if (expected.every((name) => names.has(name))) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    for (const name of expected) expect(names).toContain(name);
    // Automatic collection is off (SECURITY.md): no request or dependency records, storage calls
    // through the Azure SDK included (their URLs and the lookup's OData filter would be in them).
    const kinds = new Set(telemetry.map((t) => t.data?.baseType));
    expect(kinds).not.toContain('RemoteDependencyData');
    expect(kinds).not.toContain('RequestData');

    const secret = await stack.emulator.currentClientSecret();
    const everything = [lines.join('\n'), JSON.stringify(telemetry), answers.join('\n')];
    const scanned = everything.reduce((sum, text) => sum + text.length, 0);
    console.log(
      `leak scan: ${lines.length} log lines, ${telemetry.length} telemetry items, ${answers.length} answers, ${scanned} characters`,
    );
    for (const text of everything) {
      for (const value of PERSONAL) expect(text).not.toContain(value);
      expect(text).not.toContain(secret);
      expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
      expect(text).not.toMatch(/Bearer\s+\S/);
    }
  }, 120_000);
});
