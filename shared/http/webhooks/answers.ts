import type { HttpResponseInit } from '@azure/functions';
import type { StatusRecord } from '../../domain/status';
import { Problem, problemResponse, problems } from '../problem';
import { statusUrl } from '../status-url';
import type { WebhookResult } from '../../use-cases/accept-webhook';

/** The largest webhook body taken (Shopify customer payloads with ten addresses stay far below it). */
export const MAX_WEBHOOK_BODY_BYTES = 64 * 1024;

/**
 * One answer for every refused delivery (bad or missing signature, unknown shop, stale timestamp):
 * the same 401, so a prober learns nothing about which check failed or which shops exist.
 */
export const webhookUnauthorized = (): Problem => ({
  type: 'urn:d365-customer-sync:problem:webhook-unauthorized',
  title: 'Unauthorized',
  status: 401,
  detail: 'The delivery could not be verified.',
});

export const webhookInProgress = (): Problem => ({
  type: 'urn:d365-customer-sync:problem:webhook-in-progress',
  title: 'The first delivery of this event is still being stored',
  status: 409,
  detail: 'Deliver it again in a moment.',
  retryAfterSeconds: 1,
});

/** What the sender gets for a stored delivery: 202 the first time, 200 for a redelivery. No personal data. */
export function storedAnswer(record: StatusRecord, replayed: boolean, requestUrl: string): HttpResponseInit {
  const url = statusUrl(requestUrl, record.correlationId);
  return {
    status: replayed ? 200 : 202,
    headers: {
      'cache-control': 'no-store',
      location: url,
      ...(replayed && { 'idempotent-replayed': 'true' }),
    },
    jsonBody: {
      correlationId: record.correlationId,
      status: record.status,
      ...(record.source !== undefined && { source: record.source }),
      ...(record.sourceCustomerId !== undefined && { sourceCustomerId: record.sourceCustomerId }),
      statusUrl: url,
    },
  };
}

/**
 * Why a verified delivery created nothing (the OpenAPI document lists them from here). `echo`: a
 * Shopify `customers/update` whose customer is what we last took from the shop (the echo of our own
 * write, or a change to fields we do not sync): no update, no D365 call.
 */
export const WEBHOOK_IGNORED_REASONS = [
  'topic-not-subscribed',
  'topic-not-handled',
  'link-unverified',
  'echo',
] as const;
export type WebhookIgnoredReason = (typeof WEBHOOK_IGNORED_REASONS)[number];

/**
 * A verified delivery that creates nothing (a topic not handled; an update through a link pending
 * verification: domain/ownership.ts): 200, so the shop keeps the subscription.
 */
export const ignoredAnswer = (reason: WebhookIgnoredReason): HttpResponseInit => ({
  status: 200,
  headers: { 'cache-control': 'no-store' },
  jsonBody: { ignored: true, reason },
});

/** The answer for the use-case's result (`invalid` only reaches here from a Standard Webhooks sender). */
export function resultAnswer(
  result: WebhookResult,
  requestUrl: string,
  retryAfterSeconds: number,
): HttpResponseInit {
  switch (result.kind) {
    case 'accepted':
      return storedAnswer(result.record, result.replayed, requestUrl);
    case 'invalid':
      return problemResponse(problems.invalidBody(result.errors));
    case 'in-progress':
      return problemResponse(webhookInProgress());
    case 'unavailable':
      return problemResponse(problems.storageUnavailable(retryAfterSeconds));
  }
}
