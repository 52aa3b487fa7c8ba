import { FULL_SAMPLE_NORMALISED } from '../../../test/fixtures/sample-customers';
import { createdForUpdate, updateSetup as setup } from '../../../test/support/update-app';
import { POS_CALLER } from '../../../test/support/callers';
import { emailKeyOf } from '../../domain/customer-identity';

/** Issue 27, "hold less": the link keeps digests of what we sent, never the customer. */
describe('customer updates without a stored copy of the customer', () => {
  const customer = FULL_SAMPLE_NORMALISED.Customer;
  // The sample's first name ("Cust") is inside field names; the other values are distinctive.
  const values = [
    customer.ContactNumber!,
    customer.EmailAddress,
    customer.BillingAddress![0]!.Street,
    customer.ShippingAddress![0]!.Street,
    customer.BillingAddress![0]!.City!,
    customer.DateOfBirth!,
  ];

  it('links the created customer with digests and an e-mail key: none of its values', async () => {
    const app = setup();
    await createdForUpdate(app);
    await app.process(await app.acceptUpdate({ LastName: 'Lovelace-Byron' }));
    const link = (await app.links.get(app.ref))!;
    const stored = JSON.stringify(link);
    for (const value of [...values, 'Lovelace-Byron']) expect(stored).not.toContain(value);
    expect(link.emailKey).toBe(emailKeyOf(customer.EmailAddress!));
    expect(link).not.toHaveProperty('baseline');
    // And the update still sent only what changed.
    expect(app.d365.patches.map((p) => p.changes)).toEqual([{ PersonLastName: 'Lovelace-Byron' }]);
  });

  it('sends an unchanged value nowhere, and a value changed back once', async () => {
    const app = setup();
    await createdForUpdate(app);
    await expect(
      app.process(await app.acceptUpdate({ FirstName: customer.FirstName })),
    ).resolves.toMatchObject({
      outcome: 'unchanged',
    });
    await app.process(await app.acceptUpdate({ FirstName: 'Other' }));
    await app.process(await app.acceptUpdate({ FirstName: customer.FirstName }));
    expect(app.d365.patches.map((p) => p.changes)).toEqual([
      { PersonFirstName: 'Other' },
      { PersonFirstName: customer.FirstName },
    ]);
  });

  it('keeps the order of two updates accepted in the same millisecond (arrival stamps never tie)', async () => {
    const app = setup();
    await createdForUpdate(app);
    const sameInstant = new Date();
    app.deps.now = () => sameInstant;
    const first = await app.acceptUpdate({ FirstName: 'Other' });
    const second = await app.acceptUpdate({ FirstName: customer.FirstName });
    await app.process(first);
    await app.process(second);
    expect(app.d365.patches.map((p) => p.changes)).toEqual([
      { PersonFirstName: 'Other' },
      { PersonFirstName: customer.FirstName },
    ]);
  });

  it('replaces one address list against the other list as D365 holds it (one read), sending only the delivery fields', async () => {
    const app = setup();
    await createdForUpdate(app);
    const shipping = [
      { Street: '1 New Street', Addresstype: 'Shipping', City: 'Alton Bay', CountryCode: 'USA', State: 'NH' },
    ];
    await expect(app.process(await app.acceptUpdate({ ShippingAddress: shipping }))).resolves.toMatchObject({
      outcome: 'updated',
    });
    expect(app.d365.reads).toEqual(['US-000001']);
    const changes = app.d365.patches[0]!.changes;
    expect(changes).toMatchObject({ DeliveryAddressStreet: '1 New Street' });
    // The billing address (the primary one) stays as it was: nothing of it is sent.
    expect(Object.keys(changes).filter((f) => f.startsWith('Address') || f.startsWith('Invoice'))).toEqual(
      [],
    );
    expect(app.d365.customers.get('US-000001')!.fields).toMatchObject({
      AddressStreet: customer.BillingAddress![0]!.Street,
      DeliveryAddressStreet: '1 New Street',
    });
  });

  it('refuses at the intake a patch that removes a required member or sets an invalid one, with pointers into it', async () => {
    const app = setup();
    await createdForUpdate(app);
    const { acceptUpdate } = await import('../accept-update');
    const result = await acceptUpdate(
      {
        caller: POS_CALLER,
        target: { kind: 'reference', reference: app.ref.sourceCustomerId },
        patch: { Customer: { FirstName: null, EmailAddress: 'not-an-email' } },
      },
      { ...app.deps, links: app.links },
    );
    expect(result).toMatchObject({ kind: 'invalid' });
    const pointers = (result as { errors: { pointer: string }[] }).errors.map((e) => e.pointer).sort();
    expect(pointers).toEqual(['/Customer/EmailAddress', '/Customer/FirstName']);
  });

  it('moves the e-mail key with an e-mail change, so an erasure by the new address finds the link', async () => {
    const app = setup();
    await createdForUpdate(app);
    await app.process(await app.acceptUpdate({ EmailAddress: 'new.address@example.com' }));
    expect((await app.links.get(app.ref))!.emailKey).toBe(emailKeyOf('new.address@example.com'));
  });

  it('takes what D365 holds as sent for a link written before the digests', async () => {
    const app = setup();
    await createdForUpdate(app);
    const link = (await app.links.get(app.ref))!;
    await app.links.save(link, { sentDigests: undefined });
    app.d365.change('US-000001', { PersonLastName: 'Edited in D365' });
    await app.process(await app.acceptUpdate({ ContactNumber: '+14255550100' }));
    expect(app.d365.patches.map((p) => p.changes)).toEqual([{ PrimaryContactPhone: '+14255550100' }]);
    expect((await app.links.get(app.ref))!.sentDigests).toBeDefined();
  });
});
