// The queue worker's dependencies as the unit tests build them: each test names its own ports and
// what it changes; the rest are the settings most tests share.
import { d365Gate } from '../../shared/adapters/d365/d365-gate';
import { noopTelemetry, silentLog } from '../../shared/ports';
import { WorkerDeps } from '../../shared/use-cases/worker/deps';
import { testKeyCorrelation } from './correlation-key';
import { memoryIdentityClaims } from './memory-identity-claims';

/**
 * Worker dependencies with the shared defaults: no poison queue, telemetry or log to read, four gate
 * slots, the custom service, the `link` policy, three attempts, a 60 s lease, no settle wait, the
 * middle of the retry jitter, identity claims in memory on the test's clock (`now`, else real time).
 */
export function testWorkerDeps(
  parts: Pick<WorkerDeps, 'statusStore' | 'queue' | 'd365'> & Partial<WorkerDeps>,
): WorkerDeps {
  return {
    poisonQueue: { send: async () => undefined },
    telemetry: noopTelemetry,
    log: silentLog,
    gate: d365Gate(4),
    target: 'custom-service',
    defaultCustomerGroup: '30',
    ...testKeyCorrelation(),
    duplicatePolicy: 'link',
    retry: { baseSeconds: 2, maxDelaySeconds: 300, maxAttempts: 3, maxTotalSeconds: 3600 },
    leaseSeconds: 60,
    callTimeoutMs: 30_000,
    identityClaims: memoryIdentityClaims(parts.now),
    maxInlineWaitMs: 5_000,
    settleSeconds: 0,
    random: () => 0.5,
    ...parts,
  };
}
