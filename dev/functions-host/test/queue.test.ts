import {
  FixtureEvent,
  FixtureHost,
  queueState,
  sendBase64,
  sleep,
  startFixtureHost,
  Storage,
  useStorage,
  waitFor,
} from './host-test-kit';

/**
 * Storage queue triggers against Azurite, with the fixture's host.json:
 * maxPollingInterval 1 s, visibilityTimeout 2 s, batchSize 4, newBatchThreshold 2, maxDequeueCount 3.
 */
describe('local host: queue triggers', () => {
  let storage: Storage;
  let host: FixtureHost;
  const extraHosts: FixtureHost[] = [];

  beforeAll(async () => {
    storage = await useStorage();
    host = await startFixtureHost(storage);
  });

  afterAll(async () => {
    await Promise.all([host, ...extraHosts].map((h) => h?.stop()));
    await storage?.stop();
  });

  const eventsFor = (h: FixtureHost, messageId: string, type = 'queue'): FixtureEvent[] =>
    h
      .events(type)
      .filter((e) => (e.metadata as { id?: string } | undefined)?.id === messageId || e.id === messageId);

  it('passes a JSON message as the parsed object with its trigger metadata, and deletes it on success', async () => {
    const payload = { customer: 'C-1', lines: [1, 2, 3] };
    const sent = await host.queue.sendMessage(Buffer.from(JSON.stringify(payload)).toString('base64'));
    await waitFor(
      () => eventsFor(host, sent.messageId, 'queue-done').length > 0,
      'the message to be processed',
    );
    const [event] = eventsFor(host, sent.messageId);
    expect(event).toMatchObject({ messageType: 'object', message: payload });
    const metadata = event?.metadata as Record<string, unknown>;
    const dateTimeOffset = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/;
    expect(metadata).toMatchObject({
      id: sent.messageId,
      dequeueCount: 1,
      queueTrigger: payload,
      popReceipt: expect.any(String),
      insertionTime: expect.stringMatching(dateTimeOffset),
      expirationTime: expect.stringMatching(dateTimeOffset),
      nextVisibleTime: expect.stringMatching(dateTimeOffset),
    });
    expect(Date.parse(metadata.insertionTime as string)).toBe(sent.insertedOn.getTime());
    expect(Date.parse(metadata.expirationTime as string)).toBe(sent.expiresOn.getTime());
    await waitFor(async () => (await queueState(host.queue)).count === 0, 'the message to be deleted');
  });

  it('passes a message that is not JSON as a string', async () => {
    const id = await sendBase64(host.queue, 'just some text');
    await waitFor(() => eventsFor(host, id, 'queue-done').length > 0, 'the message to be processed');
    expect(eventsFor(host, id)[0]).toMatchObject({ messageType: 'string', message: 'just some text' });
  });

  it('makes a failed message visible again after visibilityTimeout, with dequeueCount increasing', async () => {
    const id = await sendBase64(host.queue, JSON.stringify({ failUntilDequeueCount: 1 }));
    await waitFor(() => eventsFor(host, id, 'queue-done').length > 0, 'the retry to succeed');
    const attempts = eventsFor(host, id);
    expect(attempts.map((e) => (e.metadata as { dequeueCount: number }).dequeueCount)).toEqual([1, 2]);
    // Not redelivered before the 2 s visibility timeout (an immediate release would come back within ~1 s).
    expect((attempts[1] as FixtureEvent).at - (attempts[0] as FixtureEvent).at).toBeGreaterThanOrEqual(1900);
    await waitFor(async () => (await queueState(host.queue)).count === 0, 'the message to be deleted');
    expect((await queueState(host.poisonQueue)).count).toBe(0);
  });

  it('moves a message that failed maxDequeueCount times to <queue>-poison, unchanged', async () => {
    const text = JSON.stringify({ failUntilDequeueCount: 99, note: 'always fails' });
    const id = await sendBase64(host.queue, text);
    const poisoned = await waitFor(async () => {
      const state = await queueState(host.poisonQueue);
      return state.texts.length > 0 ? state.texts : undefined;
    }, 'the poison queue to receive the message');
    expect(poisoned).toEqual([Buffer.from(text).toString('base64')]);
    expect(eventsFor(host, id).map((e) => (e.metadata as { dequeueCount: number }).dequeueCount)).toEqual([
      1, 2, 3,
    ]);
    await waitFor(async () => (await queueState(host.queue)).count === 0, 'the message to leave the queue');
    await sleep(3000);
    expect(eventsFor(host, id)).toHaveLength(3);
    expect(
      host.lines.some((l) =>
        l.includes(
          `Message has reached MaxDequeueCount of 3. Moving message to queue '${host.poisonQueue.name}'.`,
        ),
      ),
    ).toBe(true);
    await host.poisonQueue.clearMessages();
  });

  it('moves a message that is not valid base64 straight to the poison queue, without running the function', async () => {
    const before = host.events('queue').length;
    await host.queue.sendMessage('this is {not} base64!');
    const poisoned = await waitFor(async () => {
      const state = await queueState(host.poisonQueue);
      return state.texts.length > 0 ? state.texts : undefined;
    }, 'the poison queue to receive the message');
    expect(poisoned).toEqual(['this is {not} base64!']);
    expect(host.events('queue')).toHaveLength(before);
    // The host writes its log lines in batches (DEV_HOST_LOG_BATCH_MS):
    // the warning is logged before the move, but may reach stdout just after it.
    await waitFor(
      () =>
        host.lines.some((l) => l.includes('Message decoding has failed! Check MessageEncoding settings.')),
      'the decoding failure to be logged',
    );
    await host.poisonQueue.clearMessages();
  });

  it('with messageEncoding "none" (set through AzureFunctionsJobHost__ settings) passes the raw text', async () => {
    const raw = await startFixtureHost(storage, {
      env: { AzureFunctionsJobHost__extensions__queues__messageEncoding: 'none' },
    });
    extraHosts.push(raw);
    const sent = await raw.queue.sendMessage('{"plain":true}');
    await waitFor(
      () => eventsFor(raw, sent.messageId, 'queue-done').length > 0,
      'the message to be processed',
    );
    expect(eventsFor(raw, sent.messageId)[0]).toMatchObject({
      messageType: 'object',
      message: { plain: true },
    });
  });

  it('runs at most batchSize messages at once when newBatchThreshold is 0, fetching the next batch after', async () => {
    const batch = await startFixtureHost(storage, {
      env: {
        AzureFunctionsJobHost__extensions__queues__batchSize: '3',
        AzureFunctionsJobHost__extensions__queues__newBatchThreshold: '0',
      },
    });
    extraHosts.push(batch);
    const ids = await Promise.all(
      Array.from({ length: 7 }, () => sendBase64(batch.queue, JSON.stringify({ sleepMs: 1500 }))),
    );
    await waitFor(() => batch.events('queue-done').length === 7, 'all 7 messages', 40_000);
    const running = batch.events('queue').map((e) => e.running as number);
    expect(Math.max(...running)).toBe(3);
    expect(new Set(batch.events('queue').map((e) => (e.metadata as { id: string }).id))).toEqual(
      new Set(ids),
    );
  });

  it('runs up to batchSize + newBatchThreshold messages at once by default settings of the fixture (4 + 2)', async () => {
    const ids = await Promise.all(
      Array.from({ length: 12 }, () => sendBase64(host.queue, JSON.stringify({ sleepMs: 2000 }))),
    );
    await waitFor(
      () => ids.every((id) => eventsFor(host, id, 'queue-done').length > 0),
      'all 12 messages',
      40_000,
    );
    const running = ids.flatMap((id) => eventsFor(host, id)).map((e) => e.running as number);
    expect(Math.max(...running)).toBeLessThanOrEqual(6);
    expect(Math.max(...running)).toBeGreaterThanOrEqual(4);
  });

  it('keeps polling while idle and picks up a new message within maxPollingInterval', async () => {
    await sleep(4000); // idle: the polling delay has backed off to maxPollingInterval (1 s)
    const sentAt = Date.now();
    const id = await sendBase64(host.queue, '"after idle"');
    await waitFor(() => eventsFor(host, id).length > 0, 'the message after idle', 10_000);
    const first = eventsFor(host, id)[0] as FixtureEvent;
    expect(first.at - sentAt).toBeLessThan(1000 + 2500);
    // Once messages flow again the delay is reset: a burst right after is picked up promptly too.
    const burst = await Promise.all([1, 2, 3].map((n) => sendBase64(host.queue, `"burst ${n}"`)));
    await waitFor(() => burst.every((b) => eventsFor(host, b, 'queue-done').length > 0), 'the burst', 10_000);
  });

  it('keeps a long-running message invisible by renewing its visibility (no redelivery while it runs)', async () => {
    // A 3 s lease renewed every 1.5 s, for a function that runs 7 s.
    const lease = await startFixtureHost(storage, { env: { DEV_HOST_QUEUE_LEASE_SECONDS: '3' } });
    extraHosts.push(lease);
    const id = await sendBase64(lease.queue, JSON.stringify({ sleepMs: 7000 }));
    await waitFor(() => eventsFor(lease, id, 'queue-done').length > 0, 'the long message', 20_000);
    expect(eventsFor(lease, id)).toHaveLength(1);
    await waitFor(async () => (await queueState(lease.queue)).count === 0, 'the message to be deleted');
  });

  it('writes queue output bindings (base64) and triggers the queue function promptly', async () => {
    const response = await fetch(`${host.url}/api/enqueue`, {
      method: 'POST',
      body: JSON.stringify({ from: 'http' }),
    });
    expect(response.status).toBe(202);
    const event = await waitFor(
      () => host.events('queue').find((e) => JSON.stringify(e.message) === '{"from":"http"}'),
      'the queued message to be processed',
      10_000,
    );
    expect(event.messageType).toBe('object');
  });
});
