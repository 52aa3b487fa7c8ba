import { createHash } from 'node:crypto';
import type { HttpResponseInit } from '@azure/functions';
import type { WebhookSource } from '../../config/webhook-sources';
import {
  parseShopifyCompliance,
  parseWithExactIntegers,
  parseSubjectBody,
  PrivacyKind,
  ShopifyComplianceTopic,
} from '../../domain/privacy';
import { acceptPrivacyRequest } from '../../use-cases/accept-privacy-request';
import { problemResponse, problems } from '../problem';
import { privacyIntakeResponse } from '../privacy-requests';
import { decodeJsonBytes } from '../request-body';
import type { Config } from '../../config/config';
import type { AcceptDeps } from '../../use-cases/accept-customer';

/**
 * Privacy requests by webhook (issue 27), after the sender was verified: Shopify's mandatory
 * compliance topics and the Standard Webhooks types `customer.redact` / `customer.data_request`.
 * Each becomes a privacy request (accept-privacy-request.ts) whose ID comes from the delivery's
 * content, so every redelivery, on any instance, is the same request and the work is done once.
 */
type ShopifySource = Extract<WebhookSource, { kind: 'shopify' }>;

/** What these deliveries need of the webhook routes' deps (intake.ts `WebhookHttpDeps`). */
export interface PrivacyDeliveryDeps {
  config: Pick<Config, 'statusRetryAfterSeconds'>;
  accept: AcceptDeps;
  now?: () => Date;
}

const digest = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('base64url');
const at = (deps: PrivacyDeliveryDeps): Date => deps.now?.() ?? new Date();

export async function shopifyCompliance(
  requestUrl: string,
  source: ShopifySource,
  topic: ShopifyComplianceTopic,
  bytes: Buffer,
  deps: PrivacyDeliveryDeps,
): Promise<HttpResponseInit> {
  const decoded = decodeJsonBytes(bytes);
  if (!decoded.ok) return problemResponse(decoded.problem);
  const parsed = parseShopifyCompliance(topic, parseWithExactIntegers(bytes.toString('utf8')), {
    source: source.name,
    shopDomain: source.shopDomain,
  });
  if (!parsed.ok) return problemResponse(problems.invalidBody(parsed.errors));
  const result = await acceptPrivacyRequest(
    {
      kind: parsed.kind,
      origin: {
        via: 'shopify',
        source: source.name,
        caller: `webhook:${source.name}`,
        ...(parsed.externalId !== undefined && { externalId: parsed.externalId }),
      },
      subject: parsed.subject,
      // Compliance payloads carry no updated_at: the signed body itself names the request.
      dedupe: { parts: ['shopify', source.shopDomain, topic, digest(bytes)], windowed: true },
      legalEntity: source.legalEntity,
    },
    deps.accept,
  );
  return privacyIntakeResponse(requestUrl, result, deps.config.statusRetryAfterSeconds, at(deps));
}

/** `customer.redact` / `customer.data_request`: `data` names the customer as the API's body does. */
export async function standardPrivacy(
  requestUrl: string,
  source: { name: string },
  kind: PrivacyKind,
  webhookId: string,
  data: unknown,
  deps: PrivacyDeliveryDeps,
): Promise<HttpResponseInit> {
  const parsed = parseSubjectBody(data, source.name);
  if (!parsed.ok)
    return problemResponse(
      problems.invalidBody(parsed.errors.map((e) => ({ ...e, pointer: `/data${e.pointer}` }))),
    );
  const result = await acceptPrivacyRequest(
    {
      kind,
      origin: { via: 'standard', source: source.name, caller: `webhook:${source.name}` },
      // A sender's request covers its own customers only.
      subject: { ...parsed.subject, source: source.name },
      dedupe: { parts: ['standard', source.name, webhookId], windowed: false },
    },
    deps.accept,
  );
  return privacyIntakeResponse(requestUrl, result, deps.config.statusRetryAfterSeconds, at(deps));
}
