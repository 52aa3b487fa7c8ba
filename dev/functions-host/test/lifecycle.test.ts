import { realpathSync } from 'node:fs';
import { createServer } from 'node:net';
import {
  copyFixtureApp,
  FixtureHost,
  queueState,
  sendBase64,
  startFixtureHost,
  Storage,
  useStorage,
  waitFor,
} from './host-test-kit';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('local host: settings, start-up errors and shutdown', () => {
  let storage: Storage;
  const hosts: FixtureHost[] = [];

  beforeAll(async () => {
    storage = await useStorage();
  });

  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.stop()));
    await storage?.stop();
  });

  it('copies local.settings.json Values into the environment (the environment wins) and uses Host.LocalHttpPort', async () => {
    const port = await freePort();
    const appDir = copyFixtureApp({
      'local.settings.json': JSON.stringify({
        IsEncrypted: false,
        Values: {
          FROM_LOCAL_SETTINGS: 'from-file',
          OVERRIDDEN_SETTING: 'from-file',
          'AzureWebJobs.hello.Disabled': 'true',
        },
        Host: { LocalHttpPort: port },
      }),
    });
    const host = await startFixtureHost(storage, {
      appDir,
      port: undefined,
      env: { OVERRIDDEN_SETTING: 'from-env' },
    });
    hosts.push(host);
    expect(host.port).toBe(port);
    const settings = await (await fetch(`${host.url}/api/settings`)).json();
    expect(settings).toEqual({
      FROM_LOCAL_SETTINGS: 'from-file',
      OVERRIDDEN_SETTING: 'from-env',
      cwd: realpathSync(appDir),
    });
    expect(host.lines).toContain(
      "Skipping 'OVERRIDDEN_SETTING' from local settings as it's already defined in current environment variables.",
    );
    // AzureWebJobs.<name>.Disabled turns a function off: listed as disabled, 404 over HTTP.
    expect(host.lines).toContain(`  hello: [GET] http://localhost:${port}/api/hello/{name?} (disabled)`);
    expect((await fetch(`${host.url}/api/hello/x`)).status).toBe(404);
  });

  it('on SIGTERM stops taking work, finishes in-flight HTTP and queue invocations, runs appTerminate, exits 0', async () => {
    const host = await startFixtureHost(storage);
    const request = fetch(`${host.url}/api/slow?ms=3000`);
    const messageId = await sendBase64(host.queue, JSON.stringify({ sleepMs: 3000 }));
    await waitFor(
      () => host.events('slow-start').length > 0 && host.events('queue').length > 0,
      'both invocations to start',
    );
    const stopped = host.stop();
    const response = await request;
    expect([response.status, await response.text()]).toEqual([200, 'slept 3000']);
    await stopped;
    expect(await host.exited).toEqual({ code: 0, signal: null });
    const order = host.events().map((e) => e.type);
    expect(order.indexOf('appTerminate')).toBeGreaterThan(order.indexOf('slow-end'));
    expect(order.indexOf('appTerminate')).toBeGreaterThan(order.indexOf('queue-done'));
    expect(host.events('queue-done')).toEqual([expect.objectContaining({ id: messageId })]);
    // The finished message was deleted, not left to be delivered again.
    expect(await queueState(host.queue)).toEqual({ count: 0, texts: [] });
  });

  it('fails to start with a message naming a missing connection setting', async () => {
    await expect(startFixtureHost(storage, { env: { AzureWebJobsStorage: undefined } })).rejects.toThrow(
      /Host failed to start: Function "\w+".*the app setting "AzureWebJobsStorage" holding the Storage connection string is missing/,
    );
  });

  it('fails to start with a message naming an invalid host.json setting', async () => {
    await expect(
      startFixtureHost(storage, { env: { AzureFunctionsJobHost__extensions__queues__batchSize: '99' } }),
    ).rejects.toThrow(
      /host\.json: extensions\.queues\.batchSize must be an integer between 1 and 32 \(got "99"\)/,
    );
  });

  it('fails to start when a timer schedule is not a six-field NCRONTAB expression', async () => {
    await expect(
      startFixtureHost(storage, { env: { FIXTURE_TIMER_SCHEDULE: '*/5 * * * *' } }),
    ).rejects.toThrow(/Function "fixtureTimer".*six fields/);
  });
});
