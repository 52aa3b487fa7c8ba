import { n, pcts, x } from './cells';
import { Results } from './results';
import { TARGET_CELLS } from './targets';
import type { Row } from './table-rows';
import { WEBHOOK_ROUTES, WebhookRoute } from './webhook-intake';

/** The webhook phase's rows: each route next to `POST /api/customers` of the same run (the baseline column). */
export function webhookRows(r: Results): Omit<Row, 'section'>[] {
  const w = r.webhooks;
  if (!w) return [];
  const last = w.rounds[w.rounds.length - 1]!;
  const answers = (route: keyof typeof last): string => {
    const all: Record<string, number> = {};
    for (const round of w.rounds)
      for (const [code, count] of Object.entries(round[route].statuses)) all[code] = (all[code] ?? 0) + count;
    const errors = w.rounds.reduce((sum, round) => sum + round[route].errors, 0);
    return `${Object.entries(all)
      .map(([code, count]) => `${code}: ${n(count)}`)
      .join(', ')}${errors ? `; ${n(errors)} errors` : ''}`;
  };
  const webhooks = WEBHOOK_ROUTES.filter((route): route is WebhookRoute => route !== 'customers');
  return webhooks.flatMap((route) => [
    {
      measure: `${route}: throughput (req/s), ${w.connections} connections, ${w.rounds.length} × ${w.seconds} s`,
      ours: n(w.requestsPerSecond[route]),
      baseline: n(w.requestsPerSecond.customers),
      ratio: x(w.throughputRatio[route]),
      target: TARGET_CELLS.webhook,
    },
    {
      measure: '  p50 / p95 / p99, saturated (last round)',
      ours: pcts(last[route].latency),
      baseline: pcts(last.customers.latency),
      ratio: x(last[route].latency.p99 / last.customers.latency.p99),
      target: TARGET_CELLS.webhookP99,
    },
    {
      measure: `  p50 / p95 / p99, open loop at ${n(w.halfRate)}/s`,
      ours: pcts(w.halfRateRuns[route].latency),
      baseline: pcts(w.halfRateRuns.customers.latency),
      ratio: x(w.halfRateRuns[route].latency.p99 / w.halfRateRuns.customers.latency.p99),
    },
    {
      measure: '  answers, every round',
      ours: answers(route),
      baseline: answers('customers'),
    },
  ]);
}
