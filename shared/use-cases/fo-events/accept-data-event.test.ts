import type { CustomerDataEvent } from '../../domain/fo-events/data-event';
import type { FoEventQueueMessage } from '../../domain/fo-events/event-message';
import { memoryFoEventLedger } from '../../../test/support/memory-fo-events';
import type { CustomerLink, TelemetryMetric } from '../../ports';
import { silentLog } from '../../ports';
import { acceptDataEvent, AcceptDataEventDeps } from './accept-data-event';

const event = (overrides: Partial<CustomerDataEvent> = {}): CustomerDataEvent => ({
  eventId: 'a1b2c3d4-0000-4000-8000-000000000001',
  controlNumber: 10,
  eventTime: '2026-12-07T10:00:00.000Z',
  operation: 'Update',
  legalEntity: 'USRT',
  customerAccount: 'US-000001',
  record: { PersonFirstName: 'Jane', CreditLimit: 500 },
  ...overrides,
});

const link = (overrides: Partial<CustomerLink> = {}): CustomerLink => ({
  source: 'shop-a',
  sourceCustomerId: '42',
  legalEntity: 'USRT',
  customerAccount: 'US-000001',
  createCorrelationId: 'c',
  createdAt: '2026-12-01T00:00:00Z',
  fieldStamps: '{}',
  etag: 'W/"1"',
  ...overrides,
});

function setup(found: CustomerLink | undefined, failSend = false) {
  const ledger = memoryFoEventLedger();
  const sent: FoEventQueueMessage[] = [];
  const metrics: TelemetryMetric[] = [];
  const deps: AcceptDataEventDeps = {
    shopLegalEntities: new Set(['USRT']),
    shopSources: new Set(['shop-a']),
    links: { get: async () => found },
    ledger,
    queue: {
      send: async (message) => {
        if (failSend) throw new Error('queue down');
        sent.push(message);
      },
    },
    telemetry: { trackEvent() {}, trackMetric: (m) => void metrics.push(m) },
    log: silentLog,
    now: () => new Date('2026-12-07T10:00:01Z'),
  };
  return { deps, sent, metrics, ledger };
}

describe('acceptDataEvent', () => {
  it('queues a linked shop customer’s change once, however often the event comes', async () => {
    const { deps, sent, metrics } = setup(link());
    expect(await acceptDataEvent(event(), deps)).toEqual({ kind: 'queued', eventId: event().eventId });
    for (let i = 0; i < 3; i++) {
      expect(await acceptDataEvent(event(), deps)).toMatchObject({ kind: 'ignored', reason: 'duplicate' });
    }
    expect(sent).toHaveLength(1);
    // The message names the event only; its change (the mapped fields only) is in the event's row.
    expect(sent[0]).toEqual({ v: 2, eventId: event().eventId, receivedAt: '2026-12-07T10:00:01.000Z' });
    expect(await deps.ledger.get(event().eventId)).toMatchObject({
      source: 'shop-a',
      sourceCustomerId: '42',
      controlNumber: 10,
      record: { PersonFirstName: 'Jane' },
    });
    expect((await deps.ledger.get(event().eventId))!.record).not.toHaveProperty('CreditLimit');
    expect(metrics.map((m) => m.properties)).toEqual([
      { reason: 'duplicate' },
      { reason: 'duplicate' },
      { reason: 'duplicate' },
    ]);
  });

  it('ignores and counts unknown legal entities, customers without a link, links not to a shop', async () => {
    const cases: [CustomerLink | undefined, Partial<CustomerDataEvent>, string][] = [
      [link(), { legalEntity: 'DEMF' }, 'unknown-legal-entity'],
      [undefined, {}, 'no-link'],
      [link({ customerAccount: undefined }), {}, 'no-link'],
      [link({ source: 'pos', sourceCustomerId: 'x' }), {}, 'not-a-shop-link'],
      [link({ sourceCustomerId: undefined }), {}, 'not-a-shop-link'],
    ];
    for (const [found, overrides, reason] of cases) {
      const { deps, sent, metrics } = setup(found);
      expect(await acceptDataEvent(event(overrides), deps)).toMatchObject({ kind: 'ignored', reason });
      expect(sent).toHaveLength(0);
      expect(metrics).toEqual([{ name: 'FoDataEventsIgnored', value: 1, properties: { reason } }]);
    }
  });

  it('forgets the claim when the queue fails, so the redelivery is taken', async () => {
    const { deps, ledger } = setup(link(), true);
    await expect(acceptDataEvent(event(), deps)).rejects.toThrow('queue down');
    expect(ledger.rows.size).toBe(0);
  });
});
