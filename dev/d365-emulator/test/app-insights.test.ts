import { deflateSync, gzipSync } from 'node:zlib';
import { call, startTestEmulator, useEmulator } from './support/emulator';

/** The Application Insights ingestion ("Breeze") and Live Metrics endpoints, spoken to directly. */
const IKEY = '00000000-0000-0000-0000-000000000000';

const emulator = useEmulator();

beforeEach(async () => {
  expect((await call(emulator, 'DELETE', '/_emulator/telemetry')).status).toBe(204);
});

function envelope(name: string, properties: Record<string, string> = {}): Record<string, unknown> {
  return {
    ver: 1,
    name: 'Microsoft.ApplicationInsights.Event',
    time: new Date().toISOString(),
    sampleRate: 100,
    iKey: IKEY,
    tags: { 'ai.cloud.role': 'test' },
    data: { baseType: 'EventData', baseData: { ver: 2, name, properties, measurements: {} } },
  };
}

const metric = (): Record<string, unknown> => ({
  ...envelope('unused'),
  name: 'Microsoft.ApplicationInsights.Metric',
  data: { baseType: 'MetricData', baseData: { ver: 2, metrics: [{ name: 'm', value: 1, count: 1 }] } },
});

async function track(
  body: string | Buffer,
  headers: Record<string, string> = {},
  path = '/v2.1/track',
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${emulator.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const captured = async (query = ''): Promise<Record<string, unknown>[]> =>
  (await call<{ value: Record<string, unknown>[] }>(emulator, 'GET', `/_emulator/telemetry${query}`)).body
    .value;

const eventNames = (items: Record<string, unknown>[]): unknown[] =>
  items.map((item) => (item.data as { baseData: { name?: string } }).baseData.name);

describe('Application Insights ingestion', () => {
  it('accepts a JSON array of envelopes on /v2.1/track and keeps them in order', async () => {
    const sent = [envelope('first', { a: 'b' }), envelope('second')];
    const answer = await track(JSON.stringify(sent));
    expect(answer).toEqual({ status: 200, body: { itemsReceived: 2, itemsAccepted: 2, errors: [] } });
    expect(await captured()).toEqual(sent);
  });

  it('accepts /v2/track, gzip and deflate bodies, one bare envelope and newline-delimited JSON', async () => {
    expect((await track(JSON.stringify([envelope('v2')]), {}, '/v2/track')).status).toBe(200);
    expect(
      (await track(gzipSync(JSON.stringify([envelope('gzipped')])), { 'Content-Encoding': 'gzip' })).body,
    ).toEqual({ itemsReceived: 1, itemsAccepted: 1, errors: [] });
    expect(
      (await track(deflateSync(JSON.stringify([envelope('deflated')])), { 'Content-Encoding': 'deflate' }))
        .status,
    ).toBe(200);
    expect((await track(JSON.stringify(envelope('bare')))).body.itemsAccepted).toBe(1);
    const ndjson = `${JSON.stringify(envelope('line1'))}\n${JSON.stringify(envelope('line2'))}\n`;
    expect((await track(ndjson, { 'Content-Type': 'application/x-json-stream' })).body).toEqual({
      itemsReceived: 2,
      itemsAccepted: 2,
      errors: [],
    });
    expect(eventNames(await captured())).toEqual(['v2', 'gzipped', 'deflated', 'bare', 'line1', 'line2']);
  });

  it('answers 206 with an error per rejected item, 400 when nothing is accepted or the body is not JSON', async () => {
    const withoutTime = { ...envelope('no time') };
    delete withoutTime.time;
    const partial = await track(
      JSON.stringify([envelope('ok'), withoutTime, { ...envelope('bad key'), iKey: 'x' }]),
    );
    expect(partial.status).toBe(206);
    expect(partial.body).toEqual({
      itemsReceived: 3,
      itemsAccepted: 1,
      errors: [
        { index: 1, statusCode: 400, message: expect.stringContaining("'time'") },
        { index: 2, statusCode: 400, message: 'Invalid instrumentation key' },
      ],
    });

    const none = await track(JSON.stringify([{ hello: 'world' }]));
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({ itemsReceived: 1, itemsAccepted: 0 });

    const broken = await track('[{"name": ');
    expect(broken.status).toBe(400);
    expect(broken.body).toMatchObject({ itemsReceived: 0, itemsAccepted: 0, errors: [{ statusCode: 400 }] });

    const badGzip = await track('not gzip', { 'Content-Encoding': 'gzip' });
    expect(badGzip.status).toBe(400);
    expect((await track('[]', { 'Content-Encoding': 'br' })).status).toBe(415);

    // Everything that parsed is kept, accepted or not: the capture shows what left the app.
    expect(await captured()).toHaveLength(4);
  });

  it('filters by baseType, clears with DELETE, and survives POST /_emulator/reset', async () => {
    await track(JSON.stringify([envelope('event'), metric()]));
    expect(eventNames(await captured('?baseType=EventData'))).toEqual(['event']);
    expect(await captured('?baseType=MetricData')).toHaveLength(1);
    expect(await captured('?baseType=EventData,MetricData')).toHaveLength(2);
    expect(emulator.telemetry({ baseType: 'EventData' })).toHaveLength(1);

    expect((await call(emulator, 'POST', '/_emulator/reset')).status).toBe(204);
    expect(await captured()).toHaveLength(2);

    expect((await call(emulator, 'DELETE', '/_emulator/telemetry')).status).toBe(204);
    expect(await captured()).toEqual([]);
    expect((await call(emulator, 'PUT', '/_emulator/telemetry')).status).toBe(405);
  });

  it('counts ingestion in the stats', async () => {
    await call(emulator, 'POST', '/_emulator/stats/reset');
    await track(JSON.stringify([envelope('a'), envelope('b')]));
    await track(JSON.stringify([envelope('c'), { nope: true }]));
    const stats = (await call<{ appInsights: Record<string, number> }>(emulator, 'GET', '/_emulator/stats'))
      .body;
    expect(stats.appInsights).toEqual({
      trackRequests: 2,
      itemsReceived: 4,
      itemsAccepted: 3,
      liveMetrics: 0,
    });
  });

  it('answers Live Metrics pings and posts as "not subscribed"', async () => {
    for (const operation of ['ping', 'post']) {
      const response = await fetch(
        `${emulator.url}/QuickPulseService.svc/${operation}?api-version=2024-04-01-preview&ikey=${IKEY}`,
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'x-ms-qps-transmission-time': '1' },
          body: JSON.stringify({ Instance: 'vm', StreamId: 'abc' }),
        },
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('x-ms-qps-subscribed')).toBe('false');
      expect(await response.text()).toBe('');
    }
    expect(await captured()).toEqual([]);
  });

  it('rejects other methods on the ingestion paths', async () => {
    const response = await fetch(`${emulator.url}/v2.1/track`);
    expect(response.status).toBe(405);
  });
});

describe('telemetry bound', () => {
  it('keeps the newest envelopes only and says how many were dropped', async () => {
    const small = await startTestEmulator({ telemetryLimit: 2 });
    try {
      const response = await fetch(`${small.url}/v2.1/track`, {
        method: 'POST',
        body: JSON.stringify([envelope('1'), envelope('2'), envelope('3')]),
      });
      expect(response.status).toBe(200);
      const answer = await call<{ value: Record<string, unknown>[]; dropped: number }>(
        small,
        'GET',
        '/_emulator/telemetry',
      );
      expect(eventNames(answer.body.value)).toEqual(['2', '3']);
      expect(answer.body.dropped).toBe(1);
    } finally {
      await small.stop();
    }
  });
});
