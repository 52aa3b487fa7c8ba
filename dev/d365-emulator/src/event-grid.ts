import { randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { parseJson, RequestContext, sendEmpty, sendJson } from './http';
import type { Delivery } from './shops/shop-webhooks';

/**
 * An emulated Azure Event Grid custom topic with one webhook event subscription (issue 29: F&O's
 * endpoint type "Azure Event Grid" publishes business events to a topic; the topic pushes them to the
 * Functions app's Event Grid trigger). As strict as the service where the app can tell:
 *
 * - Publish: `POST /eventgrid/api/events` (the topic endpoint, `…/api/events?api-version=2018-01-01`)
 *   with the access key in `aeg-sas-key` (401 without it or with another), a JSON **array** of events
 *   in the Event Grid schema, each with `id`, `subject`, `eventType` and `eventTime` (400 naming the
 *   missing one), `topic` absent or the topic's own, the array at most 1 MB (413); 200 with no body.
 *   The topic stamps `topic` and `metadataVersion` "1" (`dataVersion` "" when absent)
 *   (https://learn.microsoft.com/azure/event-grid/post-to-custom-topic,
 *   https://learn.microsoft.com/azure/event-grid/event-schema).
 * - Subscribe: creating the webhook subscription first posts a `SubscriptionValidationEvent`
 *   (`aeg-event-type: SubscriptionValidation`, `data.validationCode`); the endpoint must answer 200
 *   with `{"validationResponse": <code>}`, else the subscription fails and gets nothing
 *   (https://learn.microsoft.com/azure/event-grid/webhook-event-delivery).
 * - Deliver: each event alone (an array of one), `aeg-event-type: Notification`,
 *   `aeg-subscription-name`, `aeg-delivery-count` (0 first), `aeg-data-version`,
 *   `aeg-metadata-version`; a 2xx within 30 s is delivered; 400, 401, 403 and 413 are not retried
 *   (dropped: no dead-letter here); anything else is retried with back-off until the subscription's
 *   maximum delivery attempts (30 by default). The schedule is Event Grid's (10 s, 30 s, 1 min, 5 min,
 *   10 min, 30 min, 1 h, …) unless the control API compresses it (`retryDelaysMs`); order is not kept
 *   (https://learn.microsoft.com/azure/event-grid/delivery-and-retry).
 *
 * Control API: `PUT /_emulator/event-grid` `{key, subscription: {endpoint, name?, retryDelaysMs?,
 * maxDeliveryAttempts?} | null}` (answers 400 when the validation handshake fails); `GET` reports the
 * topic, the subscription and every event published with its deliveries.
 */
export const EVENT_GRID_PUBLISH_PATH = '/eventgrid/api/events';
export const TOPIC_RESOURCE_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/emulator/providers/Microsoft.EventGrid/topics/fo-events';
/** Event Grid's retry schedule (delivery-and-retry), after the first attempt. */
export const EVENT_GRID_RETRY_DELAYS_MS = [10_000, 30_000, 60_000, 300_000, 600_000, 1_800_000, 3_600_000];
const RESPONSE_TIMEOUT_MS = 30_000;
const NOT_RETRIED = new Set(['400', '401', '403', '413']);

const controlSchema = z.strictObject({
  key: z.string().min(1),
  subscription: z
    .strictObject({
      endpoint: z.url({ protocol: /^https?$/ }),
      name: z
        .string()
        .regex(/^[A-Za-z0-9-]{3,64}$/)
        .default('fo-events-to-function'),
      retryDelaysMs: z.array(z.number().int().min(0).max(3_600_000)).max(30).optional(),
      maxDeliveryAttempts: z.number().int().min(1).max(30).default(30),
    })
    .nullable(),
});

interface Subscription {
  name: string;
  endpoint: string;
  retryDelaysMs: number[];
  maxDeliveryAttempts: number;
}

export interface PublishedEvent {
  id: string;
  eventType: string;
  deliveries: Delivery[];
}

export interface EventGridTopicState {
  key: string | null;
  subscription: Subscription | null;
  published: PublishedEvent[];
}

export const createEventGridTopicState = (): EventGridTopicState => ({
  key: null,
  subscription: null,
  published: [],
});

type Answer = { status: number; error?: { code: string; message: string } };

const sameKey = (given: string, expected: string): boolean => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

function invalidEvent(event: unknown, index: number): string | undefined {
  if (typeof event !== 'object' || event === null || Array.isArray(event))
    return `Event ${index} must be an object.`;
  const fields = event as Record<string, unknown>;
  for (const name of ['id', 'subject', 'eventType', 'eventTime']) {
    if (typeof fields[name] !== 'string' || (name !== 'subject' && fields[name] === '')) {
      return `Required property '${name}' was not set (event ${index}).`;
    }
  }
  if (Number.isNaN(Date.parse(String(fields.eventTime))))
    return `Property 'eventTime' is not a valid time (event ${index}).`;
  if (fields.topic !== undefined && fields.topic !== TOPIC_RESOURCE_ID) {
    return `Property 'topic' must be absent or the topic's resource ID (event ${index}).`;
  }
  return undefined;
}

async function attempt(
  subscription: Subscription,
  event: Record<string, unknown>,
  count: number,
): Promise<string> {
  try {
    const answer = await fetch(subscription.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'aeg-event-type': 'Notification',
        'aeg-subscription-name': subscription.name.toUpperCase(),
        'aeg-delivery-count': String(count),
        'aeg-data-version': String(event.dataVersion ?? ''),
        'aeg-metadata-version': '1',
      },
      body: JSON.stringify([event]),
      signal: AbortSignal.timeout(RESPONSE_TIMEOUT_MS),
      redirect: 'manual',
    });
    await answer.arrayBuffer().catch(() => undefined);
    return String(answer.status);
  } catch (error) {
    return error instanceof Error ? error.name : 'Error';
  }
}

