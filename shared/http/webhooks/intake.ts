import { createHash } from 'node:crypto';
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { StandardSource, webhookCaller } from '../../config/webhook-sources';
import { identityOf } from '../../domain/ownership';
import { parseBigCommerceEvent } from '../../domain/webhooks/bigcommerce-customer';
import { mapShopifyCompanyLocation, shopifyCompanyLocationId } from '../../domain/webhooks/shopify-company';
import type { SourceReference } from '../../domain/webhooks/source-reference';
import {
  mapShopifyCustomer,
  shopifyCustomerId,
  shopifyVerifiedEmail,
} from '../../domain/webhooks/shopify-customer';
import type { WebhookDelivery } from '../../use-cases/accept-webhook';
import { problemResponse, problems } from '../problem';
import type { UpdateTarget } from '../../use-cases/accept-update';
import { parseAccountPath, parseCustomerReference } from '../customer-reference';
import { deliverUpdate, shopifyCustomerDigest, shopifyOrder, shopifyUpdatePatch } from './update-delivery';
import { isShopifyComplianceTopic, standardPrivacyKind } from '../../domain/privacy';
import { shopifyCompliance, standardPrivacy } from './privacy-delivery';
import { decodeJsonBytes, isChunkedWithoutLength, readBodyBytes } from '../request-body';
import { MAX_WEBHOOK_BODY_BYTES } from './answers';
import {
  BIGCOMMERCE_SECRET_HEADER,
  verifySharedSecret,
  verifyShopifyHmac,
  verifyStandardWebhook,
} from './signatures';
import {
  deliver,
  ignored,
  publicUrl,
  rejected,
  unavailable,
  verifyWithSecrets,
  WebhookHttpDeps,
} from './intake-edge';

/**
 * The three webhook routes (Standard Webhooks, Shopify, BigCommerce): read the raw body (bounded),
 * find the source, verify the sender, then hand the delivery to `acceptWebhook` through the shared
 * edge (intake-edge.ts). Nothing is stored before the sender is verified.
 */
export type { WebhookHttpDeps } from './intake-edge';

/** `POST /api/webhooks/standard?source={name}`: a Standard Webhooks sender posting our own contract. */
export async function standardWebhook(
  request: HttpRequest,
  deps: WebhookHttpDeps,
): Promise<HttpResponseInit> {
  if (isChunkedWithoutLength(request)) return problemResponse(problems.lengthRequired());
  const bytes = await readBodyBytes(request, MAX_WEBHOOK_BODY_BYTES);
  if (!bytes) return rejected(deps, 'standard', 'too-large');
  const name = request.query.get('source') ?? '';
  const source = deps.config.webhooks.sources.find((s) => s.kind === 'standard' && s.name === name);
  if (!source || source.kind !== 'standard') return rejected(deps, 'standard', 'unknown-source');
  const nowSeconds = Math.floor((deps.now?.() ?? new Date()).getTime() / 1000);
  const verified = await verifyWithSecrets(deps, source.secretName, (secrets) =>
    verifyStandardWebhook(request.headers, bytes, secrets, nowSeconds),
  );
  if (verified === 'unavailable') return unavailable(deps);
  if (!verified.ok) return rejected(deps, 'standard', verified.reason, source.name);
  const decoded = decodeJsonBytes(bytes);
  if (!decoded.ok) return problemResponse(decoded.problem);
  // The spec's recommended envelope {type, timestamp, data} with our contract as `data`, or the contract itself.
  const value = decoded.value as { type?: unknown; data?: unknown } | null;
  const enveloped = typeof value === 'object' && value !== null && 'type' in value && 'data' in value;
  const topic = enveloped ? String(value.type) : 'customer.created';
  const eventKey = request.headers.get('webhook-id')!.trim();
  const privacyKind = enveloped ? standardPrivacyKind(topic) : undefined;
  if (privacyKind !== undefined && enveloped)
    return standardPrivacy(publicUrl(request, deps), source, privacyKind, eventKey, value.data, deps);
  if (topic === 'customer.updated' && enveloped)
    return standardUpdate(publicUrl(request, deps), source, eventKey, value.data, deps);
  if (topic !== 'customer.created') return ignored(deps, source, topic.slice(0, 64), 'topic-not-handled');
  // `data.reference`: the sender's own customer ID (its link), taken out of the contract body.
  const { reference, body } = splitReference(enveloped ? value.data : value);
  const delivery: WebhookDelivery = {
    source: source.name,
    sourceKind: 'standard',
    topic,
    eventKey,
    ...(reference !== undefined && { sourceCustomerId: reference }),
    identity: identityOf(webhookCaller(source)),
  };
  return deliver(request, deps, delivery, { kind: 'customer', body }, enveloped ? '/data' : '');
}

