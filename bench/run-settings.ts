import { BENCH_SETTINGS } from './our-host';
import { Results } from './results';

/** What each phase ran with, in words: the lines under the machine in both reports. */
export function runSettings(r: Results): string[] {
  const o = r.options;
  const out = [
    `emulator: D365 latency ${o.d365LatencyMs} ms, throttle ${o.throttleRate} requests/s; waited ${r.quietWaitSeconds} s for a quiet machine`,
    `every host: ${Object.entries(BENCH_SETTINGS)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')} (the bench is one caller standing for many)`,
  ];
  if (r.intake)
    out.push(
      'intake: processCustomer, deliverCallbacks and the timers disabled (both sides only write); fresh Azurite per run',
    );
  if (r.webhooks)
    out.push(
      'webhooks: same host settings as intake plus three WEBHOOK_SOURCES (secrets in the emulator\u2019s Key Vault); every request signed by the load generator; fresh Azurite and host per run',
    );
  const sized = r.endToEnd?.runs.find((d) => !d.label.includes('shipped'));
  if (sized) {
    out.push(
      `drains: ${Object.entries(sized.settings)
        .filter(([k]) => k !== 'DUPLICATE_POLICY')
        .map(([k, v]) => `${k.replace('AzureFunctionsJobHost__extensions__queues__', 'queues.')}=${v}`)
        .join(', ')}; "shipped settings" = host.json and defaults as committed`,
    );
  }
  if (r.lowLoad)
    out.push(
      'low load: shipped settings; status polled every 100 ms; the maxPollingInterval variants override host.json',
    );
  if (r.naive)
    out.push(
      `naive comparison: ours with the drain settings, policy link; ${r.naive.ratePerSecond} customers/s for ${r.naive.seconds} s`,
    );
  return out;
}
