/**
 * The settings catalogue's part: the F&O safety net (issue 29; shared/use-cases/fo-events/safety-net.ts),
 * after the shops' (drift repair's) in the README's order.
 */
import { define, nonNegativeInt, positiveInt } from './validators';
import type { SettingDefinition } from './validators';

export const foSafetyNetSettings = [
  define({
    name: 'FO_SAFETY_NET_INTERVAL_SECONDS',
    description:
      "F&O safety net (issue 29, docs/webhooks.md): every this many seconds, one instance of the fleet compares a shop's linked customers with D365 (a shop with an Admin API token; the pass continues where the last run stopped) and writes to the shop what D365 changed but no data event brought (F&O events can be late, repeated or missed); the `FoSafetyNetRepaired` metric counts the fields repaired. 0: off.",
    default: '900',
    local: '900',
    azure: true,
    schema: nonNegativeInt.max(86_400, 'must be at most 86400'),
  }),
  define({
    name: 'FO_SAFETY_NET_MAX_CUSTOMERS',
    description:
      "The F&O safety net compares at most about this many shop customers per shop per run (whole pages of `BACKFILL_PAGE_SIZE`; each linked one is one D365 read in the fleet's gate at background priority); the pass continues at the shop's next run.",
    default: '500',
    local: '500',
    azure: true,
    schema: positiveInt.max(100_000, 'must be at most 100000'),
  }),
] as const satisfies readonly SettingDefinition[];
