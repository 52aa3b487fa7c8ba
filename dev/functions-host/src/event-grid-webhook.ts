import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { HostKeys, isSystemAuthorized } from './auth';
import { EventGridPlan } from './function-plan';
import { InvocationResult, Invoker } from './invoke';
import { Logger } from './logger';
import { BodyReadOptions, discardRequestBody, readWholeBody } from './request-body';

/**
 * The Event Grid extension's webhook, `/runtime/webhooks/eventgrid?functionName=<name>&code=<key>`,
 * as the Functions host serves it (Microsoft Learn, "Azure Event Grid trigger for Azure Functions"
 * and "How to work with Event Grid triggers and bindings": the URL and its system key;
 * azure-sdk-for-net Microsoft.Azure.WebJobs.Extensions.EventGrid `HttpRequestProcessor` and
 * `EventGridExtensionConfigProvider`; azure-functions-host `HostController.ExtensionWebHookHandler`):
 *
 * - methods GET, POST, DELETE and OPTIONS (405 otherwise); the system key `eventgrid_extension` or
 *   the master key, as `code=` or `x-functions-key` (401 otherwise);
 * - `functionName` must name an enabled Event Grid function (404 `cannot find function: '<name>'`);
 * - OPTIONS is CloudEvents v1.0 abuse protection: 200 with `WebHook-Allowed-Origin` echoing the
 *   `WebHook-Request-Origin` of an Azure cloud (else `eventgrid.azure.net`)
 *   (Microsoft Learn, "Event Grid webhook event delivery", "Endpoint validation with CloudEvents v1.0");
 * - `aeg-event-type: SubscriptionValidation`: 200 `{"validationResponse": <data.validationCode>}`
 *   of the first event of the array (Event Grid schema), or of the CloudEvent's data;
 * - `aeg-event-type: Notification`: the function runs once per event of the array (an object alone
 *   is one event), all at once; 202 when every run succeeded, else 500 with the failure's message,
 *   so Event Grid delivers the whole request again (its retry policy);
 * - `Unsubscribe`: 202; any other or no `aeg-event-type`: 400; a body that is not a JSON array or
 *   object fails the request (500).
 */
export const EVENT_GRID_WEBHOOK_PATH = /^\/runtime\/webhooks\/eventgrid(?:\/.*)?$/i;
export const EVENT_GRID_SYSTEM_KEY = 'eventgrid_extension';
const METHODS = ['GET', 'POST', 'DELETE', 'OPTIONS'];
const AZURE_CLOUD_ORIGINS = [
  'eventgrid.azure.net',
  'eventgrid.azure.us',
  'eventgrid.azure.eaglex.ic.gov',
  'eventgrid.azure.microsoft.scloud',
  'eventgrid.azure.cn',
];

export interface EventGridWebhookOptions {
  plans: EventGridPlan[];
  keys: HostKeys;
  invoker: Invoker;
  logger: Logger;
  body: BodyReadOptions;
}

