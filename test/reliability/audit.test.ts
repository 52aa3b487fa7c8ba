import { runAudit } from '../../dev/local-stack/audit';

/**
 * The loss-and-duplicate audit (dev/audit.ts) at CI size: 1,000 customers, a fifth of D365 calls
 * failing transiently (429, 502, 503, 504, resets, resets after D365 committed, X++ deadlocks, slow
 * commits behind a 504, 2xx answers without an account, 500s without an X++ message), and the host
 * killed twice. `npm run soak` runs a larger one.
 */
describe('loss-and-duplicate audit', () => {
  it('ends every accepted request, with exactly one D365 customer per success and none per failure', async () => {
    const report = await runAudit({
      customers: 1000,
      concurrency: 16,
      faultProbability: 0.2,
      restarts: 2,
      storageConnectionString: process.env.TEST_STORAGE_CONNECTION_STRING,
      settleSeconds: 240,
    });
    console.log(
      `audit: ${report.customers} customers, ${report.accepted} accepted, ${report.succeeded} succeeded, ` +
        `${report.failed} failed, ${report.needsReview} needs_review, ${report.lost} lost, ${report.duplicated} duplicated, ${report.missing} missing, ` +
        `${report.orphans} orphans; ${report.faultsApplied} faults injected, ${report.hostRestarts} host restarts, ` +
        `${report.clientRetries} client retries, ${report.seconds} s`,
    );
    expect(report.accepted).toBe(1000);
    expect(report.lost).toBe(0);
    expect(report.duplicated).toBe(0);
    expect(report.missing).toBe(0);
    expect(report.orphans).toBe(0);
    expect(report.needsReview).toBe(0);
    expect(report.succeeded + report.failed).toBe(report.accepted);
    expect(report.faultsApplied).toBeGreaterThan(100);
    expect(report.hostRestarts).toBe(2);
  }, 1_500_000);
});
