import type { WebhookSource } from '../../config/webhook-sources';
import { webhookCaller } from '../../config/webhook-sources';
import { backfillEventKey } from '../../domain/backfill';
import { identityOf } from '../../domain/ownership';
import { contractBody, phoneNumber } from '../../domain/webhooks/shop-customer';
import { transient } from '../../domain/failure';
import type { ShopCustomer } from '../../ports';
import type { AcceptDeps } from '../accept-customer';
import { acceptWebhook, WebhookContent, WebhookDelivery, webhookCorrelationId } from '../accept-webhook';

/**
 * One listed shop customer through the webhook intake, as the shop's own `customers/create` would
 * send it: keyed by the source and the shop's customer ID (a rerun, or a webhook after it, is a
 * replay), with the identity the shop vouches for (Shopify's `verifiedEmail`). A Shopify customer
 * is mapped from the page (names, e-mail, phone, addresses with the default first); a BigCommerce
 * one is read again by the worker, as its webhook is. Returns which count it adds to.
 */
/** The request a backfilled customer becomes (the webhook intake's key; undefined: not to be had now). */
export const backfillCorrelationId = (
  accept: AcceptDeps,
  source: string,
  sourceCustomerId: string,
): Promise<string | undefined> => webhookCorrelationId(accept, source, backfillEventKey(sourceCustomerId));

type ShopSource = Extract<WebhookSource, { kind: 'shopify' | 'bigcommerce' }>;

/** The intake's key and topic of a listed customer: a backfill's by default; drift repair's its own. */
export interface SendKey {
  eventKey: string;
  topic: 'backfill' | 'drift-repair';
}

export async function sendCustomer(
  customer: ShopCustomer,
  source: ShopSource,
  kind: 'shopify' | 'bigcommerce',
  accept: AcceptDeps,
  key: SendKey = { eventKey: backfillEventKey(customer.id), topic: 'backfill' },
): Promise<'queued' | 'replayed' | 'unmappable'> {
  const delivery: WebhookDelivery = {
    source: source.name,
    sourceKind: kind,
    topic: key.topic,
    eventKey: key.eventKey,
    sourceCustomerId: customer.id,
    identity: identityOf(webhookCaller(source), customer.verifiedEmail === true),
    // Bulk work: the shop's live webhooks and every other caller's requests go first (fair sharing).
    priority: 'background',
  };
  let result = await acceptWebhook(delivery, contentOf(customer, source, kind), accept);
  if (result.kind === 'invalid') {
    // The shop holds a value our contract refuses (an e-mail D365 would not take): recorded as
    // unmappable, by pointer only, as a webhook's would be.
    const fields = result.errors.map((e) => e.pointer).join(', ');
    const reasons = [`invalid after mapping: ${fields}`];
    result = await acceptWebhook(
      delivery,
      { kind: 'unmappable', legalEntity: source.legalEntity, reasons },
      accept,
    );
  }
  if (result.kind === 'in-progress') return 'replayed';
  if (result.kind !== 'accepted') {
    // Storage unavailable: the page goes again (each customer's key makes that safe).
    throw transient(`backfill intake answered ${result.kind}`);
  }
  if (result.replayed) return 'replayed';
  return result.record.status === 'failed' ? 'unmappable' : 'queued';
}

/**
 * A dry run's answer for one customer, from lookups only: `replayed` when its request exists
 * already, `unmappable` when it cannot be mapped, else `queued` (would be sent).
 */
export async function dryRunOutcome(
  customer: ShopCustomer,
  source: ShopSource,
  kind: 'shopify' | 'bigcommerce',
  accept: AcceptDeps,
): Promise<'queued' | 'replayed' | 'unmappable'> {
  const correlationId = await backfillCorrelationId(accept, source.name, customer.id);
  // The key cannot be had now: the page goes again (as sendCustomer's storage errors do).
  if (correlationId === undefined) throw transient('backfill dry run: no correlation ID');
  if (await accept.statusStore.get(correlationId)) return 'replayed';
  return contentOf(customer, source, kind).kind === 'unmappable' ? 'unmappable' : 'queued';
}

function contentOf(
  customer: ShopCustomer,
  source: ShopSource,
  kind: 'shopify' | 'bigcommerce',
): WebhookContent {
  const legalEntity = source.legalEntity;
  if (kind === 'bigcommerce') {
    return {
      kind: 'fetch',
      legalEntity,
      reference: { kind: 'bigcommerce', source: source.name, customerId: Number(customer.id) },
    };
  }
  // As the webhook maps it (domain/webhooks/shopify-customer.ts): the default address first, and the
  // customer's phone, else the default address's, read by the numbering plan of the first address's country.
  const addresses = customer.addresses ?? [];
  const mapped = contractBody(
    {
      firstName: customer.firstName,
      lastName: customer.lastName,
      email: customer.email,
      phone: phoneNumber(addresses, customer.phone, addresses[0]?.phone),
    },
    addresses,
    {
      legalEntity,
      currency: source.currency,
      ...(source.customerGroup !== undefined && { customerGroup: source.customerGroup }),
    },
  );
  return mapped.ok
    ? { kind: 'customer', body: mapped.body }
    : { kind: 'unmappable', legalEntity, reasons: mapped.reasons };
}

/**
 * A listed customer's contract body from the page's fields (a dry run's lookups; a BigCommerce
 * customer too, whose request the worker would read again): undefined when it cannot be mapped.
 */
export function listedBody(
  customer: ShopCustomer,
  source: ShopSource,
): { Customer: Record<string, unknown> } | undefined {
  const content = contentOf(customer, source, 'shopify');
  return content.kind === 'customer' ? (content.body as { Customer: Record<string, unknown> }) : undefined;
}