/** A Standard Webhooks body with `reference` beside `Customer`: the reference and the contract body. */
function splitReference(data: unknown): { reference?: string; body: unknown } {
  if (typeof data !== 'object' || data === null || !('reference' in data)) return { body: data };
  const { reference, ...body } = data as Record<string, unknown>;
  const parsed = parseCustomerReference(typeof reference === 'string' ? reference : '');
  // An unusable reference stays in the body, so the contract names it with a pointer.
  return parsed.ok && parsed.reference !== undefined ? { reference: parsed.reference, body } : { body: data };
}

/**
 * `customer.updated`: `data` is `{"reference": …}` or `{"legalEntity": …, "customerAccount": …}`,
 * an optional `version`, and the merge patch's `Customer` members.
 */
function standardUpdate(
  requestUrl: string,
  source: StandardSource,
  eventKey: string,
  data: unknown,
  deps: WebhookHttpDeps,
): Promise<HttpResponseInit> | HttpResponseInit {
  const { reference, legalEntity, customerAccount, version, ...patch } = (
    typeof data === 'object' && data !== null ? data : {}
  ) as Record<string, unknown>;
  const invalid = (pointer: string, detail: string) =>
    problemResponse(problems.invalidBody([{ pointer, detail }]));
  let target: UpdateTarget;
  if (reference !== undefined) {
    const parsed = parseCustomerReference(typeof reference === 'string' ? reference : '');
    if (!parsed.ok || parsed.reference === undefined)
      return invalid('/data/reference', parsed.ok ? 'reference is empty.' : parsed.error.detail);
    target = { kind: 'reference', reference: parsed.reference };
  } else {
    const path = parseAccountPath(
      typeof legalEntity === 'string' ? legalEntity : undefined,
      typeof customerAccount === 'string' ? customerAccount : undefined,
    );
    if (!path.ok)
      return invalid('/data', 'Name the customer by reference, or by legalEntity and customerAccount.');
    target = { kind: 'account', legalEntity: path.legalEntity, customerAccount: path.customerAccount };
  }
  if (
    version !== undefined &&
    !(typeof version === 'number' && Number.isSafeInteger(version) && version >= 0)
  )
    return invalid('/data/version', 'version must be a whole number that grows with each change.');
  return deliverUpdate(
    requestUrl,
    {
      caller: webhookCaller(source),
      sourceKind: 'standard',
      topic: 'customer.updated',
      eventKey,
      target,
      patch,
      ...(typeof version === 'number' && { order: { kind: 'version' as const, value: version } }),
      pointerPrefix: '/data',
    },
    deps,
  );
}

