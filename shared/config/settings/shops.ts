/** The settings catalogue's part: Shops: webhook sources, write-back, F&O data events, backfill and drift repair. */
import { z } from 'zod';
import { define, httpsUrl, nonNegativeInt, oneOf, positiveInt, queueName, tableName } from './validators';
import type { SettingDefinition } from './validators';
import { webhookSourcesSetting } from '../webhook-sources';

export const shopSettings = [
  define({
    name: 'WEBHOOK_SOURCES',
    description:
      'The e-commerce sources that may post customers to `/api/webhooks/…`: a JSON array of Shopify shops, BigCommerce stores and Standard Webhooks senders, each with its Key Vault secret name (and legal entity, currency, customer group for shops). See docs/webhooks.md.',
    default: '[]',
    // Locally: one source of each kind, their secrets in the emulator's Key Vault (README "Try everything").
    azure: true,
    schema: webhookSourcesSetting,
  }),
  define({
    name: 'WEBHOOK_MAX_EVENT_AGE_SECONDS',
    description:
      "A Shopify delivery whose signed `updated_at` (or `X-Shopify-Triggered-At`, when that is older) is older than this is refused as a replay (Shopify retries for 4 hours with the original payload). Standard Webhooks use the spec's fixed 5 minutes.",
    default: '21600',
    local: '21600',
    azure: true,
    schema: positiveInt,
  }),
  define({
    name: 'WEBHOOK_SECRET_ROTATION_WINDOW_SECONDS',
    description:
      'After a new version of a webhook secret is put in Key Vault, the previous version is still accepted for this long (Shopify signs with the old secret for up to an hour).',
    default: '3600',
    local: '3600',
    azure: true,
    schema: nonNegativeInt,
  }),
  define({
    name: 'WEBHOOK_SECRET_REFRESH_SECONDS',
    description:
      'Webhook secrets are read from Key Vault again after this many seconds (a rotation needs no restart); a signature that matches no cached secret also re-reads them, at most every 30 seconds.',
    default: '300',
    local: '300',
    azure: true,
    schema: positiveInt,
  }),
  define({
    name: 'PUBLIC_BASE_URL',
    description:
      "The origin callers reach the app at (`https://sync.contoso.com`), used for `Location` and `statusUrl` when a custom domain or API Management fronts the app. Empty: in Azure `https://` + `WEBSITE_HOSTNAME` (the app's own host name, set by the platform); locally the request's origin when it is a loopback one. The `Host` header never chooses it.",
    default: '',
    local: '',
    azure: true,
    schema: z.union([z.literal(''), httpsUrl]),
  }),
  define({
    name: 'SHOPIFY_API_VERSION',
    description:
      "The Shopify GraphQL Admin API version the shop clients pin (`YYYY-01|04|07|10`). Shopify supports a version for 12 months; the app logs `shop.api_version_unsupported` once when the pinned one has left Shopify's window.",
    default: '2026-10',
    local: '2026-10',
    azure: true,
    schema: z
      .string()
      .regex(/^20\d\d-(01|04|07|10)$/, 'must be a stable Shopify API version such as 2026-10'),
  }),
  define({
    name: 'SHOP_BUDGET_SHARE',
    description:
      "The share (0–1) of a shop's rate limit the sync may spend: of a Shopify app's cost bucket, of a BigCommerce store's request window (shared by every app on the store). The rest is a reserve no write-back ever takes, across the whole fleet.",
    default: '0.5',
    local: '0.5',
    azure: true,
    schema: z.coerce
      .number({ message: 'must be a number above 0 and at most 1' })
      .gt(0, 'must be above 0')
      .max(1, 'must be at most 1'),
  }),
  define({
    name: 'SHOP_TIMEOUT_MS',
    description:
      'A shop Admin API call that has not answered within this many milliseconds fails (and is retried).',
    default: '10000',
    local: '10000',
    azure: true,
    schema: positiveInt.max(120_000, 'must be at most 120000'),
  }),
  define({
    name: 'SHOP_MAX_WAIT_MS',
    description:
      "How long a write-back waits for the shop's budget to refill above the reserve before it is rescheduled through the queue instead.",
    default: '20000',
    local: '20000',
    azure: true,
    schema: nonNegativeInt.max(300_000, 'must be at most 300000'),
  }),
  define({
    name: 'WRITE_BACK_QUEUE_NAME',
    description:
      "The shop write-back queue: a shop's customer that succeeded waits here until its D365 account is written to the shop (Shopify metafield, BigCommerce attribute).",
    default: 'shop-write-back',
    local: 'shop-write-back',
    azure: true,
    schema: queueName,
  }),
  define({
    name: 'FO_EVENTS_QUEUE_NAME',
    description:
      'F&O data events (issue 29): a D365 customer change taken in at `POST /api/d365/data-events` waits here for the update of the linked shop customer.',
    default: 'fo-data-events',
    local: 'fo-data-events',
    azure: true,
    schema: queueName,
  }),
  define({
    name: 'FO_EVENTS_TABLE_NAME',
    description:
      "F&O data events (issue 29): the events taken in, one row each (the ID, when it came, and the change: the CustomersV3 fields the shop update maps — personal data, deleted by an erasure and after `FO_EVENTS_RETENTION_DAYS`), so that a repeated event is queued once across the fleet; and each linked customer's D365 → shop field stamps.",
    default: 'foevents',
    local: 'foevents',
    azure: true,
    schema: tableName,
  }),
  define({
    name: 'FO_EVENTS_RETENTION_DAYS',
    description:
      "F&O data events (issue 29): a taken event's row (its change, personal data) is deleted by the hourly retention timer this many days after it came, and its queue message expires then (time to live; a repeat of the event after that is taken again and changes nothing: field stamps). Default 7, the Storage queue's own default time to live.",
    default: '7',
    local: '7',
    azure: true,
    schema: positiveInt.max(365, 'must be at most 365'),
  }),
  define({
    name: 'FO_EVENTS_DELIVERY',
    description:
      'F&O data events (issue 29): how F&O delivers them. `https`: to `POST /api/d365/data-events` only (an F&O endpoint of type HTTPS). `eventGrid`: also through an Azure Event Grid topic (an F&O endpoint of type Azure Event Grid), whose subscription calls the Event Grid function `foEventGrid` (registered only then; the Bicep adds the topic and the subscription). Both take the same event once (EventId). Service Bus is not offered: no Service Bus emulator runs locally to test it against.',
    default: 'https',
    local: 'https',
    azure: true,
    schema: oneOf(['https', 'eventGrid']),
  }),
  define({
    name: 'BACKFILL_QUEUE_NAME',
    description:
      "The backfill queue (issue 30): one message per page of a shop's customers being loaded into D365 (`POST /api/backfills`).",
    default: 'shop-backfill',
    local: 'shop-backfill',
    azure: true,
    schema: queueName,
  }),
  define({
    name: 'BACKFILL_TABLE_NAME',
    description:
      'Table of backfill jobs (issue 30): source, cursor of the next page, counts, state. No personal data.',
    default: 'backfills',
    local: 'backfills',
    azure: true,
    schema: tableName,
  }),
  define({
    name: 'BACKFILL_PAGE_SIZE',
    description:
      "Shop customers read per backfill or drift-repair page (BigCommerce at most 250; Shopify at most 83, since a listed customer with its addresses costs 12 points and a query at most 1,000): each page is one shop call within the shop's budget, then one intake per customer not yet linked. A Shopify bulk operation's file (`read: bulk`) and an uploaded customer export are read this many customers a page too, without the 83 limit (no query cost).",
    default: '50',
    local: '50',
    azure: true,
    schema: positiveInt.max(250, 'must be at most 250'),
  }),
  define({
    name: 'BACKFILL_MAX_BACKLOG',
    description:
      'Backfill stays below live traffic: the next page waits while the customer queue holds more than this many messages, so a live request never queues behind more backfill than that.',
    default: '100',
    local: '100',
    azure: true,
    schema: positiveInt,
  }),
  define({
    name: 'DRIFT_REPAIR_INTERVAL_SECONDS',
    description:
      "Drift repair (issue 30, docs/webhooks.md): every this many seconds, one instance of the fleet pages each shop's customers changed since the shop's watermark (a shop with an Admin API token) and sends any the sync does not hold (no link, or a failed create) through the webhook intake; the `DriftRepairFound` metric counts them (above 0: webhooks are being missed). 0: off.",
    default: '300',
    local: '300',
    azure: true,
    schema: nonNegativeInt.max(86_400, 'must be at most 86400'),
  }),
  define({
    name: 'DRIFT_REPAIR_MAX_CUSTOMERS',
    description:
      "Drift repair reads at most about this many changed customers per shop per run (whole pages of `BACKFILL_PAGE_SIZE`); the rest of the window continues at the shop's next run.",
    default: '1000',
    local: '1000',
    azure: true,
    schema: positiveInt.max(100_000, 'must be at most 100000'),
  }),
  define({
    name: 'DRIFT_REPAIR_SETTLE_SECONDS',
    description:
      "Drift repair leaves a customer changed less than this many seconds ago to its webhook, still on its way (Shopify's first retries come within minutes); it is looked at by a later run.",
    default: '900',
    local: '900',
    azure: true,
    schema: nonNegativeInt.max(86_400, 'must be at most 86400'),
  }),
  define({
    name: 'DRIFT_REPAIR_LOOKBACK_HOURS',
    description:
      "A shop's first drift-repair run looks at the customers changed this many hours back (later runs start at the shop's watermark). Older customers: a backfill (`POST /api/backfills`).",
    default: '24',
    local: '24',
    azure: true,
    schema: positiveInt.max(8_760, 'must be at most 8760'),
  }),
] as const satisfies readonly SettingDefinition[];
