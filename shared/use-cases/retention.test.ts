import { memoryStatusStore } from '../../test/support/memory-status-store';
import { memoryCustomerLinks } from '../../test/support/memory-customer-links';
import { memoryFoEventLedger } from '../../test/support/memory-fo-events';
import { dropEndedPayloads, purgeExpiredFoEvents, purgeExpiredLinks, purgeExpiredRecords } from './retention';
import { StatusRecord } from '../domain/status';
import { silentLog } from '../ports';

const record = (id: string, createdAt: string): Omit<StatusRecord, 'etag'> => ({
  correlationId: id,
  status: 'succeeded',
  legalEntity: 'USRT',
  target: 'custom-service',
  attempts: 1,
  createdAt,
  updatedAt: createdAt,
});

describe('retention', () => {
  it('deletes F&O data events (their changes) received more than FO_EVENTS_RETENTION_DAYS ago, in batches', async () => {
    const ledger = memoryFoEventLedger();
    for (let i = 0; i < 5; i += 1) await ledger.claim(`old-${i}`, '2026-11-18T23:59:59.000Z');
    await ledger.claim('recent', '2026-11-19T00:00:01.000Z');
    ledger.states.add('USRT\nUS-000001');
    const deleted = await purgeExpiredFoEvents(
      { ledger, log: silentLog, retentionDays: 7, now: () => new Date('2026-11-26T00:00:00.000Z') },
      2,
    );
    expect(deleted).toBe(5);
    expect([...ledger.rows.keys()]).toEqual(['recent']);
    expect(ledger.states.size).toBe(1); // the field stamps stay
  });

  it('deletes records older than the retention, in batches, and keeps the rest', async () => {
    const statusStore = memoryStatusStore();
    for (let i = 0; i < 7; i += 1) await statusStore.create(record(`old-${i}`, '2026-10-01T00:00:00.000Z'));
    await statusStore.create(record('recent', '2026-11-20T00:00:00.000Z'));
    const deleted = await purgeExpiredRecords(
      { statusStore, log: silentLog, retentionDays: 30, now: () => new Date('2026-11-26T00:00:00.000Z') },
      3,
    );
    expect(deleted).toBe(7);
    expect([...statusStore.records.keys()]).toEqual(['recent']);
  });

  it('stops (until the next run) when a full batch of records cannot be deleted, logging each failure', async () => {
    const statusStore = memoryStatusStore();
    for (let i = 0; i < 3; i += 1) await statusStore.create(record(`old-${i}`, '2026-10-01T00:00:00.000Z'));
    statusStore.delete = () => Promise.reject(new Error('storage unavailable'));
    const failures: string[] = [];
    const log = { ...silentLog, error: (event: string) => void failures.push(event) };
    const deleted = await purgeExpiredRecords(
      { statusStore, log, retentionDays: 30, now: () => new Date('2026-11-26T00:00:00.000Z') },
      3,
    );
    expect(deleted).toBe(0);
    expect(failures).toEqual(Array(3).fill('retention.delete_failed'));
    expect(statusStore.records.size).toBe(3);
  });
});

describe('holding less: the request of a failed or needs_review record', () => {
  it('drops it FAILED_REQUEST_RETENTION_DAYS after the request ended, keeping the record and any younger or unfinished one', async () => {
    const statusStore = memoryStatusStore();
    const payload = '{"Customer":{"FirstName":"Ada"}}';
    const ended = '2026-11-10T00:00:00.000Z';
    await statusStore.create({ ...record('failed-old', ended), status: 'failed', payload });
    await statusStore.create({ ...record('review-old', ended), status: 'needs_review', payload });
    await statusStore.create({
      ...record('failed-new', '2026-11-25T00:00:00.000Z'),
      status: 'failed',
      payload,
    });
    await statusStore.create({ ...record('retrying-old', ended), status: 'retrying', payload });
    const dropped = await dropEndedPayloads(
      { statusStore, log: silentLog, retentionDays: 7, now: () => new Date('2026-11-26T00:00:00.000Z') },
      1,
    );
    expect(dropped).toBe(2);
    const payloads = Object.fromEntries([...statusStore.records].map(([id, r]) => [id, r.payload]));
    expect(payloads).toEqual({
      'failed-old': undefined,
      'review-old': undefined,
      'failed-new': payload,
      'retrying-old': payload,
    });
    expect(statusStore.records.get('failed-old')).toMatchObject({ status: 'failed', createdAt: ended });
  });
});

