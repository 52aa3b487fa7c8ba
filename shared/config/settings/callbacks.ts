/** The settings catalogue's part: Result callbacks: allowed hosts, signing, queue and retries. */
import { z } from 'zod';
import { callbackHost, commaList, define, ipAddress, positiveInt, queueName, tableName } from './validators';
import type { SettingDefinition } from './validators';

export const callbackSettings = [
  define({
    name: 'CALLBACK_ALLOWED_HOSTS',
    description:
      'Hosts a `Callback-Url` may name (result callbacks, docs/api.md): comma-separated, `hooks.example.com` or `*.example.com` (its sub-domains), each with an optional `:port` (`:*` any; without, 443 only). Only `https://`; a host that resolves to a private, loopback or link-local address is refused. Empty: callbacks off.',
    default: '',
    local: '127.0.0.1:*',
    azure: true,
    schema: commaList(callbackHost),
  }),
  define({
    name: 'CALLBACK_ALLOWED_PRIVATE_ADDRESSES',
    description:
      '**Local development only** (never set in Azure): IP addresses a `Callback-Url` may name literally although they are not public, e.g. `127.0.0.1` for an HTTPS receiver on this machine (its host must also be in `CALLBACK_ALLOWED_HOSTS`, e.g. `127.0.0.1:8443`). A DNS name resolving to such an address is refused regardless.',
    default: '',
    local: '127.0.0.1',
    azure: false,
    schema: commaList(ipAddress),
  }),
  define({
    name: 'CALLBACK_SECRET_NAME',
    description:
      "Name of the Key Vault secret holding the app's `whsec_…` secret for result callbacks (Standard Webhooks): each caller's events are signed with a secret derived from it and the caller (`GET /api/callbacks/secret`); during a rotation the previous version signs too.",
    default: 'callback-signing-secret',
    local: 'callback-signing-secret',
    azure: true,
    schema: z.string().regex(/^[0-9a-zA-Z-]{1,127}$/, 'must be a Key Vault secret name'),
  }),
  define({
    name: 'CALLBACK_QUEUE_NAME',
    description:
      'The callback outbox: the queue that holds result events until their callback URL took them.',
    default: 'customer-callbacks',
    local: 'customer-callbacks',
    azure: true,
    schema: queueName,
  }),
  define({
    name: 'CALLBACK_ENDPOINTS_TABLE_NAME',
    description:
      'Table of callback URLs disabled because they answered 410 Gone (delete a row to enable its URL again).',
    default: 'callbackendpoints',
    local: 'callbackendpoints',
    azure: true,
    schema: tableName,
  }),
  define({
    name: 'CALLBACK_TIMEOUT_MS',
    description:
      'A callback endpoint that has not answered within this many milliseconds counts as a failed attempt.',
    default: '5000',
    local: '5000',
    azure: true,
    schema: positiveInt.max(30_000, 'must be at most 30000'),
  }),
  define({
    name: 'CALLBACK_RETRY_BASE_SECONDS',
    description:
      "Back-off between callback attempts: a random delay up to base · 2^(attempt−1) seconds (at least 1), capped by `CALLBACK_RETRY_MAX_DELAY_SECONDS`; an endpoint's `Retry-After` is honoured instead.",
    default: '5',
    local: '5',
    azure: true,
    schema: positiveInt,
  }),
  define({
    name: 'CALLBACK_RETRY_MAX_DELAY_SECONDS',
    description: 'The longest back-off between two callback attempts.',
    default: '3600',
    local: '3600',
    azure: true,
    schema: positiveInt,
  }),
  define({
    name: 'CALLBACK_MAX_ATTEMPTS',
    description: 'A callback is given up (logged, `CallbackFailed` event) after this many failed attempts.',
    default: '12',
    local: '12',
    azure: true,
    schema: positiveInt.max(100, 'must be at most 100'),
  }),
] as const satisfies readonly SettingDefinition[];
