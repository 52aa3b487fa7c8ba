import { memoryStatusStore } from '../../test/support/memory-status-store';
import { StatusRecord } from '../domain/status';
import { silentLog, TelemetryMetric } from '../ports';
import { reportPrivacyDue } from './privacy-due';

const NOW = new Date('2026-12-07T12:00:00.000Z');
const DAY = 86_400_000;

const privacy = (
  id: string,
  kind: 'erase' | 'export',
  dueInDays: number,
  status: StatusRecord['status'] = 'queued',
): Omit<StatusRecord, 'etag'> => ({
  correlationId: id,
  kind,
  status,
  legalEntity: 'USRT',
  target: 'custom-service',
  attempts: 0,
  createdAt: new Date(NOW.getTime() - (30 - dueInDays) * DAY).toISOString(),
  updatedAt: NOW.toISOString(),
  dueAt: new Date(NOW.getTime() + dueInDays * DAY).toISOString(),
});

describe('privacy requests due (metric behind the workbook tile and the alert)', () => {
  it('counts open requests per type, those due within the warning days and those past due; ended ones and customer requests not at all', async () => {
    const statusStore = memoryStatusStore();
    await statusStore.create(privacy('e-later', 'erase', 20));
    await statusStore.create(privacy('e-soon', 'erase', 3, 'retrying'));
    await statusStore.create(privacy('e-edge', 'erase', 7));
    await statusStore.create(privacy('e-past', 'erase', -1, 'processing'));
    await statusStore.create(privacy('e-done-past', 'erase', -5, 'succeeded'));
    await statusStore.create(privacy('x-soon', 'export', 1));
    await statusStore.create({ ...privacy('create', 'erase', -10), kind: undefined });
    const metrics: TelemetryMetric[] = [];
    const warned: (string | undefined)[] = [];
    const counts = await reportPrivacyDue({
      statusStore,
      telemetry: { trackEvent() {}, trackMetric: (m) => void metrics.push(m) },
      log: { ...silentLog, warn: (_event, fields) => void warned.push(fields?.correlationId) },
      dueAlertDays: 7,
      now: () => NOW,
    });
    expect(counts).toEqual({ open: 5, dueSoon: 3, pastDue: 1 });
    const value = (name: string, type: string) =>
      metrics.find((m) => m.name === name && 'type' in m.properties && m.properties.type === type)?.value;
    expect(value('PrivacyRequestsOpen', 'erase')).toBe(4);
    expect(value('PrivacyRequestsDueSoon', 'erase')).toBe(2);
    expect(value('PrivacyRequestsPastDue', 'erase')).toBe(1);
    expect(value('PrivacyRequestsOpen', 'export')).toBe(1);
    expect(value('PrivacyRequestsDueSoon', 'export')).toBe(1);
    // 0 is reported too, so the tile and the alert see the count go back down.
    expect(value('PrivacyRequestsPastDue', 'export')).toBe(0);
    expect(metrics).toHaveLength(6);
    expect(warned).toEqual(['e-past']);
  });

  it('reports zeros when nothing is open', async () => {
    const metrics: TelemetryMetric[] = [];
    const counts = await reportPrivacyDue({
      statusStore: memoryStatusStore(),
      telemetry: { trackEvent() {}, trackMetric: (m) => void metrics.push(m) },
      log: silentLog,
      dueAlertDays: 7,
      now: () => NOW,
    });
    expect(counts).toEqual({ open: 0, dueSoon: 0, pastDue: 0 });
    expect(metrics.map((m) => m.value)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});