/** `POST /api/webhooks/shopify`: `customers/create` and `customers/update` (issue 17); B2B `company_locations/create` (issue 32). */
export async function shopifyWebhook(request: HttpRequest, deps: WebhookHttpDeps): Promise<HttpResponseInit> {
  if (isChunkedWithoutLength(request)) return problemResponse(problems.lengthRequired());
  const bytes = await readBodyBytes(request, MAX_WEBHOOK_BODY_BYTES);
  if (!bytes) return rejected(deps, 'shopify', 'too-large');
  const shop = (request.headers.get('x-shopify-shop-domain') ?? '').trim().toLowerCase();
  const source = deps.config.webhooks.sources.find((s) => s.kind === 'shopify' && s.shopDomain === shop);
  if (!source || source.kind !== 'shopify') return rejected(deps, 'shopify', 'unknown-source');
  const verified = await verifyWithSecrets(deps, source.secretName, (secrets) =>
    verifyShopifyHmac(request.headers.get('x-shopify-hmac-sha256'), bytes, secrets),
  );
  if (verified === 'unavailable') return unavailable(deps);
  if (!verified.ok) return rejected(deps, 'shopify', verified.reason, source.name);
  const topic = (request.headers.get('x-shopify-topic') ?? '').trim();
  // Mandatory for every app (issue 27): always taken; a redelivery is the same request.
  if (isShopifyComplianceTopic(topic))
    return shopifyCompliance(publicUrl(request, deps), source, topic, bytes, deps);
  if (!(source.topics as readonly string[]).includes(topic)) {
    return ignored(deps, source, topic.slice(0, 64), 'topic-not-subscribed');
  }
  const decoded = decodeJsonBytes(bytes);
  if (!decoded.ok) return problemResponse(decoded.problem);
  const companyLocation = topic === 'company_locations/create';
  const signed = shopifySignedEvent(decoded.value, bytes, companyLocation);
  if (!signed) return rejected(deps, 'shopify', 'malformed', source.name);
  const nowMs = (deps.now?.() ?? new Date()).getTime();
  if (isStale(signed.updatedAtMs, request.headers.get('x-shopify-triggered-at'), nowMs, deps)) {
    return rejected(deps, 'shopify', 'stale', source.name);
  }
  // The shopper's e-mail verified by Shopify (in the signed body): the identity the policy trusts.
  const verifiedEmail = shopifyVerifiedEmail(decoded.value);
  const caller = webhookCaller(source);
  const delivery: WebhookDelivery = {
    source: source.name,
    sourceKind: 'shopify',
    topic,
    // From signed content only: a replay with a new X-Shopify-Event-Id is still the same event.
    eventKey: `${topic}:${signed.customerId}@${signed.updatedAtMs}#${signed.digest}`,
    sourceCustomerId: signed.customerId,
    identity: identityOf(caller, verifiedEmail),
  };
  // A B2B company location (issue 32) is an organisation customer; its reference is `CompanyLocation:{id}`.
  const mapped = companyLocation
    ? mapShopifyCompanyLocation(decoded.value, source)
    : mapShopifyCustomer(decoded.value, source);
  if (topic === 'customers/update') {
    if (!mapped.ok) {
      const content = {
        kind: 'unmappable' as const,
        legalEntity: source.legalEntity,
        reasons: mapped.reasons,
      };
      return deliver(request, deps, delivery, content);
    }
    const order = shopifyOrder(decoded.value);
    const sourceDigest = shopifyCustomerDigest(source.name, signed.customerId, mapped.body, {
      defaultCustomerGroup: deps.accept.defaultCustomerGroup,
      now: deps.now?.(),
    });
    return deliverUpdate(
      publicUrl(request, deps),
      {
        caller,
        sourceKind: 'shopify',
        topic,
        eventKey: delivery.eventKey,
        target: { kind: 'reference', reference: signed.customerId },
        patch: shopifyUpdatePatch(mapped.body as { Customer: Record<string, unknown> }),
        ...(order && { order }),
        ...(sourceDigest !== undefined && { sourceDigest }),
        ...(verifiedEmail && { verifiedBySource: true }),
      },
      deps,
    );
  }
  return deliver(
    request,
    deps,
    delivery,
    mapped.ok
      ? { kind: 'customer', body: mapped.body }
      : { kind: 'unmappable', legalEntity: source.legalEntity, reasons: mapped.reasons },
  );
}

/**
 * Replay protection from what Shopify signed (the body), not from its unsigned headers
 * (`X-Shopify-Event-Id`, `X-Shopify-Triggered-At`, the shop domain and topic can be rewritten by
 * whoever replays a captured delivery): the customer's ID and `updated_at` must be in the body, the
 * event's age is `updated_at`'s, and the event key is derived from them and the body's digest, so
 * any re-sending of the same signed bytes is the same event whatever its headers say.
 */
