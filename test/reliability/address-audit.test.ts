import { runAddressAudit } from '../../dev/local-stack/address-audit';

/**
 * The audit's address phase (dev/local-stack/address-audit.ts) at CI size: 60 customers with six
 * addresses each on the CustomersV3 target (four land through CustomerPostalAddresses), a fifth of
 * D365 calls failing as in the loss-and-duplicate audit (address POSTs and lists included, after
 * D365 committed too), the host killed once while addresses are being landed.
 */
describe('address audit', () => {
  it('lands every further address once: none duplicated, none reported landed that D365 lacks', async () => {
    const report = await runAddressAudit({
      customers: 60,
      concurrency: 8,
      faultProbability: 0.2,
      restarts: 1,
      storageConnectionString: process.env.TEST_STORAGE_CONNECTION_STRING,
      settleSeconds: 240,
    });
    console.log(`address audit: ${JSON.stringify(report)}`);
    expect(report).toMatchObject({
      customers: 60,
      succeeded: 60,
      notSucceeded: 0,
      duplicated: 0,
      missing: 0,
    });
    expect(report.landed + report.failed).toBe(240);
    expect(report.hostRestarts).toBe(1);
    expect(report.faultsApplied).toBeGreaterThan(20);
  }, 1_500_000);
});