describe('link retention', () => {
  const link = (sourceCustomerId: string, createCorrelationId: string) => ({
    source: 'shop-eu',
    sourceCustomerId,
    legalEntity: 'USRT',
    createCorrelationId,
    createdAt: '2025-01-01T00:00:00.000Z',
    sentDigests: '{"salt":"s","fields":{}}',
    fieldStamps: '{}',
  });
  const day = (iso: string) => new Date(iso);

  it('deletes links unchanged for the retention, reserved ones too, and keeps those changed since', async () => {
    let clock = day('2025-01-01T00:00:00.000Z');
    const links = memoryCustomerLinks({ now: () => clock });
    for (let i = 0; i < 5; i += 1) {
      await links.reserve(link(`old-${i}`, `c-old-${i}`));
      await links.complete(
        { ...link(`old-${i}`, `c-old-${i}`), customerAccount: `US-00${i}` },
        clock.toISOString(),
      );
    }
    await links.reserve(link('pending', 'c-pending')); // a create reserved and never completed
    await links.reserve(link('touched', 'c-touched'));
    await links.complete({ ...link('touched', 'c-touched'), customerAccount: 'US-100' }, clock.toISOString());
    clock = day('2025-12-01T00:00:00.000Z');
    const touched = (await links.get({ kind: 'reference', source: 'shop-eu', sourceCustomerId: 'touched' }))!;
    await links.save(touched, { fieldStamps: '{"FirstName":{"kind":"arrival","value":1,"arrivedAt":1}}' }); // an update applied
    clock = day('2026-02-01T00:00:00.000Z');

    const deleted = await purgeExpiredLinks(
      { links, log: silentLog, retentionDays: 365, now: () => clock },
      2,
    );

    expect(deleted).toBe(6);
    expect([...links.rows.values()].map((l) => l.sourceCustomerId)).toEqual(['touched']);
    expect(
      await links.get({ kind: 'account', legalEntity: 'USRT', customerAccount: 'US-001' }),
    ).toBeUndefined();
    expect(
      await links.get({ kind: 'account', legalEntity: 'USRT', customerAccount: 'US-100' }),
    ).toMatchObject({
      sourceCustomerId: 'touched',
    });
  });

  it('keeps a link updated between the query and the delete (its ETag changed)', async () => {
    let clock = day('2025-01-01T00:00:00.000Z');
    const inner = memoryCustomerLinks({ now: () => clock });
    await inner.complete({ ...link('raced', 'c-raced'), customerAccount: 'US-200' }, clock.toISOString());
    const links = {
      ...inner,
      async findChangedBefore(before: string, limit: number) {
        const found = await inner.findChangedBefore(before, limit);
        clock = day('2026-02-01T00:00:00.000Z');
        const current = (await inner.get({
          kind: 'reference',
          source: 'shop-eu',
          sourceCustomerId: 'raced',
        }))!;
        await inner.save(current, { fieldStamps: '{"Email":"2026-02-01T00:00:00Z"}' }); // the update wins
        return found;
      },
    };

    const deleted = await purgeExpiredLinks({ links, log: silentLog, retentionDays: 365, now: () => clock });

    expect(deleted).toBe(0);
    expect(
      await inner.get({ kind: 'account', legalEntity: 'USRT', customerAccount: 'US-200' }),
    ).toMatchObject({
      fieldStamps: '{"Email":"2026-02-01T00:00:00Z"}',
    });
  });
});
