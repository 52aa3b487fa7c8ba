import { startAppStack } from '../dev/local-stack/app-stack';
import { customerBody, customerEmail, newTag } from './customers';
import { BenchEmulator } from './emulator-control';
import { BenchOptions } from './options';
import { summarize, Summary } from './stats';

/**
 * `--only settle` (opt-in, not in the default run): what D365_SETTLE_SECONDS costs. For settle times
 * of 1, 2 and 10 s, on a fresh stack each (custom-service target, DUPLICATE_POLICY=create so only
 * recovery looks D365 up, the committed retry defaults), it measures request accepted → ended
 * (`updatedAt − createdAt` of the status record) of:
 * - `account-in-answer` (baseline): D365 answers 200 with the account;
 * - `accepted-without-account`: 200 with an empty body (a `void` X++ operation): the customer is
 *   looked up one settle time later;
 * - `uncertain-not-committed`: a 504 before D365 did anything: the create is repeated only once a
 *   lookup at least one settle time after it finds nothing;
 * - `uncertain-committed`: a 504 after the commit: the first lookup finds it (settle-independent).
 * Each request is checked to end `succeeded` with exactly one D365 customer.
 */
/** 1 is the smallest the setting allows (D365_SETTLE_SECONDS is a whole number above 0). */
export const SETTLE_VALUES = [1, 2, 10] as const;
const REQUESTS = 4;

export type SettleCase =
  'account-in-answer' | 'accepted-without-account' | 'uncertain-not-committed' | 'uncertain-committed';

export interface SettleRow {
  settleSeconds: number;
  case: SettleCase;
  endToEndMs: Summary;
  /** Requests that did not end `succeeded` with exactly one customer (0 expected). */
  wrong: number;
}

export interface SettleCostResult {
  requestsPerCase: number;
  d365LatencyMs: number;
  rows: SettleRow[];
}

interface Final {
  status: string;
  createdAt: string;
  updatedAt: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runSettleCost(
  options: BenchOptions,
  _emulator: BenchEmulator,
  log: (line: string) => void,
): Promise<SettleCostResult> {
  const rows: SettleRow[] = [];
  for (const settleSeconds of SETTLE_VALUES) {
    const stack = await startAppStack({
      emulator: { latencyMs: options.d365LatencyMs },
      settings: {
        D365_SETTLE_SECONDS: String(settleSeconds),
        DUPLICATE_POLICY: 'create',
        RATE_LIMIT_PER_MINUTE: '0',
        'AzureWebJobs.reconcileCustomers.Disabled': 'true',
        'AzureWebJobs.purgeRecords.Disabled': 'true',
      },
    });
    try {
      const submit = async (tag: string, n: number): Promise<{ ms: number; ok: boolean }> => {
        const accepted = await fetch(`${stack.url}/api/customers`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: customerBody(tag, n),
        });
        const { statusUrl } = (await accepted.json()) as { statusUrl: string };
        const deadline = Date.now() + 120_000;
        let final: Final | undefined;
        while (Date.now() < deadline) {
          const answer = (await (await fetch(statusUrl)).json()) as Final;
          if (['succeeded', 'failed', 'needs_review'].includes(answer.status)) {
            final = answer;
            break;
          }
          await sleep(50);
        }
        if (!final) return { ms: NaN, ok: false };
        const email = customerEmail(tag, n);
        const held = (await stack.customers()).filter((c) => c.fields.PrimaryContactEmail === email);
        return {
          ms: Date.parse(final.updatedAt) - Date.parse(final.createdAt),
          ok: final.status === 'succeeded' && held.length === 1,
        };
      };
      const measure = async (which: SettleCase, prepare: () => Promise<void>, together: boolean) => {
        const tag = newTag();
        const samples: { ms: number; ok: boolean }[] = [];
        if (together) {
          await prepare();
          samples.push(...(await Promise.all(Array.from({ length: REQUESTS }, (_, n) => submit(tag, n)))));
        } else {
          for (let n = 0; n < REQUESTS; n += 1) {
            await prepare();
            samples.push(await submit(tag, n));
          }
        }
        await stack.emulatorApi('DELETE', '/_emulator/faults');
        const row: SettleRow = {
          settleSeconds,
          case: which,
          endToEndMs: summarize(samples.map((s) => s.ms).filter((ms) => !Number.isNaN(ms))),
          wrong: samples.filter((s) => !s.ok).length,
        };
        log(
          `settle ${settleSeconds} s, ${which}: p50 ${row.endToEndMs.p50} ms, max ${row.endToEndMs.max} ms, wrong ${row.wrong}`,
        );
        rows.push(row);
      };
      const answer = (shape: string) => async () =>
        void (await stack.emulatorApi('PATCH', '/_emulator/settings', { customServiceResponse: shape }));
      const fault = (after: boolean) => async () =>
        void (await stack.emulatorApi('POST', '/_emulator/faults', {
          service: 'd365',
          path: 'CreateCustomer',
          status: 504,
          count: 1,
          ...(after && { after: true }),
        }));
      await measure('account-in-answer', answer('object'), true);
      await measure('accepted-without-account', answer('empty'), true);
      await answer('object')();
      await measure('uncertain-not-committed', fault(false), false);
      await measure('uncertain-committed', fault(true), false);
    } finally {
      await stack.stop();
    }
  }
  return { requestsPerCase: REQUESTS, d365LatencyMs: options.d365LatencyMs, rows };
}
