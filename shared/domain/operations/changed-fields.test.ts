import { changedPointers } from './changed-fields';

describe('changedPointers (the audit log’s account of an edit: names, never values)', () => {
  const before = {
    Customer: {
      FirstName: 'Alex',
      CustomerGroup: 'NOPE',
      BillingAddress: [{ City: 'Redmond', Street: '1 Way' }],
      'a/b~c': 1,
    },
  };

  it('names each changed member by its JSON pointer, sorted, with no value in it', () => {
    const after = {
      Customer: {
        FirstName: 'Alex',
        CustomerGroup: '20',
        BillingAddress: [{ City: 'Seattle', Street: '1 Way' }],
        'a/b~c': 2,
        MiddleName: 'J',
      },
    };
    const changed = changedPointers(before, after);
    expect(changed).toEqual([
      '/Customer/BillingAddress/0/City',
      '/Customer/CustomerGroup',
      '/Customer/MiddleName',
      '/Customer/a~1b~0c',
    ]);
    expect(JSON.stringify(changed)).not.toMatch(/Seattle|20|"J"/);
  });

  it('names a list whole when its length changed, and nothing when nothing did', () => {
    const longer = {
      Customer: { ...before.Customer, BillingAddress: [...before.Customer.BillingAddress, {}] },
    };
    expect(changedPointers(before, longer)).toEqual(['/Customer/BillingAddress']);
    expect(changedPointers(before, structuredClone(before))).toEqual([]);
  });
});