interface Answer {
  status: number;
  headers?: Record<string, string>;
  text?: string;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function write(res: ServerResponse, answer: Answer): void {
  const body = Buffer.from(answer.text ?? '', 'utf8');
  res.writeHead(answer.status, {
    ...answer.headers,
    ...(answer.text !== undefined && { 'content-type': 'text/plain; charset=utf-8' }),
    'content-length': String(body.length),
  });
  res.end(body);
}

/** The events of a request body: an array as it is, an object as one event; anything else throws. */
function parseEvents(body: Buffer): unknown[] {
  const parsed: unknown = JSON.parse(body.toString('utf8'));
  if (Array.isArray(parsed)) return parsed;
  if (typeof parsed === 'object' && parsed !== null) return [parsed];
  throw new Error(
    `The request content should be parseable into a JSON object or array, but was ${typeof parsed}.`,
  );
}

function validationCode(body: Buffer): string {
  const parsed: unknown = JSON.parse(body.toString('utf8'));
  if (Array.isArray(parsed)) {
    const first = parsed[0] as { data?: { validationCode?: unknown } } | undefined;
    return String(first?.data?.validationCode);
  }
  if (typeof parsed === 'object' && parsed !== null) {
    // The data of a CloudEvent validation event may be double-encoded (a JSON string).
    const data = (parsed as { data?: unknown }).data;
    const decoded = (typeof data === 'string' ? JSON.parse(data) : data) as { validationCode?: unknown };
    return String(decoded?.validationCode);
  }
  throw new Error('The request content should be parseable into a JSON object or array.');
}

async function notify(
  plan: EventGridPlan,
  events: unknown[],
  options: EventGridWebhookOptions,
): Promise<Answer> {
  const results: InvocationResult[] = await Promise.all(
    events.map((event) =>
      options.invoker.invoke(plan.fn, {
        reason: `EventGrid trigger fired at ${new Date().toISOString()}`,
        inputData: [{ name: plan.triggerName, data: { json: JSON.stringify(event) } }],
        triggerMetadata: {
          data: { json: JSON.stringify((event as { data?: unknown }).data ?? null) },
          sys: {
            json: JSON.stringify({
              MethodName: plan.name,
              UtcNow: new Date().toISOString(),
              RandGuid: randomUUID(),
            }),
          },
        },
      }),
    ),
  );
  // The host's FunctionResult carries a FunctionInvocationException, whose message names the function only.
  const failed = results.find((r) => r.status === 'failed');
  return failed
    ? { status: 500, text: `Exception while executing function: Functions.${plan.name}` }
    : { status: 202 };
}

async function answer(req: IncomingMessage, url: URL, options: EventGridWebhookOptions): Promise<Answer> {
  const method = (req.method ?? 'GET').toUpperCase();
  if (!METHODS.includes(method)) return { status: 405, headers: { allow: METHODS.join(', ') } };
  const presented = header(req, 'x-functions-key') ?? url.searchParams.get('code') ?? undefined;
  if (!isSystemAuthorized(EVENT_GRID_SYSTEM_KEY, presented, options.keys)) return { status: 401 };
  const functionName = url.searchParams.get('functionName') ?? '';
  const plan = options.plans.find((p) => p.name === functionName && !p.disabled);
  if (!plan) {
    options.logger.log(
      'information',
      'Host.Triggers.EventGrid',
      `cannot find function: '${functionName}', available function names: [${options.plans
        .filter((p) => !p.disabled)
        .map((p) => p.name)
        .join(', ')}]`,
    );
    return { status: 404, text: `cannot find function: '${functionName}'` };
  }
  if (method === 'OPTIONS') {
    const origin = header(req, 'webhook-request-origin');
    const allowed = origin && AZURE_CLOUD_ORIGINS.includes(origin) ? origin : 'eventgrid.azure.net';
    return { status: 200, headers: { 'webhook-allowed-origin': allowed } };
  }
  const eventType = (header(req, 'aeg-event-type') ?? '').toLowerCase();
  if (eventType === 'subscriptionvalidation') {
    const code = validationCode(await readWholeBody(req, options.body));
    options.logger.log(
      'information',
      'Host.Triggers.EventGrid',
      `perform handshake with eventGrid for function: ${plan.name}`,
    );
    return { status: 200, text: JSON.stringify({ validationResponse: code }) };
  }
  if (eventType === 'notification')
    return notify(plan, parseEvents(await readWholeBody(req, options.body)), options);
  return { status: eventType === 'unsubscribe' ? 202 : 400 };
}

/** Serves one request to the webhook path; a failure (a body that is not JSON) answers 500. */
export async function handleEventGridWebhook(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  options: EventGridWebhookOptions,
): Promise<void> {
  let result: Answer;
  try {
    result = await answer(req, url, options);
  } catch (error) {
    options.logger.log(
      'error',
      'Host.Triggers.EventGrid',
      `The Event Grid request failed: ${(error as Error).message}`,
    );
    result = { status: 500 };
  }
  options.logger.flush?.();
  if (res.headersSent || req.socket.destroyed) return;
  discardRequestBody(req, options.body);
  write(res, result);
}
