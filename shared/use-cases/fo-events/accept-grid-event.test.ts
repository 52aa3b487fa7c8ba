import type { FoEventQueueMessage } from '../../domain/fo-events/event-message';
import { memoryFoEventLedger } from '../../../test/support/memory-fo-events';
import type { CustomerLink, TelemetryMetric } from '../../ports';
import { silentLog } from '../../ports';
import { acceptGridEvent, AcceptGridEventDeps } from './accept-grid-event';

const businessEvent = (overrides: Record<string, unknown> = {}) => ({
  BusinessEventId: 'CustomersV3_Update',
  BusinessEventLegalEntity: 'USRT',
  ControlNumber: 5637144577,
  EventId: '9C091AF1-5BAF-4CA9-B0A4-94D6E59A0D1C',
  EventTime: '/Date(1697470966000)/',
  MajorVersion: 0,
  MinorVersion: 0,
  dataAreaId: 'usrt',
  CustomerAccount: 'US-000001',
  PersonFirstName: 'Jane',
  ...overrides,
});

/** An Event Grid event as F&O's Event Grid endpoint publishes it: `data` is the business event's JSON. */
const gridEvent = (data: unknown) => ({
  id: 'e1',
  topic: '/subscriptions/0/resourceGroups/rg/providers/Microsoft.EventGrid/topics/fo',
  subject: 'CustomersV3_Update',
  eventType: 'CustomersV3_Update',
  eventTime: '2023-10-16T15:42:46Z',
  data,
  dataVersion: '1.0',
  metadataVersion: '1',
});

const link: CustomerLink = {
  source: 'shop-a',
  sourceCustomerId: '42',
  legalEntity: 'USRT',
  customerAccount: 'US-000001',
  createCorrelationId: 'c',
  createdAt: '2026-12-01T00:00:00Z',
  fieldStamps: '{}',
  etag: 'W/"1"',
};

function setup(found: CustomerLink | undefined, failSend = false) {
  const sent: FoEventQueueMessage[] = [];
  const metrics: TelemetryMetric[] = [];
  const telemetry = { trackEvent() {}, trackMetric: (m: TelemetryMetric) => void metrics.push(m) };
  const deps: AcceptGridEventDeps = {
    accept: {
      shopLegalEntities: new Set(['USRT']),
      shopSources: new Set(['shop-a']),
      links: { get: async () => found },
      ledger: memoryFoEventLedger(),
      queue: {
        send: async (message) => {
          if (failSend) throw new Error('queue down');
          sent.push(message);
        },
      },
      telemetry,
      log: silentLog,
      now: () => new Date('2026-12-07T10:00:01Z'),
    },
    telemetry,
    log: silentLog,
  };
  return { deps, sent, metrics };
}

describe('acceptGridEvent', () => {
  it('takes the business event from data (JSON text or an object), once per EventId', async () => {
    const { deps, sent } = setup(link);
    const eventId = '9c091af1-5baf-4ca9-b0a4-94d6e59a0d1c';
    expect(await acceptGridEvent(gridEvent(JSON.stringify(businessEvent())), deps)).toEqual({
      kind: 'queued',
      eventId,
    });
    expect(await acceptGridEvent(gridEvent(businessEvent()), deps)).toMatchObject({
      kind: 'ignored',
      reason: 'duplicate',
    });
    expect(sent).toEqual([{ v: 2, eventId, receivedAt: '2026-12-07T10:00:01.000Z' }]);
  });

  it('takes a CloudEvent v1.0 the same way', async () => {
    const { deps, sent } = setup(link);
    const cloudEvent = {
      specversion: '1.0',
      id: 'c1',
      source: '/fo',
      type: 'CustomersV3_Update',
      data: businessEvent(),
    };
    expect(await acceptGridEvent(cloudEvent, deps)).toMatchObject({ kind: 'queued' });
    expect(sent).toHaveLength(1);
  });

  it('acknowledges and counts what it cannot take: not an event, the endpoint test, another entity, no link', async () => {
    const { deps, sent, metrics } = setup(undefined);
    expect(await acceptGridEvent('text', deps)).toEqual({ kind: 'ignored', reason: 'invalid' });
    expect(await acceptGridEvent(gridEvent('{not json'), deps)).toEqual({
      kind: 'ignored',
      reason: 'invalid',
    });
    expect(await acceptGridEvent(gridEvent(businessEvent({ ControlNumber: 'x' })), deps)).toEqual({
      kind: 'ignored',
      reason: 'invalid',
    });
    expect(
      await acceptGridEvent(gridEvent({ BusinessEventId: 'BusinessEventsTestEndpointContract' }), deps),
    ).toEqual({ kind: 'ignored', reason: 'endpoint-test' });
    expect(
      await acceptGridEvent(gridEvent(businessEvent({ BusinessEventId: 'VendorsV2_Update' })), deps),
    ).toMatchObject({
      kind: 'ignored',
      reason: 'other-entity',
    });
    expect(await acceptGridEvent(gridEvent(businessEvent()), deps)).toMatchObject({
      kind: 'ignored',
      reason: 'no-link',
    });
    expect(sent).toHaveLength(0);
    expect(metrics.map((m) => (m.properties as { reason?: string }).reason)).toEqual([
      'invalid',
      'invalid',
      'invalid',
      'other-entity',
      'no-link',
    ]);
  });

  it('throws when the event cannot be stored, so Event Grid delivers it again, and then takes it', async () => {
    const failing = setup(link, true);
    await expect(acceptGridEvent(gridEvent(businessEvent()), failing.deps)).rejects.toThrow('queue down');
    const { deps, sent } = setup(link);
    deps.accept.ledger = failing.deps.accept.ledger;
    expect(await acceptGridEvent(gridEvent(businessEvent()), deps)).toMatchObject({ kind: 'queued' });
    expect(sent).toHaveLength(1);
  });
});
