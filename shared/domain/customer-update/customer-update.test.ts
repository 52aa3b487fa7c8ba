import { FULL_SAMPLE_NORMALISED } from '../../../test/fixtures/sample-customers';
import {
  applyMergePatch,
  changedFields,
  digestFields,
  isAsSent,
  parseDigests,
  serialiseDigests,
  withSent,
  checkCustomerPatch,
  decideOnCurrent,
  effectivePatch,
  fullCustomerAsPatch,
  isNewer,
  OrderStamp,
  stampFields,
} from '.';

const options = { defaultCustomerGroup: '30', now: new Date('2026-11-26T18:00:00Z') };
const stamp = (kind: OrderStamp['kind'], value: number, arrivedAt = value): OrderStamp => ({
  kind,
  value,
  arrivedAt,
});

describe('JSON Merge Patch (RFC 7396)', () => {
  // RFC 7396 appendix A's examples.
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('merges %j with %j into %j', (target, patch, result) => {
    expect(applyMergePatch(target, patch)).toEqual(result);
  });

  it('changes neither the target nor the patch', () => {
    const target = { a: { b: 'c' } };
    applyMergePatch(target, { a: { b: 'd' } });
    expect(target).toEqual({ a: { b: 'c' } });
  });
});

describe('checking a patch against the customer', () => {
  it('normalises the changed members and removes the ones set to null', () => {
    const checked = checkCustomerPatch(
      FULL_SAMPLE_NORMALISED,
      { Customer: { EmailAddress: ' New@EXAMPLE.com ', Gender: null } },
      options,
    );
    expect(checked).toMatchObject({ ok: true, customer: { EmailAddress: 'New@example.com', Gender: null } });
    if (checked.ok) expect(checked.merged.Customer.Gender).toBeUndefined();
  });

  it('points into the patch at every field the merged customer breaks', () => {
    const checked = checkCustomerPatch(
      FULL_SAMPLE_NORMALISED,
      { Customer: { EmailAddress: 'not-an-address', FirstName: null, Nickname: 'x' } },
      options,
    );
    expect(checked.ok).toBe(false);
    const pointers = checked.ok ? [] : checked.errors.map((e) => e.pointer).sort();
    expect(pointers).toEqual(['/Customer/EmailAddress', '/Customer/FirstName', '/Customer/Nickname']);
  });

  it('refuses a change of the legal entity, an empty patch and a body that is not a patch', () => {
    const pointer = (patch: unknown) => {
      const checked = checkCustomerPatch(FULL_SAMPLE_NORMALISED, patch, options);
      return checked.ok ? [] : checked.errors.map((e) => e.pointer);
    };
    expect(pointer({ Customer: { LegalEntity: 'DEMF' } })).toEqual(['/Customer/LegalEntity']);
    expect(pointer({ Customer: {} })).toEqual(['/Customer']);
    expect(pointer({ Customer: 'x' })).toEqual(['/Customer']);
    expect(pointer([1])).toEqual(['']);
    expect(pointer({ Customer: { FirstName: 'A' }, extra: 1 })).toEqual(['/extra']);
  });

  it('turns a whole customer (Shopify) into a patch that removes what it no longer has', () => {
    const patch = fullCustomerAsPatch({ Customer: { LegalEntity: 'USRT', FirstName: 'Bob' } });
    expect(patch.Customer).toMatchObject({
      FirstName: 'Bob',
      LastName: null,
      ContactNumber: null,
      BillingAddress: null,
    });
  });
});

