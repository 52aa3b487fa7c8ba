import { memoryStatusStore } from '../../test/support/memory-status-store';
import { purgeExpiredRecords } from './retention';
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
});