/** Pushes one event to the subscription in the background, retrying as Event Grid does; never throws. */
function push(
  subscription: Subscription,
  event: Record<string, unknown>,
  log: Delivery[],
  customerId: string,
): void {
  const delivery: Delivery = {
    id: randomUUID(),
    topic: String(event.eventType),
    address: subscription.endpoint,
    customerId,
    cause: 'merchant',
    attempts: 0,
    lastResult: 'pending',
    delivered: false,
    settled: false,
    createdAt: new Date().toISOString(),
  };
  log.push(delivery);
  void (async () => {
    for (;;) {
      delivery.lastResult = await attempt(subscription, event, delivery.attempts);
      delivery.attempts += 1;
      delivery.delivered = /^2\d\d$/.test(delivery.lastResult);
      const wait =
        subscription.retryDelaysMs[Math.min(delivery.attempts - 1, subscription.retryDelaysMs.length - 1)];
      const giveUp =
        NOT_RETRIED.has(delivery.lastResult) ||
        delivery.attempts >= subscription.maxDeliveryAttempts ||
        wait === undefined;
      if (delivery.delivered || giveUp) break;
      await new Promise((resolve) => setTimeout(resolve, wait).unref());
    }
    delivery.settled = true;
  })();
}

/**
 * Publishes events to the topic as `POST /api/events` does (also what F&O's Event Grid endpoint calls,
 * in-process: the same checks). `customerId` labels the deliveries for the control API.
 */
export function publishEvents(
  topic: EventGridTopicState,
  sasKey: string | undefined,
  body: unknown,
  customerId = '',
): Answer & { deliveries?: Delivery[] } {
  if (topic.key === null)
    return { status: 404, error: { code: 'NotFound', message: 'No topic is configured.' } };
  if (sasKey === undefined || !sameKey(sasKey, topic.key)) {
    return {
      status: 401,
      error: {
        code: 'Unauthorized',
        message: 'The request authorization key is not authorized for this topic.',
      },
    };
  }
  if (!Array.isArray(body)) {
    return {
      status: 400,
      error: { code: 'BadRequest', message: 'The request body must be a JSON array of events.' },
    };
  }
  for (const [index, event] of body.entries()) {
    const problem = invalidEvent(event, index);
    if (problem) return { status: 400, error: { code: 'BadRequest', message: problem } };
  }
  const deliveries: Delivery[] = [];
  for (const event of body as Record<string, unknown>[]) {
    const stamped = {
      ...event,
      topic: TOPIC_RESOURCE_ID,
      dataVersion: event.dataVersion ?? '',
      metadataVersion: '1',
    };
    const published: PublishedEvent = {
      id: String(event.id),
      eventType: String(event.eventType),
      deliveries: [],
    };
    topic.published.push(published);
    if (topic.subscription) push(topic.subscription, stamped, published.deliveries, customerId);
    deliveries.push(...published.deliveries);
  }
  return { status: 200, deliveries };
}

