import { RequestLogEntry } from '../src';
import {
  call,
  CREATE_CUSTOMER_PATH,
  customerPayload,
  d365Token,
  keyVaultToken,
  startTestEmulator,
  useEmulator,
  stillPendingAfter,
  waitFor,
  restoreDefaults,
} from './support/emulator';

/** The log's entries as the control API sends them (JSON of the emulator's own type). */
type Entry = RequestLogEntry;

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const emulator = useEmulator();
let token: string;

beforeAll(async () => {
  token = await d365Token(emulator);
});

beforeEach(async () => {
  await restoreDefaults(emulator);
  expect((await call(emulator, 'POST', '/_emulator/stats/reset')).status).toBe(204);
});

const requests = async (query = ''): Promise<Entry[]> => {
  const answer = await call<{ value: Entry[]; dropped: number }>(
    emulator,
    'GET',
    `/_emulator/requests${query}`,
  );
  expect(answer.status).toBe(200);
  return answer.body.value;
};

const createCustomer = (signal?: AbortSignal) =>
  call(emulator, 'POST', CREATE_CUSTOMER_PATH, { token, body: customerPayload(), signal });

describe('request log', () => {
  it('records token, Key Vault and D365 requests in arrival order, without bodies, tokens or query values', async () => {
    const vaultToken = await keyVaultToken(emulator);
    const secret = await call(emulator, 'GET', `/secrets/${emulator.secretName}?api-version=7.5`, {
      token: vaultToken,
    });
    expect(secret.status).toBe(200);
    expect((await createCustomer()).status).toBe(200);
    const email = 'abc1234@gmail.com';
    const query = await call(
      emulator,
      'GET',
      `/data/CustomersV3?cross-company=true&$filter=PrimaryContactEmail eq '${encodeURIComponent(email)}'`,
      { token },
    );
    expect(query.status).toBe(200);
    await call(emulator, 'GET', '/_emulator/stats'); // control calls are not logged

    const log = await requests();
    expect(log.map((e) => [e.service, e.method, e.endpoint, e.status])).toEqual([
      ['token', 'POST', 'tokenV1', 200],
      ['keyvault', 'GET', 'getSecret', 200],
      ['d365', 'POST', 'customService', 200],
      ['d365', 'GET', 'odataQuery', 200],
    ]);
    expect(log[0]?.path).toBe(`/${emulator.tenantId}/oauth2/token`);
    expect(log[1]?.path).toBe(`/secrets/${emulator.secretName}?api-version`);
    expect(log[2]?.path).toBe(CREATE_CUSTOMER_PATH);
    expect(log[3]?.path).toBe('/data/CustomersV3?cross-company&$filter');
    for (const entry of log) {
      expect(Object.keys(entry).sort()).toEqual(
        [
          'at',
          'atMs',
          'answeredAt',
          'service',
          'method',
          'path',
          'endpoint',
          'status',
          'retryAfter',
          'fault',
          'throttled',
          'durationMs',
        ].sort(),
      );
      expect(entry.at).toMatch(ISO_MS);
      expect(entry.answeredAt).toMatch(ISO_MS);
      expect(Date.parse(entry.answeredAt ?? '')).toBeGreaterThanOrEqual(Date.parse(entry.at));
      expect(entry).toMatchObject({
        retryAfter: null,
        fault: null,
        throttled: false,
        durationMs: expect.any(Number),
      });
    }
    for (let i = 1; i < log.length; i += 1) {
      expect(Date.parse(log[i]?.at ?? '')).toBeGreaterThanOrEqual(Date.parse(log[i - 1]?.at ?? ''));
    }

    const text = JSON.stringify(log);
    for (const secretText of [
      token,
      vaultToken,
      emulator.currentClientSecret(),
      'abc1234',
      'gmail',
      'Trump',
    ]) {
      expect(text).not.toContain(secretText);
    }
  });

  it('filters by service and endpoint (comma lists) and rejects unknown names', async () => {
    expect((await createCustomer()).status).toBe(200);
    await call(emulator, 'GET', '/data/CustomersV3?$top=1', { token });
    await keyVaultToken(emulator);

    expect((await requests('?service=d365')).map((e) => e.endpoint)).toEqual(['customService', 'odataQuery']);
    expect((await requests('?service=token')).map((e) => e.endpoint)).toEqual(['tokenV1']);
    expect((await requests('?service=d365,token')).map((e) => e.service)).toEqual(['d365', 'd365', 'token']);
    expect((await requests('?endpoint=odataQuery')).map((e) => e.path)).toEqual(['/data/CustomersV3?$top']);
    expect((await call(emulator, 'GET', '/_emulator/requests?service=crm')).status).toBe(400);
    expect((await call(emulator, 'GET', '/_emulator/requests?endpoint=delete')).status).toBe(400);
    expect(emulator.requests({ service: 'd365', endpoint: 'customService' })).toHaveLength(1);
    expect(() => emulator.requests({ service: 'crm' })).toThrow(
      expect.objectContaining({ name: 'UnknownFilterValueError', parameter: 'service', value: 'crm' }),
    );
  });

  it('marks fault answers with the rule id and throttle-model 429s as throttled', async () => {
    const rule = (
      await call<{ id: string }>(emulator, 'POST', '/_emulator/faults', {
        body: { service: 'd365', status: 429, retryAfter: 2, count: 1 },
      })
    ).body;
    expect((await createCustomer()).status).toBe(429);

    await call(emulator, 'PATCH', '/_emulator/settings', {
      body: { throttle: { concurrency: 1 }, latencyMs: 2000 },
    });
    const slow = createCustomer();
    await waitFor(
      async () =>
        ((await call<{ d365: { inFlight: number } }>(emulator, 'GET', '/_emulator/stats')).body.d365
          .inFlight ?? 0) >= 1,
      'the slow request to hold the only slot',
    );
    const throttled = await createCustomer();
    expect(throttled.status).toBe(429);
    expect((await slow).status).toBe(200);

    const log = await requests('?service=d365');
    expect(log.map((e) => [e.status, e.fault, e.throttled])).toEqual([
      [429, rule.id, false],
      [200, null, false],
      [429, null, true],
    ]);
    expect(log[0]?.retryAfter).toBe(2);
    expect(log[2]?.retryAfter).toBe(Number(throttled.headers.get('retry-after')));
    expect(log[2]?.retryAfter).toBeGreaterThanOrEqual(1);
  });

  it('records the arrival and the answer separately: a delayed answer shows in answeredAt and durationMs', async () => {
    await call(emulator, 'POST', '/_emulator/faults', {
      body: { service: 'd365', latencyMs: 400, count: 1 },
    });
    expect((await createCustomer()).status).toBe(200);
    const [entry] = await requests('?service=d365');
    expect(Date.parse(entry?.answeredAt ?? '') - Date.parse(entry?.at ?? '')).toBeGreaterThanOrEqual(390);
    expect(entry?.durationMs).toBeGreaterThanOrEqual(390);
  });

  it('logs calls made one after the other as one after the other, even within a millisecond (atMs, durationMs)', async () => {
    // A client that sends each call as soon as the last one answered (a gate slot handed on): an
    // audit counting calls in flight from the log must never see two of these at once.
    for (let i = 0; i < 30; i += 1) {
      const query = await call(emulator, 'GET', `/data/CustomersV3?cross-company=true&$top=1`, { token });
      expect(query.status).toBe(200);
    }
    const log = await requests('?service=d365');
    expect(log).toHaveLength(30);
    for (const [i, entry] of log.entries()) {
      // The same clock as `at` (a loaded machine may take a while between arrival and logging).
      expect(Math.abs(entry.atMs - Date.parse(entry.at))).toBeLessThan(1_000);
      const next = log[i + 1];
      if (next) expect(next.atMs).toBeGreaterThanOrEqual(entry.atMs + (entry.durationMs ?? Infinity) - 0.1);
    }
  });

  it('lets a test prove that no D365 call came earlier than Retry-After allowed', async () => {
    await call(emulator, 'POST', '/_emulator/faults', {
      body: { service: 'd365', status: 429, retryAfter: 1, count: 1 },
    });
    const first = await createCustomer();
    expect(first.status).toBe(429);
    const wait = Number(first.headers.get('retry-after')) * 1000;
    // A margin: timers may fire a millisecond early, and the check below is exact.
    await new Promise((resolve) => setTimeout(resolve, wait + 20));
    expect((await createCustomer()).status).toBe(200);

    // The check an app test makes: every request after a 429 came no earlier than its Retry-After allowed.
    const log = await requests('?service=d365');
    expect(log.map((e) => e.status)).toEqual([429, 200]);
    log.forEach((answer, i) => {
      if (answer.status !== 429 || answer.retryAfter === null) return;
      const allowedFrom = Date.parse(answer.answeredAt ?? '') + answer.retryAfter * 1000;
      for (const later of log.slice(i + 1)) expect(Date.parse(later.at)).toBeGreaterThanOrEqual(allowedFrom);
    });
  });

  it('shows a hung request as pending (status, answeredAt, durationMs null) until the client gives up', async () => {
    await call(emulator, 'POST', '/_emulator/faults', { body: { service: 'd365', hang: true, count: 1 } });
    const controller = new AbortController();
    const hung = createCustomer(controller.signal).catch((e: unknown) => e);
    const [pending] = await waitFor(async () => {
      const log = await requests('?service=d365');
      return log.length > 0 && log;
    }, 'the hung request in the log');
    expect(pending).toMatchObject({
      status: null,
      answeredAt: null,
      durationMs: null,
      fault: expect.any(String),
    });
    expect(await stillPendingAfter(hung, 50)).toBe('pending');

    controller.abort();
    await hung;
    const [closed] = await waitFor(async () => {
      const log = await requests('?service=d365');
      return log[0]?.durationMs !== null && log;
    }, 'the closed connection to be recorded');
    expect(closed).toMatchObject({ status: null, answeredAt: null, durationMs: expect.any(Number) });
  });

  it('is cleared by POST /_emulator/reset, POST /_emulator/stats/reset and DELETE /_emulator/requests', async () => {
    for (const [method, path] of [
      ['POST', '/_emulator/reset'],
      ['POST', '/_emulator/stats/reset'],
      ['DELETE', '/_emulator/requests'],
    ] as const) {
      expect((await createCustomer()).status).toBe(200);
      expect(await requests()).not.toEqual([]);
      expect((await call(emulator, method, path)).status).toBe(204);
      expect(await requests()).toEqual([]);
    }
    expect((await call(emulator, 'PUT', '/_emulator/requests')).status).toBe(405);
  });
});

describe('request log bound', () => {
  it('keeps the newest entries only and says how many were dropped', async () => {
    const small = await startTestEmulator({ requestLogLimit: 3 });
    try {
      const smallToken = await d365Token(small);
      for (let i = 0; i < 4; i += 1) {
        await call(small, 'GET', `/data/CustomersV3?$top=${i + 1}`, { token: smallToken });
      }
      const answer = await call<{ value: Entry[]; dropped: number }>(small, 'GET', '/_emulator/requests');
      expect(answer.body.value.map((e) => e.endpoint)).toEqual(['odataQuery', 'odataQuery', 'odataQuery']);
      expect(answer.body.dropped).toBe(2);
    } finally {
      await small.stop();
    }
  });
});
