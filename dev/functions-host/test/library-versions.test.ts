import { request } from 'node:http';
import {
  appWithLibrary,
  FixtureHost,
  LIBRARY_VERSIONS,
  sendBase64,
  startFixtureHost,
  Storage,
  useStorage,
  waitFor,
} from './host-test-kit';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request with exactly the given headers and body (fetch adds or drops content-length on its own). */
function rawRequest(
  url: string,
  init: { method: string; headers?: Record<string, string | number>; body?: string },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method, headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

const BODY_LIMIT = 1024;

/**
 * The same app (test/matrix-app, only APIs that exist since @azure/functions 4.0.0) on each pinned
 * library version, so a gap of the host cannot hide behind the version the project happens to use:
 * before 4.16.3 the library hands an HTTP body to `new Request()` even for GET, which throws when the
 * host sends an empty body; from 4.16.3 on an empty body becomes an empty stream instead of `null`.
 */
describe.each(LIBRARY_VERSIONS)('local host with @azure/functions $version', ({ version, packageDir }) => {
  let storage: Storage;
  let host: FixtureHost;

  beforeAll(async () => {
    storage = await useStorage();
    host = await startFixtureHost(storage, {
      appDir: appWithLibrary(packageDir, version),
      env: { FIXTURE_TIMER_SCHEDULE: '* * * * * *', FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: String(BODY_LIMIT) },
    });
  });

  afterAll(async () => {
    await host?.stop();
    await storage?.stop();
  });

  it('passes a GET without a body as request.body === null and answers 200', async () => {
    const response = await fetch(`${host.url}/api/body`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ method: 'GET', bodyIsNull: true, text: null });
  });

  it('passes a HEAD request without a body and answers 200 without a body', async () => {
    const response = await rawRequest(`${host.url}/api/body`, { method: 'HEAD' });
    expect([response.status, response.headers['x-body-is-null'], response.body]).toEqual([200, 'true', '']);
  });

  it('passes a POST with content-length 0 as no body at all (request.body === null)', async () => {
    const response = await rawRequest(`${host.url}/api/body`, {
      method: 'POST',
      headers: { 'content-length': 0, 'content-type': 'text/plain' },
    });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ method: 'POST', bodyIsNull: true, text: null });
  });

  it('passes a POST with a JSON body to request.json()', async () => {
    const response = await fetch(`${host.url}/api/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customer: 'C-1', lines: [1, 2] }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: { customer: 'C-1', lines: [1, 2] } });
  });

  it('fails a body over FUNCTIONS_REQUEST_BODY_SIZE_LIMIT with 500 without running the function; one at the limit passes', async () => {
    const before = host.events('body').length;
    const over = await rawRequest(`${host.url}/api/body`, {
      method: 'POST',
      body: 'x'.repeat(BODY_LIMIT + 1),
    });
    expect([over.status, over.body]).toEqual([500, '']);
    await waitFor(
      () =>
        host.lines.some((l) =>
          l.includes(`Request body too large. The max request body size is ${BODY_LIMIT} bytes.`),
        ),
      'the failed invocation to be logged',
    );
    expect(host.events('body')).toHaveLength(before);

    const atLimit = await rawRequest(`${host.url}/api/body`, {
      method: 'POST',
      body: 'y'.repeat(BODY_LIMIT),
    });
    expect(atLimit.status).toBe(200);
    expect((JSON.parse(atLimit.body) as { text: string }).text).toHaveLength(BODY_LIMIT);
  });

  it('runs a queue-triggered function with the parsed message', async () => {
    await sendBase64(host.queue, JSON.stringify({ version }));
    const event = await waitFor(
      () => host.events('queue').find((e) => JSON.stringify(e.message) === JSON.stringify({ version })),
      'the queue message to be processed',
    );
    expect(event.dequeueCount).toBe(1);
  });

  it('runs a timer-triggered function on its schedule with the Timer object', async () => {
    const fired = await waitFor(() => {
      const events = host.events('timer');
      return events.length >= 2 ? events : undefined;
    }, 'two timer runs');
    for (const event of fired) {
      expect(event.isPastDue).toBe(false);
      expect(typeof event.next).toBe('string');
    }
  });
});