describe('the ordering rule', () => {
  it('orders stamps of one kind by value, an equal one being the same change again', () => {
    expect(isNewer(stamp('source', 2), stamp('source', 1))).toBe(true);
    expect(isNewer(stamp('source', 1), stamp('source', 2))).toBe(false);
    expect(isNewer(stamp('version', 5, 10), stamp('version', 5, 1))).toBe(false);
    expect(isNewer(stamp('version', 1), undefined)).toBe(true);
  });

  it('orders stamps of different kinds by arrival', () => {
    expect(isNewer(stamp('version', 1, 2000), stamp('arrival', 1000))).toBe(true);
    expect(isNewer(stamp('arrival', 1000), stamp('version', 99, 2000))).toBe(false);
  });

  it('applies only the fields a newer update has not set, whatever order updates come in', () => {
    // Three updates made in the order 1, 2, 3, processed as 3, 1, 2.
    const updates = [
      { stamp: stamp('source', 1), customer: { FirstName: 'One', LastName: 'One' } },
      { stamp: stamp('source', 2), customer: { LastName: 'Two', ContactNumber: '+14255550102' } },
      { stamp: stamp('source', 3), customer: { FirstName: 'Three' } },
    ];
    const inOrder = updates.reduce<Record<string, unknown>>((state, u) => ({ ...state, ...u.customer }), {});
    for (const order of [
      [2, 0, 1],
      [1, 2, 0],
      [0, 1, 2],
      [2, 1, 0],
    ]) {
      let state: Record<string, unknown> = {};
      let stamps = {};
      const stale: number[] = [];
      for (const i of order) {
        const u = updates[i]!;
        const effective = effectivePatch(u.customer, stamps, u.stamp);
        if (Object.keys(effective.customer).length === 0) stale.push(i);
        state = { ...state, ...effective.customer };
        stamps = stampFields(stamps, Object.keys(effective.customer), u.stamp);
      }
      expect(state).toEqual(inOrder);
      if (order[0] === 2 && order[1] === 1) expect(stale).toEqual([0]); // 1 only set what 2 and 3 set later
    }
  });
});

describe('what is sent, and conflicts', () => {
  const sent = digestFields(
    {
      dataAreaId: 'usrt',
      PersonFirstName: 'Adalind',
      PrimaryContactPhone: '+14255550102',
      PersonMiddleName: 'Mirabel',
    },
    undefined,
  );
  const asSent = (field: string, value: unknown) => isAsSent(sent, field, value);

  it('sends only the entity fields the update sets whose value is not what we sent, an emptied one as ""', () => {
    expect(
      changedFields(
        { dataAreaId: 'usrt', PersonFirstName: 'Adalind', PrimaryContactPhone: '+1' },
        ['PersonFirstName', 'PrimaryContactPhone', 'PersonMiddleName', 'dataAreaId'],
        asSent,
      ),
    ).toEqual({ PrimaryContactPhone: '+1', PersonMiddleName: '' });
    // A field the update does not set is never sent, whatever it maps to.
    expect(changedFields({ PersonFirstName: 'B' }, [], asSent)).toEqual({});
  });

  it('keeps digests, not values: salted per link, a field never sent counts as sent empty', () => {
    const json = serialiseDigests(sent);
    for (const value of ['Adalind', '14255550102', 'Mirabel']) expect(json).not.toContain(value);
    const other = digestFields({ PersonFirstName: 'Adalind' }, undefined);
    expect(other.fields.PersonFirstName).not.toBe(sent.fields.PersonFirstName);
    expect(isAsSent(sent, 'PersonLastName', '')).toBe(true);
    expect(isAsSent(sent, 'PersonLastName', 'Z')).toBe(false);
    const next = withSent(sent, { PrimaryContactPhone: '+3' });
    expect(isAsSent(next, 'PrimaryContactPhone', '+3')).toBe(true);
    expect(isAsSent(next, 'PersonFirstName', 'Adalind')).toBe(true);
    expect(parseDigests(serialiseDigests(next))).toEqual(next);
    expect(parseDigests('{"Customer":{}}')).toBeUndefined();
  });

  const ours = { PrimaryContactPhone: '+1', PersonLastName: 'Old' };
  const oursSent = digestFields(ours, undefined);
  const matches = (field: string, value: unknown) => isAsSent(oursSent, field, value);
  const changes = { PrimaryContactPhone: '+2' };
  it('patches when D365 still has what we last sent in the fields we change', () => {
    expect(
      decideOnCurrent({ ...ours, PersonLastName: 'Changed in D365' }, matches, changes, 'review'),
    ).toEqual({
      kind: 'patch',
    });
  });
  it('recognises its own earlier PATCH', () => {
    expect(decideOnCurrent({ ...ours, ...changes }, matches, changes, 'review')).toEqual({
      kind: 'already-applied',
    });
  });
  it.each([
    ['review', 'review'],
    ['ours', 'overwrite'],
    ['d365', 'keep-d365'],
  ] as const)('under policy %s a field changed in D365 is %s', (policy, kind) => {
    expect(decideOnCurrent({ ...ours, PrimaryContactPhone: '+9' }, matches, changes, policy)).toEqual({
      kind,
      fields: ['PrimaryContactPhone'],
    });
  });
});