function shopifySignedEvent(
  payload: unknown,
  bytes: Buffer,
  companyLocation: boolean,
): { customerId: string; updatedAtMs: number; digest: string } | undefined {
  const customerId = companyLocation ? shopifyCompanyLocationId(payload) : shopifyCustomerId(payload);
  const updatedAtMs = shopifyOrder(payload)?.value;
  if (customerId === undefined || updatedAtMs === undefined) return undefined;
  const digest = createHash('sha256').update(bytes).digest('base64url').slice(0, 22);
  return { customerId, updatedAtMs, digest };
}

/**
 * Older than WEBHOOK_MAX_EVENT_AGE_SECONDS by the signed `updated_at`. `X-Shopify-Triggered-At` is
 * only a hint: when it is there and older still, the delivery is stale too; missing or garbage, it
 * changes nothing (it can never make a delivery younger than its signed content).
 */
function isStale(
  updatedAtMs: number,
  triggeredAt: string | null,
  nowMs: number,
  deps: WebhookHttpDeps,
): boolean {
  const maxAgeMs = deps.config.webhooks.maxEventAgeSeconds * 1000;
  const hinted = Date.parse(triggeredAt ?? '');
  const oldest = Number.isFinite(hinted) ? Math.min(updatedAtMs, hinted) : updatedAtMs;
  return nowMs - oldest > maxAgeMs;
}

/**
 * `POST /api/webhooks/bigcommerce`: `store/customer/created`, and B2B Edition's `store/company/created`
 * (opt-in); the worker reads the customer or the company from the store.
 */
export async function bigCommerceWebhook(
  request: HttpRequest,
  deps: WebhookHttpDeps,
): Promise<HttpResponseInit> {
  if (isChunkedWithoutLength(request)) return problemResponse(problems.lengthRequired());
  const bytes = await readBodyBytes(request, MAX_WEBHOOK_BODY_BYTES);
  if (!bytes) return rejected(deps, 'bigcommerce', 'too-large');
  // The store is named in the body only, so the body is read (safely) before the secret is checked.
  const decoded = decodeJsonBytes(bytes);
  const event = decoded.ok ? parseBigCommerceEvent(decoded.value) : undefined;
  if (!event) return rejected(deps, 'bigcommerce', 'malformed');
  const source = deps.config.webhooks.sources.find(
    (s) => s.kind === 'bigcommerce' && s.storeHash === event.storeHash,
  );
  if (!source || source.kind !== 'bigcommerce') return rejected(deps, 'bigcommerce', 'unknown-source');
  const verified = await verifyWithSecrets(deps, source.secretName, (secrets) =>
    verifySharedSecret(request.headers.get(BIGCOMMERCE_SECRET_HEADER), secrets),
  );
  if (verified === 'unavailable') return unavailable(deps);
  if (!verified.ok) return rejected(deps, 'bigcommerce', verified.reason, source.name);
  if (!(source.topics as readonly string[]).includes(event.scope)) {
    return ignored(deps, source, event.scope.slice(0, 64), 'topic-not-subscribed');
  }
  // A B2B Edition company (opt-in `store/company/created`, issue 32) is referenced as `Company:{id}`,
  // as a Shopify company location is `CompanyLocation:{id}`: never mistaken for a customer's ID.
  const reference: SourceReference =
    event.companyId !== undefined
      ? { kind: 'bigcommerce-company', source: source.name, companyId: event.companyId }
      : { kind: 'bigcommerce', source: source.name, customerId: event.customerId! };
  const delivery: WebhookDelivery = {
    source: source.name,
    sourceKind: 'bigcommerce',
    topic: event.scope,
    eventKey: event.hash,
    sourceCustomerId:
      reference.kind === 'bigcommerce-company'
        ? `Company:${reference.companyId}`
        : String(reference.customerId),
    identity: identityOf(webhookCaller(source)),
  };
  return deliver(request, deps, delivery, { kind: 'fetch', legalEntity: source.legalEntity, reference });
}
