import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import * as path from 'node:path';
import { call, useEmulator, waitFor } from './support/emulator';

/**
 * The real `applicationinsights` SDK (v3: OpenTelemetry and `@azure/monitor-opentelemetry-exporter`)
 * exporting into the emulator: in this process (trust through `tls.setDefaultCACertificates`) and in a
 * process of its own, as the Functions host runs it (trust through NODE_EXTRA_CA_CERTS).
 */
const root = path.join(__dirname, '..');

// Loading the SDK and spawning Node take seconds on a loaded machine; Live Metrics pings every 5 s.
jest.setTimeout(120_000);

const emulator = useEmulator();

const connectionString = (): string =>
  `InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=${emulator.url}/;LiveEndpoint=${emulator.url}/`;

interface Envelope {
  name: string;
  iKey: string;
  data: { baseType: string; baseData: { name?: string; properties?: Record<string, string> } };
}

const eventsNamed = async (name: string): Promise<Envelope[]> =>
  (
    await call<{ value: Envelope[] }>(emulator, 'GET', '/_emulator/telemetry?baseType=EventData')
  ).body.value.filter((item) => item.data.baseData.name === name);

describe('the real Application Insights SDK', () => {
  it('delivers a tracked event in this process by the time flush() resolves', async () => {
    const name = `X-${randomUUID()}`;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const appInsights = require('applicationinsights') as typeof import('applicationinsights');
    appInsights.setup(connectionString()).start();
    try {
      appInsights.defaultClient.trackEvent({ name, properties: { a: 'b' } });
      await appInsights.defaultClient.flush();
    } finally {
      appInsights.dispose();
    }

    const events = await eventsNamed(name);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      name: 'Microsoft.ApplicationInsights.Event',
      iKey: '00000000-0000-0000-0000-000000000000',
      data: { baseType: 'EventData', baseData: { name, properties: { a: 'b' } } },
    });
  });

  it('works in a process of its own trusting the emulator through NODE_EXTRA_CA_CERTS; Live Metrics is answered and nothing warns', async () => {
    const name = `X-${randomUUID()}`;
    await call(emulator, 'POST', '/_emulator/stats/reset');
    const child = spawn(process.execPath, [path.join(__dirname, 'support', 'app-insights-client.js')], {
      cwd: root,
      env: {
        ...process.env,
        NODE_EXTRA_CA_CERTS: emulator.caCertPath,
        APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString(),
        EVENT_NAME: name,
        // The SDK's own diagnostics at WARN: a failed export or Live Metrics call would show here.
        APPLICATIONINSIGHTS_INSTRUMENTATION_LOGGING_LEVEL: 'WARN',
        // Statsbeat would go to Microsoft's own ingestion endpoints, not to the emulator.
        APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(child, 'exit') as Promise<[number | null]>;
    try {
      await waitFor(() => /^flushed \d+$/m.test(output), `the child to flush (output: ${output})`, 90_000);
      expect(await eventsNamed(name)).toEqual([
        expect.objectContaining({
          data: expect.objectContaining({
            baseData: expect.objectContaining({ name, properties: { a: 'b' } }),
          }),
        }),
      ]);
      await waitFor(
        async () =>
          (await call<{ appInsights: { liveMetrics: number } }>(emulator, 'GET', '/_emulator/stats')).body
            .appInsights.liveMetrics >= 1,
        'a Live Metrics ping',
        90_000,
      );
    } finally {
      child.stdin.end();
    }
    const [code] = await exited;
    expect(code).toBe(0);
    const lines = output.split('\n').filter((line) => line.trim() !== '');
    expect(lines.filter((line) => !/^flushed \d+$/.test(line))).toEqual([]);
  });
});
