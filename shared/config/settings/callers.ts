/** The settings catalogue's part: Callers: authentication, roles, rate limits and fair sharing. */
import { z } from 'zod';
import { define, nonNegativeInt, oneOf, positiveInt } from './validators';
import type { SettingDefinition } from './validators';
import { callerKeysSetting, callerWeightsSetting } from '../caller-keys';

export const callerSettings = [
  define({
    name: 'CALLER_AUTH',
    description:
      'How callers are told apart: `keys` (function keys; named ones with CALLER_KEYS) or `app-service` (App Service Authentication with Entra ID in front: the platform-injected `X-MS-CLIENT-PRINCIPAL` names the caller and its app roles). Only set `app-service` when the platform injects the header.',
    default: 'keys',
    local: 'keys',
    azure: true,
    schema: oneOf(['keys', 'app-service']),
  }),
  define({
    name: 'CALLER_KEYS',
    description:
      'Named function keys (`keys` mode): a JSON array of `{"name", "keySha256", "roles"}`, the SHA-256 (hex) of each caller\'s function key and what it may do (`create`, `read`, `accounts`, `staff`, `operator`; default `["create","read"]`). Each key is then a caller of its own: its references, requests, rate limit and callback secret. A request with any other key on a customer route is 403. Empty: every key is one shared caller that may do everything. In `app-service` mode only the F&O data events route (`POST /api/d365/data-events`, outside App Service Authentication) reads it: F&O\'s own key, listed with `accounts`, is the only key that opens that route there. See SECURITY.md.',
    default: '[]',
    local: '[]',
    azure: true,
    schema: callerKeysSetting,
  }),
  define({
    name: 'CALLER_ROLE_CREATE',
    description: 'App role a caller needs to create customers (`app-service` mode).',
    default: 'Customers.Create',
    local: 'Customers.Create',
    azure: true,
    schema: z.string().min(1).max(120),
  }),
  define({
    name: 'CALLER_ROLE_READ',
    description: 'App role a caller needs to read the status of its own requests (`app-service` mode).',
    default: 'Customers.Read',
    local: 'Customers.Read',
    azure: true,
    schema: z.string().min(1).max(120),
  }),
  define({
    name: 'CALLER_ROLE_ACCOUNTS',
    description:
      'App role a caller needs to update customers by D365 account (`PATCH /api/customers/accounts/…`, `app-service` mode): POS and back office, not shops. Without it every such request is 403, whether the account exists or not.',
    default: 'Customers.UpdateByAccount',
    local: 'Customers.UpdateByAccount',
    azure: true,
    schema: z.string().min(1).max(120),
  }),
  define({
    name: 'CALLER_ROLE_STAFF',
    description:
      "App role of callers that verify a shopper's identity themselves (POS staff, `app-service` mode): their creates that match an existing D365 customer (DUPLICATE_POLICY=link) may change it; other callers' such links stay pending until verified.",
    default: 'Customers.Staff',
    local: 'Customers.Staff',
    azure: true,
    schema: z.string().min(1).max(120),
  }),
  define({
    name: 'CALLER_ROLE_OPERATOR',
    description:
      "App role for operators: replay failed requests and read any caller's status (`app-service` mode).",
    default: 'Customers.Operate',
    local: 'Customers.Operate',
    azure: true,
    schema: z.string().min(1).max(120),
  }),
  define({
    name: 'RATE_LIMIT_PER_MINUTE',
    description:
      "Customer requests one caller may send per minute to one instance before 429 (0 turns it off). Azure API Management is the production place for quotas; this is the app's own guard.",
    default: '600',
    local: '600',
    azure: true,
    schema: nonNegativeInt,
  }),
  define({
    name: 'MAX_CONCURRENT_WAITS',
    description:
      '`Prefer: wait` requests one instance holds open at once; beyond it the answer is 202 at once.',
    default: '50',
    local: '50',
    azure: true,
    schema: nonNegativeInt,
  }),
  define({
    name: 'FAIR_SHARE_WAITERS',
    description:
      "Fair sharing between callers: how many of one caller's queued requests one instance always makes room for, times its CALLER_WEIGHTS weight. A caller over its share still gets the instance's spare room (up to `newBatchThreshold` minus this many requests at once, so the host keeps receiving messages); beyond that its message is sent back for a second or more (not counted as a failed delivery) and the instance takes the next, another caller's, which then goes before the busy caller's at the D365 gate. All background work (backfills, bulk replays) shares one unweighted share and waits behind live requests for D365. 0: no fair sharing (first come, first served).",
    default: '4',
    local: '4',
    azure: true,
    schema: nonNegativeInt,
  }),
  define({
    name: 'CALLER_WEIGHTS',
    description:
      'Weights of callers for fair sharing: a JSON object of caller ID (`key:<name>` for a CALLER_KEYS entry, the Entra object ID in `app-service` mode, `webhook:<source>` for a webhook source, `anonymous` for requests without one) to a weight from 0.1 to 16; unnamed callers weigh 1. A caller of weight 2 gets twice the share of FAIR_SHARE_WAITERS and twice the turns at the D365 gate.',
    default: '{}',
    local: '{}',
    azure: true,
    schema: callerWeightsSetting,
  }),
  define({
    name: 'AzureFunctionsJobHost__extensions__queues__newBatchThreshold',
    description:
      "The host's own override of host.json's `extensions.queues.newBatchThreshold` (the host receives more messages only while at most this many run): read by the app too, so fair sharing leaves room for another caller's message. Unset: host.json's value (a test keeps this default equal to it). Must be at least FAIR_SHARE_WAITERS × the largest weight.",
    default: '16',
    local: '16',
    azure: false,
    schema: positiveInt,
  }),
] as const satisfies readonly SettingDefinition[];
