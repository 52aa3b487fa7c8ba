import { FixtureHost, startFixtureHost, Storage, useStorage, waitFor } from './host-test-kit';

/**
 * The Event Grid extension's webhook as the Functions host serves it (src/event-grid-webhook.ts):
 * `POST /runtime/webhooks/eventgrid?functionName=<name>&code=<eventgrid_extension system key>`.
 */
describe('local host: Event Grid trigger (webhook)', () => {
  let storage: Storage;
  let host: FixtureHost;
  const systemKey = 'grid-system-key-1';
  const webhook = (query: string): string => `${host.url}/runtime/webhooks/eventgrid?${query}`;
  const gridEvent = (id: string, data: Record<string, unknown>) => ({
    id,
    topic: '/subscriptions/0/resourceGroups/rg/providers/Microsoft.EventGrid/topics/fo',
    subject: 'BusinessEvent/CustomersV3',
    eventType: 'Customer',
    eventTime: '2026-12-07T22:00:00Z',
    data,
    dataVersion: '1.0',
    metadataVersion: '1',
  });
  const post = (query: string, eventType: string | undefined, body: unknown, init: RequestInit = {}) =>
    fetch(webhook(query), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(eventType && { 'aeg-event-type': eventType }) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      ...init,
    });

  beforeAll(async () => {
    storage = await useStorage();
    host = await startFixtureHost(storage, {
      env: {
        DEV_FUNCTION_KEY: 'function-key-1',
        DEV_MASTER_KEY: 'master-key-1',
        DEV_SYSTEM_KEYS: JSON.stringify({ eventgrid_extension: systemKey }),
      },
    });
  });

  afterAll(async () => {
    await host?.stop();
    await storage?.stop();
  });

  it('lists the function with its webhook URL', () => {
    expect(host.lines).toContain(
      `  gridWorker: eventGridTrigger http://localhost:${host.port}/runtime/webhooks/eventgrid?functionName=gridWorker`,
    );
  });

  it('takes the eventgrid_extension system key or the master key, and no function key', async () => {
    const validation = [
      {
        ...gridEvent('v-1', { validationCode: 'abc' }),
        eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
      },
    ];
    expect((await post('functionName=gridWorker', 'SubscriptionValidation', validation)).status).toBe(401);
    expect(
      (await post('functionName=gridWorker&code=function-key-1', 'SubscriptionValidation', validation))
        .status,
    ).toBe(401);
    expect(
      (await post('functionName=gridWorker&code=master-key-1', 'SubscriptionValidation', validation)).status,
    ).toBe(200);
    const byHeader = await fetch(webhook('functionName=gridWorker'), {
      method: 'POST',
      headers: { 'aeg-event-type': 'SubscriptionValidation', 'x-functions-key': systemKey },
      body: JSON.stringify(validation),
    });
    expect(byHeader.status).toBe(200);
  });

  it('answers the subscription validation handshake with the validation code', async () => {
    const response = await post(`functionName=gridWorker&code=${systemKey}`, 'SubscriptionValidation', [
      {
        ...gridEvent('v-2', { validationCode: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6' }),
        eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
      },
    ]);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ validationResponse: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6' });
    expect(host.events('grid')).toHaveLength(0);
  });

  it('runs the function once per event of a notification and answers 202', async () => {
    const response = await post(`functionName=gridWorker&code=${systemKey}`, 'Notification', [
      gridEvent('n-1', { n: 1 }),
      gridEvent('n-2', { n: 2 }),
    ]);
    expect(response.status).toBe(202);
    const seen = host.events('grid').filter((e) => String((e.event as { id: string }).id).startsWith('n-'));
    expect(seen.map((e) => (e.event as { id: string }).id).sort()).toEqual(['n-1', 'n-2']);
    expect((seen[0]!.event as { data: unknown }).data).toEqual(
      expect.objectContaining({ n: expect.any(Number) }),
    );
    expect((seen[0]!.metadata as { data: unknown }).data).toEqual((seen[0]!.event as { data: unknown }).data);
  });

  it('answers 500 when a run fails, so Event Grid delivers the request again', async () => {
    const response = await post(`functionName=gridWorker&code=${systemKey}`, 'Notification', [
      gridEvent('f-1', { fail: true }),
      gridEvent('f-2', {}),
    ]);
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('Exception while executing function: Functions.gridWorker');
    // Both ran: the events of one request run together.
    await waitFor(
      () =>
        host.events('grid').filter((e) => String((e.event as { id: string }).id).startsWith('f-')).length ===
        2,
      'both runs',
    );
  });

  it('answers the CloudEvents abuse-protection handshake (OPTIONS) with the allowed origin', async () => {
    const response = await fetch(webhook(`functionName=gridWorker&code=${systemKey}`), {
      method: 'OPTIONS',
      headers: { 'webhook-request-origin': 'eventgrid.azure.net' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('webhook-allowed-origin')).toBe('eventgrid.azure.net');
    const other = await fetch(webhook(`functionName=gridWorker&code=${systemKey}`), {
      method: 'OPTIONS',
      headers: { 'webhook-request-origin': 'example.com' },
    });
    expect(other.headers.get('webhook-allowed-origin')).toBe('eventgrid.azure.net');
  });

  it('takes a CloudEvent (an object alone) as one event', async () => {
    const cloudEvent = { specversion: '1.0', id: 'c-1', source: '/fo', type: 'Customer', data: { n: 3 } };
    const response = await post(`functionName=gridWorker&code=${systemKey}`, 'Notification', cloudEvent, {
      headers: { 'content-type': 'application/cloudevents+json', 'aeg-event-type': 'Notification' },
    });
    expect(response.status).toBe(202);
    expect(host.events('grid').filter((e) => (e.event as { id: string }).id === 'c-1')).toHaveLength(1);
  });

  it('answers an unknown function 404, Unsubscribe 202, no event type 400, another method 405, a body that is not JSON 500', async () => {
    const unknown = await post(`functionName=nope&code=${systemKey}`, 'Notification', []);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe("cannot find function: 'nope'");
    expect((await post(`functionName=gridWorker&code=${systemKey}`, 'Unsubscribe', [])).status).toBe(202);
    expect((await post(`functionName=gridWorker&code=${systemKey}`, undefined, [])).status).toBe(400);
    expect(
      (await fetch(webhook(`functionName=gridWorker&code=${systemKey}`), { method: 'PUT' })).status,
    ).toBe(405);
    expect((await post(`functionName=gridWorker&code=${systemKey}`, 'Notification', 'not json')).status).toBe(
      500,
    );
    expect(host.events('grid').filter((e) => (e.event as { id?: string }).id === undefined)).toHaveLength(0);
  });
});

describe('local host: a disabled Event Grid function', () => {
  let storage: Storage;
  let host: FixtureHost;

  beforeAll(async () => {
    storage = await useStorage();
    host = await startFixtureHost(storage, { env: { 'AzureWebJobs.gridWorker.Disabled': 'true' } });
  });

  afterAll(async () => {
    await host?.stop();
    await storage?.stop();
  });

  it('is listed as disabled and its webhook answers 404, as Azure has no listener for it', async () => {
    expect(
      host.lines.some((l) => l.startsWith('  gridWorker: eventGridTrigger') && l.endsWith('(disabled)')),
    ).toBe(true);
    const response = await fetch(`${host.url}/runtime/webhooks/eventgrid?functionName=gridWorker`, {
      method: 'POST',
      headers: { 'aeg-event-type': 'Notification' },
      body: '[]',
    });
    expect(response.status).toBe(404);
    expect(host.events('grid')).toHaveLength(0);
  });
});
