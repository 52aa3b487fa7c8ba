/** The settings catalogue's part: Retention and privacy requests. */
import { z } from 'zod';
import { commaList, define, positiveInt } from './validators';
import type { SettingDefinition } from './validators';

export const privacySettings = [
  define({
    name: 'RECORD_RETENTION_DAYS',
    description:
      'Status records (and with them Idempotency-Keys and the stored requests) and poison messages are deleted after this many days.',
    default: '30',
    local: '30',
    azure: true,
    schema: positiveInt.max(3650, 'must be at most 3650'),
  }),
  define({
    name: 'FAILED_REQUEST_RETENTION_DAYS',
    description:
      "A `failed` or `needs_review` request keeps the customer it was sent (personal data, for an operator's replay or review) this many days after it ended; then the hourly retention timer drops it and only the record's facts stay until `RECORD_RETENTION_DAYS`. A request that succeeds drops it at once. An uploaded CSV export (`POST /api/backfills/csv`) is held as long at most: its pages not read by a job that never ended go this many days after the upload. SECURITY.md lists what is held where.",
    default: '7',
    local: '7',
    azure: true,
    schema: positiveInt.max(3650, 'must be at most 3650'),
  }),
  define({
    name: 'PRIVACY_ANONYMISE_LEGAL_ENTITIES',
    description:
      'Privacy requests (docs/privacy.md): the legal entities (comma-separated, e.g. `USMF,DEMF`) whose linked D365 customers an erasure **anonymises** (one CustomersV3 update through the update pipeline replacing name, e-mail, phone and address fields with placeholders). Any other legal entity: `report` (the request names the linked accounts for the merchant to handle in F&O). Empty: report everywhere.',
    default: '',
    local: '',
    azure: true,
    schema: commaList(
      z.string().regex(/^[A-Za-z0-9]{1,4}$/, 'must list legal entities (1-4 letters or digits)'),
    ),
  }),
  define({
    name: 'PRIVACY_SETTLE_SECONDS',
    description:
      'An erasure takes a last look for data of its customer this long after its erasure marks were written (longer than an intake takes between checking a mark and storing its record), then completes.',
    default: '60',
    local: '60',
    azure: true,
    schema: positiveInt.max(3600, 'must be at most 3600'),
  }),
  define({
    name: 'PRIVACY_DUE_ALERT_DAYS',
    description:
      'Privacy requests must be completed within 30 days of receipt. The hourly `purgeRecords` timer reports the open ones (`PrivacyRequestsOpen`), those due within this many days (`PrivacyRequestsDueSoon`) and those past due (`PrivacyRequestsPastDue`); the "privacy request due" alert fires on either of the last two, so an operator hears of a stuck request this many days before its due date.',
    default: '7',
    local: '7',
    azure: true,
    schema: positiveInt.max(29, 'must be at most 29 (requests are due in 30 days)'),
  }),
  define({
    name: 'LINK_RETENTION_DAYS',
    description:
      'Customer links (`LINK_TABLE_NAME`: the account, field stamps and salted digests of what was last sent, no personal values), and links reserved by a create that never completed, are deleted by the hourly retention timer once unchanged for this many days. Afterwards an update of that customer is `404` (`unknown-customer`) and its next create links it again.',
    default: '365',
    local: '365',
    azure: true,
    schema: positiveInt.max(3650, 'must be at most 3650'),
  }),
] as const satisfies readonly SettingDefinition[];
