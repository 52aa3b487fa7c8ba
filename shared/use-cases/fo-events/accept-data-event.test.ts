import type { CustomerDataEvent } from '../../domain/fo-events/data-event';
import type { FoEventMessage } from '../../domain/fo-events/event-message';
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
  record: { PersonFirstName: 'Jane' },
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
  const claimed = new Set<string>();
  const sent: FoEventMessage[] = [];
  const metrics: TelemetryMetric[] = [];
  const deps: AcceptDataEventDeps = {
    shopLegalEntities: new Set(['USRT']),
    shopSources: new Set(['shop-a']),
    links: { get: async () => found },
    ledger: {
      claim: async (id) => (claimed.has(id) ? false : (claimed.add(id), true)),
      release: async (id) => void claimed.delete(id),
    },
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
  return { deps, sent, metrics, claimed };
}

describe('acceptDataEvent', () => {
  it('queues a linked shop customer’s change once, however often the event comes', async () => {
    const { deps, sent, metrics } = setup(link());
    expect(await acceptDataEvent(event(), deps)).toEqual({ kind: 'queued', eventId: event().eventId });
    for (let i = 0; i < 3; i++) {
      expect(await acceptDataEvent(event(), deps)).toMatchObject({ kind: 'ignored', reason: 'duplicate' });
    }
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ source: 'shop-a', sourceCustomerId: '42', controlNumber: 10 });
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
    const { deps, claimed } = setup(link(), true);
    await expect(acceptDataEvent(event(), deps)).rejects.toThrow('queue down');
    expect(claimed.size).toBe(0);
  });
});
