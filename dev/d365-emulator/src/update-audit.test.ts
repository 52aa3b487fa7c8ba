import { AppliedUpdate } from './customers-store';
import { AuditedCustomer, auditUpdates } from './update-audit';

let clock = 0;
const applied = (via: 'odata' | 'operator', fields: Record<string, string>): AppliedUpdate => ({
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, clock++)).toISOString(),
  via,
  fields,
  etagBefore: 'W/"a"',
  etagAfter: 'W/"b"',
  ...(via === 'odata' && { ifMatch: 'match' as const }),
});

const customer = (
  fields: Record<string, string>,
  history: AppliedUpdate[],
  dropped = 0,
): AuditedCustomer => ({
  legalEntity: 'USRT',
  account: 'US-000001',
  fields,
  updates: {
    odata: history.filter((h) => h.via === 'odata').length,
    operator: history.filter((h) => h.via === 'operator').length,
    history,
    dropped,
  },
});

const sent = (...updates: Record<string, string>[]) => [
  { legalEntity: 'usrt', account: 'us-000001', updates },
];

describe('the update audit', () => {
  it('reports nothing when D365 applied every update once, in order, and ends with the newest values', () => {
    const report = auditUpdates(
      [
        customer({ PrimaryContactEmail: 'c@example.com', PrimaryContactPhone: '+1555' }, [
          applied('odata', { PrimaryContactEmail: 'a@example.com' }),
          applied('odata', { PrimaryContactEmail: 'b@example.com', PrimaryContactPhone: '+1555' }),
          applied('odata', { PrimaryContactEmail: 'c@example.com' }),
        ]),
      ],
      sent(
        { PrimaryContactEmail: 'a@example.com' },
        { PrimaryContactEmail: 'b@example.com', PrimaryContactPhone: '+1555' },
        { PrimaryContactEmail: 'c@example.com' },
      ),
    );
    expect(report).toMatchObject({
      customers: 1,
      lost: 0,
      outOfOrder: 0,
      duplicates: 0,
      unmatched: 0,
      overwritten: 0,
    });
    expect(report.findings).toEqual([]);
  });

  it('accepts a stale update dropped and an update sent as a diff (fewer fields than the source changed)', () => {
    const report = auditUpdates(
      [
        customer({ PrimaryContactEmail: 'c@example.com', PrimaryContactPhone: '+1555' }, [
          applied('odata', { PrimaryContactEmail: 'c@example.com', PrimaryContactPhone: '+1555' }),
        ]),
      ],
      sent(
        { PrimaryContactEmail: 'a@example.com' },
        { PrimaryContactEmail: 'c@example.com', PrimaryContactPhone: '+1555' },
      ),
    );
    expect(report.findings).toEqual([]);
  });

  it('finds an update applied out of order, and the newer value it lost, by field name only', () => {
    const report = auditUpdates(
      [
        customer({ PrimaryContactEmail: 'a@example.com' }, [
          applied('odata', { PrimaryContactEmail: 'b@example.com' }),
          applied('odata', { PrimaryContactEmail: 'a@example.com' }),
        ]),
      ],
      sent({ PrimaryContactEmail: 'a@example.com' }, { PrimaryContactEmail: 'b@example.com' }),
    );
    expect(report).toMatchObject({ lost: 1, outOfOrder: 1 });
    expect(JSON.stringify(report)).not.toContain('example.com');
    expect(report.findings.map((f) => [f.problem, f.fields])).toEqual([
      ['lost', ['PrimaryContactEmail']],
      ['outOfOrder', ['PrimaryContactEmail']],
    ]);
  });

  it('finds a redelivery applied twice and a value no source update gave', () => {
    const report = auditUpdates(
      [
        customer({ PersonLastName: 'Mulder', PersonMiddleName: 'X' }, [
          applied('odata', { PersonLastName: 'Mulder' }),
          applied('odata', { PersonLastName: 'Mulder' }),
          applied('odata', { PersonMiddleName: 'X' }),
        ]),
      ],
      sent({ PersonLastName: 'Mulder' }),
    );
    expect(report).toMatchObject({ duplicates: 1, unmatched: 1, lost: 0 });
  });

  it('does not count a field an operator changed in D365 as lost, but counts an update written over it', () => {
    const kept = auditUpdates(
      [
        customer({ PrimaryContactPhone: '+1999', PersonLastName: 'Mulder' }, [
          applied('operator', { PrimaryContactPhone: '+1999' }),
          applied('odata', { PersonLastName: 'Mulder' }),
        ]),
      ],
      sent({ PrimaryContactPhone: '+1555', PersonLastName: 'Mulder' }),
    );
    expect(kept).toMatchObject({ lost: 0, overwritten: 0, outOfOrder: 0 });

    const overwritten = auditUpdates(
      [
        customer({ PrimaryContactPhone: '+1555' }, [
          applied('operator', { PrimaryContactPhone: '+1999' }),
          applied('odata', { PrimaryContactPhone: '+1555' }),
        ]),
      ],
      sent({ PrimaryContactPhone: '+1555' }),
    );
    expect(overwritten).toMatchObject({ overwritten: 1 });
    expect(overwritten.findings[0]).toMatchObject({
      problem: 'overwritten',
      fields: ['PrimaryContactPhone'],
    });
  });

  it('tells two source updates with the same values apart from one applied twice', () => {
    const history = [
      applied('odata', { PersonLastName: 'Mulder' }),
      applied('odata', { PersonLastName: 'Mulder' }),
    ];
    const fields = { PersonLastName: 'Mulder' };
    expect(auditUpdates([customer(fields, history)], sent(fields, fields)).findings).toEqual([]);
  });

  it('reports a customer D365 does not have, and a history that no longer holds every update', () => {
    const report = auditUpdates(
      [customer({ PersonLastName: 'Mulder' }, [applied('odata', { PersonLastName: 'Mulder' })], 3)],
      [
        ...sent({ PersonLastName: 'Mulder' }),
        { legalEntity: 'USRT', account: 'US-000002', updates: [{ A: 'x' }] },
      ],
    );
    expect(report).toMatchObject({ customers: 2, missing: 1, incomplete: 1 });
  });
});
