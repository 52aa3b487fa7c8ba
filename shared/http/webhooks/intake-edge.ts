import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { Config } from '../../config/config';
import type { WebhookSource } from '../../config/webhook-sources';
import { prefixPointers } from '../../domain/customer-contract';
import type { Log, Telemetry, WebhookSecrets } from '../../ports';
import type { AcceptDeps } from '../../use-cases/accept-customer';
import { acceptWebhook, WebhookContent, WebhookDelivery } from '../../use-cases/accept-webhook';
import { problemResponse, problems } from '../problem';
import { publicRequestUrl } from '../public-url';
import {
  ignoredAnswer,
  MAX_WEBHOOK_BODY_BYTES,
  resultAnswer,
  WebhookIgnoredReason,
  webhookUnauthorized,
} from './answers';
import type { Verification } from './signatures';

/**
 * The webhook routes' edge: read the raw body (bounded), find the source, verify the sender,
 * then hand the delivery to `acceptWebhook`. Nothing is stored before the sender is verified.
 */
export interface WebhookHttpDeps {
  config: Config;
  secrets: WebhookSecrets;
  accept: AcceptDeps;
  telemetry: Telemetry;
  log: Log;
  now?: () => Date;
}

export type Kind = WebhookSource['kind'];

export function rejected(
  deps: WebhookHttpDeps,
  sourceKind: Kind,
  reason: string,
  source?: string,
): HttpResponseInit {
  deps.telemetry.trackEvent({
    name: 'WebhookRejected',
    properties: { sourceKind, reason, ...(source && { source }) },
  });
  deps.log.warn('webhook.rejected', { reason, ...(source && { source }) });
  if (reason === 'too-large') return problemResponse(problems.tooLarge(MAX_WEBHOOK_BODY_BYTES));
  return problemResponse(webhookUnauthorized());
}

export function ignored(
  deps: WebhookHttpDeps,
  source: WebhookSource,
  topic: string,
  reason: WebhookIgnoredReason,
): HttpResponseInit {
  deps.telemetry.trackEvent({
    name: 'WebhookIgnored',
    properties: { source: source.name, sourceKind: source.kind, topic, reason },
  });
  deps.log.info('webhook.ignored', { source: source.name, topic, reason });
  return ignoredAnswer(reason);
}

/** Verifies with the cached secrets, and once more with freshly read ones when none matched (a rotation). */
export async function verifyWithSecrets(
  deps: WebhookHttpDeps,
  secretName: string,
  verify: (secrets: string[]) => Verification,
): Promise<Verification | 'unavailable'> {
  try {
    const first = verify(await deps.secrets.get(secretName));
    if (first.ok || first.reason !== 'signature') return first;
    return verify(await deps.secrets.refresh(secretName));
  } catch {
    return 'unavailable';
  }
}

/** `pointerPrefix`: where the contract sits in the delivered body (`/data` in a Standard Webhooks envelope). */
export async function deliver(
  request: HttpRequest,
  deps: WebhookHttpDeps,
  delivery: WebhookDelivery,
  content: WebhookContent,
  pointerPrefix = '',
): Promise<HttpResponseInit> {
  let result = await acceptWebhook(delivery, content, deps.accept);
  if (result.kind === 'invalid' && content.kind === 'customer' && delivery.sourceKind !== 'standard') {
    // A shop's customer our contract refuses: stored as failed (fields named, no values), answered 2xx.
    const reasons = [`invalid after mapping: ${result.errors.map((e) => e.pointer).join(', ')}`];
    const body = content.body as { Customer: { LegalEntity: string } };
    result = await acceptWebhook(
      delivery,
      { kind: 'unmappable', legalEntity: body.Customer.LegalEntity, reasons },
      deps.accept,
    );
  }
  if (result.kind === 'invalid' && pointerPrefix)
    result = { kind: 'invalid', errors: prefixPointers(result.errors, pointerPrefix) };
  return resultAnswer(result, publicUrl(request, deps), deps.config.statusRetryAfterSeconds);
}

/** The request URL on the app's public origin (never the Host header's): status URLs are built on it. */
export const publicUrl = (request: HttpRequest, deps: WebhookHttpDeps): string =>
  publicRequestUrl(request.url, deps.config.publicOrigin);

export const unavailable = (deps: WebhookHttpDeps) =>
  problemResponse(problems.storageUnavailable(deps.config.statusRetryAfterSeconds));
