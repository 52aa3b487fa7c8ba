import { randomUUID } from 'node:crypto';

/**
 * Webhook deliveries from an emulated shop to the app: one POST per subscription and event, retried
 * while the app does not answer 2xx in time. Shopify: 1 s to connect and 5 s in all, then retried
 * (8 times over 4 hours) with the same payload and `X-Shopify-Event-Id`
 * (https://shopify.dev/docs/apps/build/webhooks/best-practices, "Respond quickly" and retries);
 * BigCommerce likewise retries a delivery that did not get a 2xx
 * (https://developer.bigcommerce.com/docs/integrations/webhooks#callback-retry-mechanism). The
 * emulator keeps the timeout and the retrying but compresses the schedule (`retryDelaysMs`).
 */
export interface Delivery {
  id: string;
  topic: string;
  address: string;
  /** The shop's customer the event is about. */
  customerId: string;
  /** Why the shop sent it: `api` (a write through the Admin API, the echo), `merchant` (the control API). */
  cause: 'api' | 'merchant';
  attempts: number;
  /** The last answer's status, or the network error's name. */
  lastResult: string;
  delivered: boolean;
  /** Delivered, or given up after the last retry. */
  settled: boolean;
  createdAt: string;
}

export interface WebhookRequest {
  topic: string;
  address: string;
  customerId: string;
  cause: Delivery['cause'];
  /** Headers for one attempt (Shopify signs each, with a fresh `X-Shopify-Webhook-Id`). */
  headers: () => Record<string, string>;
  body: string;
  /** Wait this long before the first attempt (the shop's own queueing; see ShopifyShop.echoDelayMs). */
  delayMs?: number;
}

export const DELIVERY_TIMEOUT_MS = 5000;
export const DEFAULT_RETRY_DELAYS_MS = [1000, 3000, 10_000];

async function attempt(request: WebhookRequest): Promise<string> {
  try {
    const answer = await fetch(request.address, {
      method: 'POST',
      headers: request.headers(),
      body: request.body,
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      redirect: 'manual',
    });
    await answer.arrayBuffer().catch(() => undefined);
    return String(answer.status);
  } catch (error) {
    return error instanceof Error ? error.name : 'Error';
  }
}

/** Sends the delivery in the background (never throws); `log` keeps the record, updated in place. */
export function deliver(
  request: WebhookRequest,
  retryDelaysMs: readonly number[],
  log: Delivery[],
  onSettled?: (delivery: Delivery) => void,
): Delivery {
  const delivery: Delivery = {
    id: randomUUID(),
    topic: request.topic,
    address: request.address,
    customerId: request.customerId,
    cause: request.cause,
    attempts: 0,
    lastResult: 'pending',
    delivered: false,
    settled: false,
    createdAt: new Date().toISOString(),
  };
  log.push(delivery);
  void (async () => {
    if (request.delayMs) await new Promise((resolve) => setTimeout(resolve, request.delayMs).unref());
    for (let i = 0; ; i += 1) {
      delivery.attempts += 1;
      delivery.lastResult = await attempt(request);
      delivery.delivered = /^2\d\d$/.test(delivery.lastResult);
      const wait = retryDelaysMs[i];
      if (delivery.delivered || wait === undefined) break;
      await new Promise((resolve) => setTimeout(resolve, wait).unref());
    }
    delivery.settled = true;
    onSettled?.(delivery);
  })();
  return delivery;
}

/** Deliveries not yet settled (delivered or given up): tests wait for none to be left. */
export const pendingDeliveries = (log: readonly Delivery[]): number => log.filter((d) => !d.settled).length;
