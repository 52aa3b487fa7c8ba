import { randomBytes } from 'node:crypto';
import { sampleCustomer } from '../../test/fixtures/sample-customers';
import { startAppStack } from './app-stack';
import { AUDIT_SETTINGS, AuditOptions, faultRules } from './audit';
import { stallDetector } from './settle';

/**
 * The address phase of the loss-and-duplicate audit: customers with 3 billing and 3 shipping
 * addresses on the CustomersV3 target (4 of them land through CustomerPostalAddresses after the
 * create) while the emulator injects the audit's faults on every D365 call (address POSTs and lists
 * too: after-commit resets, 504s, slow commits...) and the host is killed. Afterwards every
 * succeeded request's customer must hold each address its status answer calls landed, exactly once,
 * and no customer any address twice.
 */
/** The single-host audit's options: customers, callers, faults, host kills. */
export type AddressAuditOptions = AuditOptions;

export interface AddressAuditReport {
  customers: number;
  succeeded: number;
  /** Requests that did not end `succeeded` (each a customer of its own: the e-mails differ). */
  notSucceeded: number;
  /** Further addresses the status answers call landed / failed. */
  landed: number;
  failed: number;
  /** Landed per the status answer but not in D365. */
  missing: number;
  /** Addresses D365 holds twice for one customer (the emulator's count). */
  duplicated: number;
  /** Failed per the status answer although D365 holds the address. */
  failedButThere: number;
  faultsApplied: number;
  hostRestarts: number;
  seconds: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const place = (row: Record<string, unknown>): string =>
  ['AddressStreet', 'AddressCity', 'AddressState', 'AddressZipCode', 'AddressCountryRegionId']
    .map((name) =>
      String(row[name] ?? '')
        .toLowerCase()
        .replace(/ +$/, ''),
    )
    .join('|');

interface Status {
  status: string;
  customerAccount?: string;
  addresses?: { landed: string[]; failed: string[] };
}

export async function runAddressAudit(options: AddressAuditOptions): Promise<AddressAuditReport> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const runId = randomBytes(3).toString('hex');
  const stack = await startAppStack({
    storageConnectionString: options.storageConnectionString,
    settings: { ...AUDIT_SETTINGS, D365_TARGET: 'odata', DUPLICATE_POLICY: 'link' },
  });
  let restarts = 0;
  try {
    for (const rule of faultRules(options.faultProbability))
      await stack.emulatorApi('POST', '/_emulator/faults', rule);
    const bodies = Array.from({ length: options.customers }, (_, i) => {
      const body = sampleCustomer('full');
      const customer = body.Customer as Record<string, unknown> & {
        BillingAddress: Record<string, unknown>[];
        ShippingAddress: Record<string, unknown>[];
      };
      customer.EmailAddress = `addresses.${runId}.${i}@example.com`;
      const [billing] = customer.BillingAddress;
      const [shipping] = customer.ShippingAddress;
      for (const n of [2, 3]) {
        customer.BillingAddress.push({ ...billing, PrimaryAddress: 'No', Street: `${n} Billing Way ${i}` });
        customer.ShippingAddress.push({ ...shipping, Street: `${n} Shipping Way ${i}` });
      }
      return body;
    });
    const ids: (string | undefined)[] = [];
    let next = 0;
    const submitter = async (): Promise<void> => {
      for (let i = next++; i < bodies.length; i = next++) {
        for (let attempt = 0; attempt < 60 && ids[i] === undefined; attempt += 1) {
          try {
            const response = await fetch(`${stack.url}/api/customers`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'idempotency-key': `addr-${runId}-${i}` },
              body: JSON.stringify(bodies[i]),
              signal: AbortSignal.timeout(10_000),
            });
            if (response.status === 202 || response.status === 201)
              ids[i] = ((await response.json()) as { correlationId: string }).correlationId;
          } catch {
            // The host is restarting: the same key makes the retry safe.
          }
          if (ids[i] === undefined) await sleep(250);
        }
      }
    };
    const restarter = async (): Promise<void> => {
      for (let r = 0; r < options.restarts; r += 1) {
        while (ids.filter(Boolean).length < ((r + 1) * bodies.length) / (options.restarts + 1))
          await sleep(50);
        await sleep(300); // while addresses are being landed
        log(`address audit: killing the host`);
        await stack.restartHost('SIGKILL');
        restarts += 1;
      }
    };
    await Promise.all([...Array.from({ length: options.concurrency }, submitter), restarter()]);

    const stalled = stallDetector(options.settleSeconds ?? 300);
    const statuses = new Map<string, Status>();
    for (;;) {
      for (const id of ids) {
        if (!id || ['succeeded', 'failed', 'needs_review'].includes(statuses.get(id)?.status ?? '')) continue;
        try {
          statuses.set(id, (await (await fetch(`${stack.url}/api/customers/status/${id}`)).json()) as Status);
        } catch {
          // ask again
        }
      }
      const open = ids.filter(
        (id) => !id || !['succeeded', 'failed', 'needs_review'].includes(statuses.get(id)?.status ?? ''),
      );
      if (open.length === 0 || stalled(open.length)) break;
      await sleep(500);
    }
    const rules = await stack.emulatorApi<{ value: { applied?: number }[] }>('GET', '/_emulator/faults');
    await stack.emulatorApi('DELETE', '/_emulator/faults');
    const all = await stack.emulatorApi<{ value: Record<string, unknown>[]; duplicates: number }>(
      'GET',
      '/_emulator/postal-addresses',
    );
    const report: AddressAuditReport = {
      customers: options.customers,
      succeeded: 0,
      notSucceeded: 0,
      landed: 0,
      failed: 0,
      missing: 0,
      duplicated: all.duplicates,
      failedButThere: 0,
      faultsApplied: rules.value.reduce((sum, rule) => sum + (rule.applied ?? 0), 0),
      hostRestarts: restarts,
      seconds: 0,
    };
    ids.forEach((id, i) => {
      const status = id ? statuses.get(id) : undefined;
      if (status?.status !== 'succeeded') {
        report.notSucceeded += 1;
        return;
      }
      report.succeeded += 1;
      const places = new Set(
        all.value.filter((row) => row.CustomerAccountNumber === status.customerAccount).map(place),
      );
      const customer = bodies[i]!.Customer as Record<string, Record<string, unknown>[]>;
      const placeOf = (pointer: string): string => {
        const [, , list, index] = pointer.split('/');
        const a = customer[list!]![Number(index)]!;
        return place({
          AddressStreet: a.Street,
          AddressCity: a.City,
          AddressState: a.State,
          AddressZipCode: a.PostalCode,
          AddressCountryRegionId: a.CountryCode,
        });
      };
      for (const pointer of status.addresses?.landed ?? []) {
        report.landed += 1;
        if (!places.has(placeOf(pointer))) report.missing += 1;
      }
      for (const pointer of status.addresses?.failed ?? []) {
        report.failed += 1;
        if (places.has(placeOf(pointer))) report.failedButThere += 1;
      }
    });
    report.seconds = Math.round((Date.now() - started) / 100) / 10;
    return report;
  } finally {
    await stack.stop();
  }
}
