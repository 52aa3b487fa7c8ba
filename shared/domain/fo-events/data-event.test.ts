import { eventTimeOf, parseDataEvent } from './data-event';

const event = (overrides: Record<string, unknown> = {}) => ({
  BusinessEventId: 'CustomersV3_Update',
  BusinessEventLegalEntity: 'USRT',
  ContextRecordSubject: '',
  ControlNumber: 5637144577,
  EventId: '9C091AF1-5BAF-4CA9-B0A4-94D6E59A0D1C',
  EventTime: '/Date(1697470966000)/',
  EventTimeIso8601: '2023-10-16T15:42:46.000Z',
  MajorVersion: 0,
  MinorVersion: 0,
  dataAreaId: 'usrt',
  CustomerAccount: 'US-000001',
  PersonFirstName: 'Jane',
  ...overrides,
});

describe('F&O data event', () => {
  it('reads the envelope and keeps the entity record without it', () => {
    const parsed = parseDataEvent(event());
    expect(parsed).toEqual({
      kind: 'customer',
      event: {
        eventId: '9c091af1-5baf-4ca9-b0a4-94d6e59a0d1c',
        controlNumber: 5637144577,
        eventTime: '2023-10-16T15:42:46.000Z',
        operation: 'Update',
        legalEntity: 'USRT',
        customerAccount: 'US-000001',
        record: { dataAreaId: 'usrt', CustomerAccount: 'US-000001', PersonFirstName: 'Jane' },
      },
    });
  });

  it('tells creates from updates by the data event ID', () => {
    const parsed = parseDataEvent(event({ BusinessEventId: 'CustomersV3.Create' }));
    expect(parsed.kind === 'customer' && parsed.event.operation).toBe('Create');
  });

  it("acknowledges F&O's endpoint test and another entity's events without reading them", () => {
    expect(parseDataEvent({ BusinessEventId: 'BusinessEventsTestEndpointContract' })).toEqual({
      kind: 'test',
    });
    expect(parseDataEvent(event({ BusinessEventId: 'VendorsV2_Update' }))).toMatchObject({
      kind: 'other-entity',
      businessEventId: 'VendorsV2_Update',
    });
  });

  it('names every bad field with a JSON pointer', () => {
    const parsed = parseDataEvent(
      event({ EventId: 'nope', EventTime: 'yesterday', ControlNumber: '7', CustomerAccount: undefined }),
    );
    expect(parsed.kind).toBe('invalid');
    const pointers = parsed.kind === 'invalid' ? parsed.errors.map((e) => e.pointer).sort() : [];
    expect(pointers).toEqual(['/ControlNumber', '/CustomerAccount', '/EventId', '/EventTime']);
  });

  it('refuses a record of another legal entity than the envelope, and a body that is not one object', () => {
    expect(parseDataEvent(event({ dataAreaId: 'usmf' }))).toMatchObject({
      kind: 'invalid',
      errors: [{ pointer: '/dataAreaId' }],
    });
    expect(parseDataEvent([event()])).toMatchObject({ kind: 'invalid', errors: [{ pointer: '' }] });
  });

  it('reads /Date(ms)/ and ISO times only', () => {
    expect(eventTimeOf('/Date(0)/')).toBe('1970-01-01T00:00:00.000Z');
    expect(eventTimeOf('2026-12-07T10:00:00Z')).toBe('2026-12-07T10:00:00.000Z');
    expect(eventTimeOf('/Date(abc)/')).toBeUndefined();
    expect(eventTimeOf(12)).toBeUndefined();
  });
});