/** `POST /eventgrid/api/events`. */
export function handleTopicPublish(topic: EventGridTopicState, ctx: RequestContext): void {
  if (ctx.method !== 'POST') {
    sendJson(ctx.res, 405, { error: { code: 'MethodNotAllowed', message: 'Use POST.' } }, { Allow: 'POST' });
    return;
  }
  const header = ctx.req.headers['aeg-sas-key'];
  const parsed = parseJson(ctx.body);
  const answer = parsed.ok
    ? publishEvents(topic, Array.isArray(header) ? header[0] : header, parsed.value)
    : {
        status: 400,
        error: { code: 'BadRequest', message: `The request body is not JSON: ${parsed.error}` },
      };
  if (answer.error) sendJson(ctx.res, answer.status, { error: answer.error });
  else sendEmpty(ctx.res, 200);
}

/** The subscription validation handshake; undefined when it succeeded, else why it failed. */
async function validate(subscription: Subscription): Promise<string | undefined> {
  const code = randomUUID().toUpperCase();
  const event = {
    id: randomUUID(),
    topic: TOPIC_RESOURCE_ID,
    subject: '',
    data: { validationCode: code, validationUrl: '' },
    eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
    eventTime: new Date().toISOString(),
    metadataVersion: '1',
    dataVersion: '2',
  };
  try {
    const answer = await fetch(subscription.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'aeg-event-type': 'SubscriptionValidation',
      },
      body: JSON.stringify([event]),
      signal: AbortSignal.timeout(RESPONSE_TIMEOUT_MS),
      redirect: 'manual',
    });
    const text = await answer.text();
    if (answer.status !== 200) return `Http POST request failed with response code ${answer.status}`;
    const parsed = parseJson(Buffer.from(text));
    const response = parsed.ok
      ? (parsed.value as { validationResponse?: unknown } | null)?.validationResponse
      : undefined;
    return response === code ? undefined : 'the response did not carry the validation code';
  } catch (error) {
    return `Http POST request failed: ${error instanceof Error ? error.name : 'Error'}`;
  }
}

/** `GET|PUT /_emulator/event-grid`. */
export async function handleEventGridControl(topic: EventGridTopicState, ctx: RequestContext): Promise<void> {
  if (ctx.method === 'GET') {
    sendJson(ctx.res, 200, {
      configured: topic.key !== null,
      subscription: topic.subscription,
      published: topic.published,
    });
    return;
  }
  if (ctx.method !== 'PUT') {
    sendJson(ctx.res, 405, { error: 'Use GET, PUT.' }, { Allow: 'GET, PUT' });
    return;
  }
  const parsed = parseJson(ctx.body);
  const settings = parsed.ok ? controlSchema.safeParse(parsed.value) : undefined;
  if (!settings?.success) {
    sendJson(ctx.res, 400, {
      error: `Invalid Event Grid settings: ${parsed.ok ? (settings?.error.message ?? '') : parsed.error}`,
    });
    return;
  }
  topic.key = settings.data.key;
  const wanted = settings.data.subscription;
  const subscription: Subscription | null = wanted && {
    name: wanted.name,
    endpoint: wanted.endpoint,
    retryDelaysMs: wanted.retryDelaysMs ?? EVENT_GRID_RETRY_DELAYS_MS,
    maxDeliveryAttempts: wanted.maxDeliveryAttempts,
  };
  const failure = subscription ? await validate(subscription) : undefined;
  if (failure) {
    topic.subscription = null;
    sendJson(ctx.res, 400, {
      error: `Webhook validation handshake failed for ${subscription!.endpoint.replace(/\?.*$/, '')}: ${failure}.`,
    });
    return;
  }
  topic.subscription = subscription;
  sendJson(ctx.res, 200, { configured: true, subscription: topic.subscription });
}
