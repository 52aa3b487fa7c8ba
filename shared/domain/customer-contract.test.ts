import fc from 'fast-check';
import {
  fixture,
  parentPointer,
  pointerExists,
  reorderKeys,
  stringValues,
} from '../../test/contract/helpers';
import { FULL_SAMPLE_NORMALISED, MINIMAL_SAMPLE_NORMALISED } from '../../test/fixtures/sample-customers';
import {
  ADDRESS_FIELDS,
  canonicalJson,
  createCustomerRequestSchema,
  CUSTOMER_FIELDS,
  customerFingerprint,
  CustomerRequest,
  dateOfBirthToIso,
  FIELD_LIMITS,
  FieldError,
  MAX_REPORTED_ERRORS,
  parseCustomerRequest,
  ParseCustomerResult,
  personalFields,
  countFieldErrors,
  prefixPointers,
} from './customer-contract';
import { parseJsonBody } from './json-body';
import { ALPHA2_TO_ALPHA3, COUNTRY_ALPHA3_CODES, CURRENCY_CODES } from './reference-data';

const NOW = new Date('2025-06-01T12:00:00Z');
const OPTIONS = { defaultCustomerGroup: '30', now: NOW };

const parse = (body: unknown): ParseCustomerResult => parseCustomerRequest(body, OPTIONS);

function valid(body: unknown): CustomerRequest {
  const result = parse(body);
  if (!result.ok) throw new Error(`expected a valid request, got ${JSON.stringify(result.errors)}`);
  return result.value;
}

function errorsOf(body: unknown): FieldError[] {
  const result = parse(body);
  if (result.ok) throw new Error('expected the request to be refused');
  return result.errors;
}

/** The full fixture with `edit` applied to its Customer. */
function customerWith(edit: (customer: Record<string, unknown>) => void): Record<string, unknown> {
  const body = fixture('full');
  edit(body.Customer);
  return body;
}

function address(customer: Record<string, unknown>, list: string, index = 0): Record<string, unknown> {
  return (customer[list] as Record<string, unknown>[])[index] as Record<string, unknown>;
}

describe('the sample payloads', () => {
  it('accepts the full sample as it is and normalises it (trailing space in Street trimmed, empty names dropped)', () => {
    const value = valid(fixture('full'));
    expect(value).toEqual(FULL_SAMPLE_NORMALISED);
    // Exact, including key order: this is what D365 receives.
    expect(JSON.stringify(value)).toBe(JSON.stringify(FULL_SAMPLE_NORMALISED));
  });

  it('accepts the minimal sample as it is (no PostalCode, City, State, Country or PrimaryAddress)', () => {
    const value = valid(fixture('minimal'));
    expect(value).toEqual(MINIMAL_SAMPLE_NORMALISED);
    expect(JSON.stringify(value)).toBe(JSON.stringify(MINIMAL_SAMPLE_NORMALISED));
  });

  it('keeps a CustomerGroup the request gives instead of the default', () => {
    expect(valid(customerWith((c) => (c.CustomerGroup = 'RETAIL'))).Customer.CustomerGroup).toBe('RETAIL');
  });
});

describe('normalisation', () => {
  const field = (edit: (customer: Record<string, unknown>) => void) => valid(customerWith(edit)).Customer;

  it('upper-cases codes and canonicalises enums, whatever case they come in', () => {
    const customer = field((c) => {
      c.LegalEntity = ' usrt ';
      c.CurrencyCode = 'usd';
      c.Gender = 'nonspecific';
      address(c, 'BillingAddress').CountryCode = 'usa';
      address(c, 'BillingAddress').Addresstype = 'BILLING';
      address(c, 'BillingAddress').PrimaryAddress = 'yes';
      address(c, 'BillingAddress').PostalCode = 'sw1a 1aa';
    });
    expect(customer).toMatchObject({ LegalEntity: 'USRT', CurrencyCode: 'USD', Gender: 'NonSpecific' });
    expect(customer.BillingAddress?.[0]).toMatchObject({
      CountryCode: 'USA',
      Addresstype: 'Billing',
      PrimaryAddress: 'Yes',
      PostalCode: 'SW1A 1AA',
    });
    expect(field((c) => (c.Gender = 'FEMALE')).Gender).toBe('Female');
  });

  it('writes phone numbers in E.164', () => {
    expect(field((c) => (c.ContactNumber = '+92 (300) 400-0101')).ContactNumber).toBe('+923004000101');
    expect(field((c) => (c.ContactNumber = '+1.425.555.0100')).ContactNumber).toBe('+14255550100');
    expect(field((c) => (c.ContactNumber = '0092 300 4000101')).ContactNumber).toBe('+923004000101');
  });

  it('reads a national number in the primary billing address’s country (issue 32)', () => {
    expect(field((c) => (c.ContactNumber = '(425) 555-0100')).ContactNumber).toBe('+14255550100');
    const british = field((c) => {
      c.ContactNumber = '020 7946 0018';
      address(c, 'BillingAddress').CountryCode = 'GBR';
      address(c, 'BillingAddress').State = null;
    });
    expect(british.ContactNumber).toBe('+442079460018');
    // Without an address it has no country: refused at the field, not guessed.
    const errors = errorsOf(
      customerWith((c) => {
        c.ContactNumber = '(425) 555-0100';
        delete c.BillingAddress;
        delete c.ShippingAddress;
      }),
    );
    expect(errors).toEqual([
      { pointer: '/Customer/ContactNumber', detail: expect.stringMatching(/no address with a CountryCode/) },
    ]);
  });

  it('takes a customer without an e-mail when it has a phone, and refuses one with neither', () => {
    const phoneOnly = field((c) => delete c.EmailAddress);
    expect(phoneOnly.EmailAddress).toBeUndefined();
    expect(phoneOnly.ContactNumber).toBe('+923004000101');
    expect(
      errorsOf(
        customerWith((c) => {
          delete c.EmailAddress;
          c.ContactNumber = '';
        }),
      ),
    ).toEqual([
      { pointer: '/Customer/EmailAddress', detail: expect.stringMatching(/e-mail address or a phone/) },
    ]);
  });

  it('keeps the email local part and lower-cases the domain, in its ASCII form', () => {
    expect(field((c) => (c.EmailAddress = ' Abc.Def+pos@Example.COM ')).EmailAddress).toBe(
      'Abc.Def+pos@example.com',
    );
    expect(field((c) => (c.EmailAddress = "O'Neil@Bücher.DE")).EmailAddress).toBe("O'Neil@xn--bcher-kva.de");
  });

  it('sends dates of birth as MM/DD/YYYY, from either accepted form', () => {
    expect(field((c) => (c.DateOfBirth = '1997-11-10')).DateOfBirth).toBe('11/10/1997');
    expect(field((c) => (c.DateOfBirth = '1/5/1990')).DateOfBirth).toBe('01/05/1990');
    expect(field((c) => (c.DateOfBirth = '02/29/2000')).DateOfBirth).toBe('02/29/2000');
    expect(field((c) => (c.DateOfBirth = '1900-01-01')).DateOfBirth).toBe('01/01/1900');
    expect(field((c) => (c.DateOfBirth = '2025-06-01')).DateOfBirth).toBe('06/01/2025');
    expect(dateOfBirthToIso('11/10/1997')).toBe('1997-11-10');
    expect(() => dateOfBirthToIso('1997-11-10')).toThrow(RangeError);
  });

  it('drops optional fields that are empty, blank or null, and empty address lists', () => {
    const customer = field((c) => {
      c.MiddleName = '  ';
      c.LastName = null;
      c.ContactNumber = '';
      c.Gender = null;
      c.DateOfBirth = '';
      c.CustomerGroup = '';
      c.ShippingAddress = [];
      c.BillingAddress = null;
    });
    expect(customer).toEqual({
      LegalEntity: 'USRT',
      FirstName: 'Cust',
      CurrencyCode: 'USD',
      EmailAddress: 'abc1234@gmail.com',
      CustomerGroup: '30',
    });
  });

  it('accepts names and addresses in any script', () => {
    const customer = field((c) => {
      c.FirstName = 'José';
      c.MiddleName = 'Müller-Lüdenscheidt';
      c.LastName = "O'Neil";
      const billing = address(c, 'BillingAddress');
      billing.Street = 'Straße des 17. Juni 135, 3° piso, № 4';
      billing.City = '北京市';
      billing.Addresstitle = 'شارع الملك فهد';
      billing.State = 'ĐN';
    });
    expect(customer).toMatchObject({
      FirstName: 'José',
      MiddleName: 'Müller-Lüdenscheidt',
      LastName: "O'Neil",
    });
    expect(customer.BillingAddress?.[0]).toMatchObject({
      Street: 'Straße des 17. Juni 135, 3° piso, № 4',
      City: '北京市',
      Addresstitle: 'شارع الملك فهد',
      State: 'ĐN',
    });
    for (const name of ['王', 'محمد', 'Ἀθηνᾶ', 'राम', 'مهر\u200Cنوش', 'Nguyễn', 'Zoë']) {
      expect(field((c) => (c.FirstName = name)).FirstName).toBe(name.normalize('NFC'));
    }
  });

  it('NFC-normalises before measuring: 25 decomposed é (50 code units) fit a 25-character name', () => {
    const decomposed = 'e\u0301'.repeat(25);
    expect(decomposed).toHaveLength(50);
    const customer = field((c) => (c.FirstName = decomposed));
    expect(customer.FirstName).toBe('é'.repeat(25));
    expect(field((c) => (c.LastName = 'Jose\u0301')).LastName).toBe('José');
  });

  it('is idempotent: a normalised request parses to itself', () => {
    for (const name of ['full', 'minimal'] as const) {
      const once = valid(fixture(name));
      expect(valid(once)).toEqual(once);
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Invalid input

type Edit = (customer: Record<string, unknown>) => void;
const PERSONAL = {
  first: 'Zebulon',
  email: 'zebulon.quill@privatemail.example',
  phone: '+4479460000123456789',
  dob: '02/30/2000',
  street: 'Quillstreet 12',
};

const invalidCustomers: [string, Edit, string, RegExp][] = [
  [
    'LegalEntity missing',
    (c) => delete c.LegalEntity,
    '/Customer/LegalEntity',
    /^LegalEntity is required\.$/,
  ],
  [
    'LegalEntity too long',
    (c) => (c.LegalEntity = 'USRT1'),
    '/Customer/LegalEntity',
    /1 to 4 letters or digits/,
  ],
  [
    'LegalEntity punctuation',
    (c) => (c.LegalEntity = 'U-S'),
    '/Customer/LegalEntity',
    /1 to 4 letters or digits/,
  ],
  ['FirstName missing', (c) => delete c.FirstName, '/Customer/FirstName', /^FirstName is required\.$/],
  ['FirstName null', (c) => (c.FirstName = null), '/Customer/FirstName', /^FirstName is required\.$/],
  ['FirstName blank', (c) => (c.FirstName = '   '), '/Customer/FirstName', /^FirstName must not be empty\.$/],
  ['FirstName a number', (c) => (c.FirstName = 42), '/Customer/FirstName', /^FirstName must be a string\.$/],
  [
    'FirstName deeply nested',
    (c) => (c.FirstName = [[[[['x']]]]]),
    '/Customer/FirstName',
    /must be a string/,
  ],
  [
    'FirstName too long',
    (c) => (c.FirstName = 'A'.repeat(26)),
    '/Customer/FirstName',
    /at most 25 characters/,
  ],
  [
    'FirstName too long after NFC (26 é)',
    (c) => (c.FirstName = 'e\u0301'.repeat(26)),
    '/Customer/FirstName',
    /at most 25 characters long \(the size of the D365 field\); it has 26/,
  ],
  ['FirstName huge', (c) => (c.FirstName = 'A'.repeat(1_000_000)), '/Customer/FirstName', /at most 25/],
  ['FirstName with a tab', (c) => (c.FirstName = 'Zebu\tlon'), '/Customer/FirstName', /control characters/],
  ['FirstName with NUL', (c) => (c.FirstName = 'Zebu\u0000lon'), '/Customer/FirstName', /control characters/],
  ['FirstName with C1 control', (c) => (c.FirstName = 'Zebu\u0085lon'), '/Customer/FirstName', /control/],
  [
    'FirstName with lone surrogate',
    (c) => (c.FirstName = 'Zebu\uD800lon'),
    '/Customer/FirstName',
    /unpaired UTF-16 surrogate/,
  ],
  [
    'FirstName with a bidi override',
    (c) => (c.FirstName = 'Zebu\u202Elon'),
    '/Customer/FirstName',
    /not allowed \(U\+202E\)/,
  ],
  [
    'FirstName with emoji',
    (c) => (c.FirstName = 'Zebulon 😀'),
    '/Customer/FirstName',
    /not allowed \(U\+1F600\)/,
  ],
  ['FirstName with "<"', (c) => (c.FirstName = '<script>'), '/Customer/FirstName', /not allowed \(U\+003C\)/],
  ['MiddleName too long', (c) => (c.MiddleName = 'M'.repeat(26)), '/Customer/MiddleName', /at most 25/],
  ['LastName with a line break', (c) => (c.LastName = 'Qu\nill'), '/Customer/LastName', /line breaks/],
  [
    'ContactNumber without +',
    (c) => (c.ContactNumber = '03004000101'),
    '/Customer/ContactNumber',
    /\+14255550100/,
  ],
  [
    'ContactNumber too short',
    (c) => (c.ContactNumber = '+12345'),
    '/Customer/ContactNumber',
    /not a valid phone number by the country's numbering plan/,
  ],
  [
    'ContactNumber too long',
    (c) => (c.ContactNumber = PERSONAL.phone),
    '/Customer/ContactNumber',
    /not a valid phone number/,
  ],
  [
    'ContactNumber with letters',
    (c) => (c.ContactNumber = '+1 425 CALL NOW'),
    '/Customer/ContactNumber',
    /digits/,
  ],
  [
    'ContactNumber country code 0',
    (c) => (c.ContactNumber = '+0123456789'),
    '/Customer/ContactNumber',
    /not a valid phone number/,
  ],
  [
    'CurrencyCode missing',
    (c) => delete c.CurrencyCode,
    '/Customer/CurrencyCode',
    /^CurrencyCode is required\.$/,
  ],
  ['CurrencyCode 2 letters', (c) => (c.CurrencyCode = 'US'), '/Customer/CurrencyCode', /3-letter ISO 4217/],
  ['CurrencyCode invented', (c) => (c.CurrencyCode = 'ABC'), '/Customer/CurrencyCode', /not one/],
  ['CurrencyCode no currency', (c) => (c.CurrencyCode = 'XXX'), '/Customer/CurrencyCode', /not one/],
  [
    'EmailAddress and ContactNumber missing',
    (c) => {
      delete c.EmailAddress;
      delete c.ContactNumber;
    },
    '/Customer/EmailAddress',
    /^EmailAddress is required when there is no ContactNumber/,
  ],
  ['EmailAddress no @', (c) => (c.EmailAddress = 'zebulon.quill'), '/Customer/EmailAddress', /valid email/],
  [
    'EmailAddress no domain dot',
    (c) => (c.EmailAddress = 'zebulon@quill'),
    '/Customer/EmailAddress',
    /domain/,
  ],
  [
    'EmailAddress two dots',
    (c) => (c.EmailAddress = 'zebu..lon@x.com'),
    '/Customer/EmailAddress',
    /before the @/,
  ],
  [
    'EmailAddress wildcard',
    (c) => (c.EmailAddress = 'zebu*lon@x.com'),
    '/Customer/EmailAddress',
    /before the @/,
  ],
  [
    'EmailAddress space',
    (c) => (c.EmailAddress = 'zebu lon@x.com'),
    '/Customer/EmailAddress',
    /before the @/,
  ],
  [
    'EmailAddress bad label',
    (c) => (c.EmailAddress = 'zebulon@-quill.com'),
    '/Customer/EmailAddress',
    /domain/,
  ],
  [
    'EmailAddress local part too long',
    (c) => (c.EmailAddress = `${'z'.repeat(65)}@x.com`),
    '/Customer/EmailAddress',
    /at most 64/,
  ],
  [
    'EmailAddress too long',
    (c) => (c.EmailAddress = `z@${'quill.'.repeat(42)}com`),
    '/Customer/EmailAddress',
    /at most 254/,
  ],
  [
    'DateOfBirth 02/30/2000',
    (c) => (c.DateOfBirth = PERSONAL.dob),
    '/Customer/DateOfBirth',
    /real date in the past/,
  ],
  [
    'DateOfBirth month 13',
    (c) => (c.DateOfBirth = '13/01/2000'),
    '/Customer/DateOfBirth',
    /MM\/DD\/YYYY or YYYY-MM-DD/,
  ],
  ['DateOfBirth 29 Feb 1900', (c) => (c.DateOfBirth = '1900-02-29'), '/Customer/DateOfBirth', /real date/],
  [
    'DateOfBirth in the future',
    (c) => (c.DateOfBirth = '06/02/2025'),
    '/Customer/DateOfBirth',
    /in the future/,
  ],
  [
    'DateOfBirth before 1900',
    (c) => (c.DateOfBirth = '1899-12-31'),
    '/Customer/DateOfBirth',
    /before 01\/01\/1900/,
  ],
  [
    'DateOfBirth other format',
    (c) => (c.DateOfBirth = '1997/11/10'),
    '/Customer/DateOfBirth',
    /MM\/DD\/YYYY/,
  ],
  ['DateOfBirth DD.MM.YYYY', (c) => (c.DateOfBirth = '10.11.1997'), '/Customer/DateOfBirth', /MM\/DD\/YYYY/],
  [
    'Gender unknown value',
    (c) => (c.Gender = 'M'),
    '/Customer/Gender',
    /one of Unknown, Male, Female, NonSpecific/,
  ],
  ['CustomerGroup too long', (c) => (c.CustomerGroup = 'ABCDEFGHIJK'), '/Customer/CustomerGroup', /1 to 10/],
  ['CustomerGroup wildcard', (c) => (c.CustomerGroup = 'A*'), '/Customer/CustomerGroup', /customer group ID/],
  [
    'BillingAddress an object',
    (c) => (c.BillingAddress = {}),
    '/Customer/BillingAddress',
    /array of address/,
  ],
  [
    'BillingAddress with 11 items',
    (c) => (c.BillingAddress = Array.from({ length: 11 }, () => address(c, 'BillingAddress'))),
    '/Customer/BillingAddress',
    /at most 10 addresses/,
  ],
  [
    'address not an object',
    (c) => (c.ShippingAddress = ['x']),
    '/Customer/ShippingAddress/0',
    /must be a JSON object/,
  ],
  [
    'Addresstype mismatch',
    (c) => (address(c, 'BillingAddress').Addresstype = 'Shipping'),
    '/Customer/BillingAddress/0/Addresstype',
    /^Addresstype must be Billing for an address in BillingAddress\.$/,
  ],
  [
    'Addresstype invented',
    (c) => (address(c, 'ShippingAddress').Addresstype = 'Home'),
    '/Customer/ShippingAddress/0/Addresstype',
    /one of Billing, Shipping/,
  ],
  [
    'Addresstype missing',
    (c) => delete address(c, 'ShippingAddress').Addresstype,
    '/Customer/ShippingAddress/0/Addresstype',
    /required/,
  ],
  [
    'PrimaryAddress not Yes/No',
    (c) => (address(c, 'BillingAddress').PrimaryAddress = 'Y'),
    '/Customer/BillingAddress/0/PrimaryAddress',
    /one of Yes, No/,
  ],
  [
    'two primary addresses',
    (c) => {
      const first = address(c, 'BillingAddress');
      c.BillingAddress = [first, { ...first, PrimaryAddress: 'YES' }];
    },
    '/Customer/BillingAddress/1/PrimaryAddress',
    /^Only one address in BillingAddress may have PrimaryAddress "Yes"\.$/,
  ],
  [
    'Street missing',
    (c) => delete address(c, 'BillingAddress').Street,
    '/Customer/BillingAddress/0/Street',
    /^Street is required\.$/,
  ],
  [
    'Street too long',
    (c) => (address(c, 'BillingAddress').Street = 'S'.repeat(251)),
    '/Customer/BillingAddress/0/Street',
    /at most 250/,
  ],
  [
    'Street with emoji',
    (c) => (address(c, 'BillingAddress').Street = `${PERSONAL.street} 🏠`),
    '/Customer/BillingAddress/0/Street',
    /no emoji/,
  ],
  [
    'Street with a line break',
    (c) => (address(c, 'BillingAddress').Street = `${PERSONAL.street}\nFlat 2`),
    '/Customer/BillingAddress/0/Street',
    /control characters/,
  ],
  [
    'City too long',
    (c) => (address(c, 'BillingAddress').City = 'C'.repeat(61)),
    '/Customer/BillingAddress/0/City',
    /at most 60/,
  ],
  [
    'Addresstitle too long',
    (c) => (address(c, 'BillingAddress').Addresstitle = 'T'.repeat(61)),
    '/Customer/BillingAddress/0/Addresstitle',
    /at most 60/,
  ],
  [
    'PostalCode too long',
    (c) => (address(c, 'BillingAddress').PostalCode = '12345678901'),
    '/Customer/BillingAddress/0/PostalCode',
    /at most 10/,
  ],
  [
    'PostalCode symbols',
    (c) => (address(c, 'BillingAddress').PostalCode = '12$45'),
    '/Customer/BillingAddress/0/PostalCode',
    /letters, digits, spaces or hyphens/,
  ],
  [
    'State too long',
    (c) => (address(c, 'BillingAddress').State = 'New Hampshire'),
    '/Customer/BillingAddress/0/State',
    /at most 10/,
  ],
  [
    'CountryCode missing',
    (c) => delete address(c, 'BillingAddress').CountryCode,
    '/Customer/BillingAddress/0/CountryCode',
    /^CountryCode is required\.$/,
  ],
  [
    'CountryCode alpha-2',
    (c) => (address(c, 'BillingAddress').CountryCode = 'us'),
    '/Customer/BillingAddress/0/CountryCode',
    /^CountryCode must be an ISO 3166-1 alpha-3 code such as USA; got a 2-letter code \(use USA for US\)\.$/,
  ],
  [
    'CountryCode alpha-2 of Pakistan',
    (c) => (address(c, 'ShippingAddress').CountryCode = 'PK'),
    '/Customer/ShippingAddress/0/CountryCode',
    /got a 2-letter code \(use PAK for PK\)/,
  ],
  [
    'CountryCode unassigned',
    (c) => (address(c, 'BillingAddress').CountryCode = 'ZZZ'),
    '/Customer/BillingAddress/0/CountryCode',
    /not assigned/,
  ],
  [
    'CountryCode numeric',
    (c) => (address(c, 'BillingAddress').CountryCode = '840'),
    '/Customer/BillingAddress/0/CountryCode',
    /numeric/,
  ],
  [
    'unknown property in Customer',
    (c) => (c.Nickname = 'Zeb'),
    '/Customer/Nickname',
    /^Unknown property "Nickname" in Customer; allowed: LegalEntity, FirstName/,
  ],
  [
    'property in the wrong case',
    (c) => {
      c.firstname = c.FirstName;
    },
    '/Customer/firstname',
    /did you mean "FirstName"\?/,
  ],
  [
    'unknown property in an address',
    (c) => (address(c, 'ShippingAddress').AddressTitle = 'x'),
    '/Customer/ShippingAddress/0/AddressTitle',
    /^Unknown property "AddressTitle" in an address of ShippingAddress; did you mean "Addresstitle"\?$/,
  ],
  [
    '__proto__ property in Customer',
    (c) => Object.defineProperty(c, '__proto__', { value: { isAdmin: true }, enumerable: true }),
    '/Customer/__proto__',
    /^Unknown property "__proto__" in Customer/,
  ],
  [
    // A 20 KB name is neither echoed in the pointer nor in the message: the pointer names Customer.
    'unknown property with a 20 KB name',
    (c) => (c['N'.repeat(20_000)] = 'x'),
    '/Customer',
    new RegExp(`^Unknown property "${'N'.repeat(64)}…" in Customer; allowed:`),
  ],
];

describe('invalid customers', () => {
  it.each(invalidCustomers)('%s', (_label, edit, pointer, detail) => {
    const body = customerWith(edit);
    const errors = errorsOf(body);
    expect(errors).toContainEqual({ pointer, detail: expect.stringMatching(detail) });
    // Only the broken field is reported.
    expect(errors.map((e) => e.pointer)).toEqual([pointer]);
  });

  it('never echoes a personal value in a detail', () => {
    const body = customerWith((c) => {
      c.FirstName = `${PERSONAL.first}\u0000x`;
      c.LastName = `${PERSONAL.first}😀`;
      c.EmailAddress = PERSONAL.email.replace('@', ' at ');
      c.ContactNumber = PERSONAL.phone;
      c.DateOfBirth = PERSONAL.dob;
      address(c, 'BillingAddress').Street = `${PERSONAL.street}\n`.repeat(30);
      address(c, 'BillingAddress').PostalCode = 'QX$9';
    });
    const errors = errorsOf(body);
    expect(errors).toHaveLength(7);
    const details = errors.map((e) => e.detail).join('\n');
    for (const value of [PERSONAL.first, 'zebulon', 'quill', '4479460000', '2000', 'Quillstreet', 'QX']) {
      expect(details.toLowerCase()).not.toContain(value.toLowerCase());
    }
  });

  it('reports every problem at once, each with its own pointer', () => {
    const body = customerWith((c) => {
      delete c.FirstName;
      c.CurrencyCode = 'EURO';
      address(c, 'ShippingAddress').CountryCode = 'GB';
      c.Extra = 1;
    });
    expect(errorsOf(body).map((e) => e.pointer)).toEqual([
      '/Customer/FirstName',
      '/Customer/CurrencyCode',
      '/Customer/ShippingAddress/0/CountryCode',
      '/Customer/Extra',
    ]);
  });

  it('reports the primary-address rule even when other fields of the list are invalid', () => {
    const body = customerWith((c) => {
      const first = address(c, 'BillingAddress');
      c.BillingAddress = [first, { ...first, PrimaryAddress: 'Yes', City: 'C'.repeat(61) }];
    });
    expect(errorsOf(body).map((e) => e.pointer)).toEqual([
      '/Customer/BillingAddress/1/City',
      '/Customer/BillingAddress/1/PrimaryAddress',
    ]);
  });

  it.each([
    ['a string', 'customer'],
    ['a number', 42],
    ['null', null],
    ['an array', [fixture('full')]],
    ['undefined', undefined],
  ])('refuses a body that is %s, at the root', (_label, body) => {
    expect(errorsOf(body)).toEqual([
      { pointer: '', detail: 'The request body must be a JSON object such as {"Customer": {...}}.' },
    ]);
  });

  it('refuses a body without Customer, a Customer that is not an object, and unknown top-level properties', () => {
    expect(errorsOf({})).toEqual([{ pointer: '/Customer', detail: 'Customer is required.' }]);
    expect(errorsOf({ Customer: [] })).toEqual([
      { pointer: '/Customer', detail: 'Customer must be a JSON object.' },
    ]);
    expect(errorsOf({ ...fixture('minimal'), customer: {} })).toEqual([
      {
        pointer: '/customer',
        detail: 'Unknown property "customer" in the request body; did you mean "Customer"?',
      },
    ]);
  });

  it('caps the number of errors reported', () => {
    const body = customerWith((c) => {
      for (let i = 0; i < 200; i += 1) c[`Extra${i}`] = i;
    });
    const errors = errorsOf(body);
    expect(errors).toHaveLength(MAX_REPORTED_ERRORS + 1);
    expect(errors[MAX_REPORTED_ERRORS]).toEqual({
      pointer: '',
      detail: '150 more errors were found and are not listed.',
    });
    // All 200 are counted (not the 51 entries), inside an envelope too.
    expect(countFieldErrors(errors)).toBe(200);
    const enveloped = prefixPointers(errors, '/data');
    expect(enveloped[0]!.pointer).toBe('/data/Customer/Extra0');
    expect(countFieldErrors(enveloped)).toBe(200);
    expect(countFieldErrors(errors.slice(0, 3))).toBe(3);
  });

  it('refuses too-deep nesting and __proto__ keys before the schema sees them (body text pipeline)', () => {
    const deep = parseJsonBody(`{"Customer": {"FirstName": ${'['.repeat(40)}${']'.repeat(40)}}}`);
    expect(deep).toMatchObject({ ok: false, pointer: `/Customer/FirstName${'/0'.repeat(30)}` });
    const proto = parseJsonBody('{"Customer": {"__proto__": {"LegalEntity": "DAT"}}}');
    expect(proto).toMatchObject({ ok: false, pointer: '/Customer/__proto__' });
  });

  it('refuses an invalid default customer group as a programming error', () => {
    expect(() =>
      parseCustomerRequest(fixture('full'), { defaultCustomerGroup: 'far too long group' }),
    ).toThrow(TypeError);
  });
});

describe('exports', () => {
  it('exports the zod schema, which normalises like parseCustomerRequest', () => {
    const schema = createCustomerRequestSchema({ defaultCustomerGroup: '30', now: () => NOW });
    expect(schema.parse(fixture('full'))).toEqual(FULL_SAMPLE_NORMALISED);
    expect(schema.safeParse({}).success).toBe(false);
  });

  it('uses the system clock when no time is given', () => {
    const result = parseCustomerRequest(fixture('full'), { defaultCustomerGroup: '30' });
    expect(result.ok).toBe(true);
    const future = customerWith((c) => (c.DateOfBirth = `${new Date().getUTCFullYear() + 1}-01-01`));
    expect(parseCustomerRequest(future, { defaultCustomerGroup: '30' }).ok).toBe(false);
    // A `now` given to one call does not stick to the next.
    const afterNow = customerWith((c) => (c.DateOfBirth = '2025-06-02'));
    expect(parse(afterNow).ok).toBe(false);
    expect(parseCustomerRequest(afterNow, { defaultCustomerGroup: '30' }).ok).toBe(true);
  });

  it('lists the personal fields, all of them contract fields', () => {
    expect([...personalFields].sort()).toEqual(
      [
        'City',
        'ContactNumber',
        'DateOfBirth',
        'EmailAddress',
        'FirstName',
        'Gender',
        'LastName',
        'MiddleName',
        'PostalCode',
        'State',
        'Street',
        'Addresstitle',
      ].sort(),
    );
    const contractFields: readonly string[] = [...CUSTOMER_FIELDS, ...ADDRESS_FIELDS];
    for (const field of personalFields) expect(contractFields).toContain(field);
  });

  it('documents a limit for each free-text field that matches what is enforced', () => {
    expect(FIELD_LIMITS).toMatchObject({ FirstName: 25, Street: 250, City: 60, PostalCode: 10, State: 10 });
    const at = (limit: number) => 'a'.repeat(limit);
    expect(valid(customerWith((c) => (c.FirstName = at(25)))).Customer.FirstName).toHaveLength(25);
    expect(
      valid(customerWith((c) => (address(c, 'BillingAddress').Street = at(250)))).Customer.BillingAddress?.[0]
        ?.Street,
    ).toHaveLength(250);
  });
});

describe('reference data', () => {
  it('holds every ISO 3166-1 country, alpha-2 to alpha-3', () => {
    expect(ALPHA2_TO_ALPHA3.size).toBe(249);
    expect(COUNTRY_ALPHA3_CODES.size).toBe(249);
    for (const [alpha2, alpha3] of ALPHA2_TO_ALPHA3) {
      expect(alpha2).toMatch(/^[A-Z]{2}$/);
      expect(alpha3).toMatch(/^[A-Z]{3}$/);
    }
    expect(ALPHA2_TO_ALPHA3.get('US')).toBe('USA');
    expect(ALPHA2_TO_ALPHA3.get('GB')).toBe('GBR');
    expect(ALPHA2_TO_ALPHA3.get('PK')).toBe('PAK');
  });

  it('holds currencies in use, without metals, test or fund codes', () => {
    for (const code of CURRENCY_CODES) expect(code).toMatch(/^[A-Z]{3}$/);
    for (const code of ['USD', 'EUR', 'GBP', 'PKR', 'JPY', 'XOF', 'ZWG', 'XCG'])
      expect(CURRENCY_CODES.has(code)).toBe(true);
    for (const code of ['XXX', 'XTS', 'XAU', 'XDR', 'USN', 'BOV'])
      expect(CURRENCY_CODES.has(code)).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------
// Fingerprint

describe('customerFingerprint', () => {
  it('is a SHA-256 hex digest of the canonical JSON', () => {
    const request = valid(fixture('full'));
    expect(customerFingerprint(request)).toMatch(/^[0-9a-f]{64}$/);
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }, 'x'] })).toBe('{"a":[{"d":2},"x"],"b":1}');
  });

  it('is the same for the same logical body regardless of key order, whitespace, Unicode form and code case', () => {
    const original = fixture('minimal');
    const variant = reorderKeys(original, (keys) => [...keys].reverse()) as typeof original;
    const c = variant.Customer;
    c.LegalEntity = ' usrt';
    c.CurrencyCode = 'usd ';
    c.Gender = 'MALE';
    c.MiddleName = '';
    c.EmailAddress = 'alex.trump@EXAMPLE.com';
    address(c, 'BillingAddress').CountryCode = 'usa';
    address(c, 'ShippingAddress').PrimaryAddress = 'yes';
    expect(customerFingerprint(valid(variant))).toBe(customerFingerprint(valid(original)));
  });

  it('differs when a value differs', () => {
    const a = customerFingerprint(valid(fixture('full')));
    const b = customerFingerprint(valid(customerWith((c) => (c.FirstName = 'Cust2'))));
    const group = customerFingerprint(valid(customerWith((c) => (c.CustomerGroup = '40'))));
    expect(new Set([a, b, group]).size).toBe(3);
  });
});

// ---------------------------------------------------------------------------------------------------
// Properties

/** Arbitrary well-formed customers, in the many shapes callers may send them. */
const letters = fc.constantFrom(
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéüøñßçłğ王李明ابحخسصعقمنهيαβγδжзик',
);
const word = (min: number, max: number) => fc.string({ unit: letters, minLength: min, maxLength: max });
const padded = (text: fc.Arbitrary<string>) =>
  fc
    .tuple(fc.constantFrom('', ' ', '  '), text, fc.constantFrom('', ' ', '\t'))
    .map(([a, t, b]) => a + t + b);
const anyCase = (text: string) =>
  fc.constantFrom(
    text,
    text.toLowerCase(),
    text.toUpperCase(),
    text.charAt(0).toUpperCase() + text.slice(1).toLowerCase(),
  );
const optionalEmpty = <T>(arb: fc.Arbitrary<T>) =>
  fc.option(fc.oneof(arb, fc.constantFrom('', null)), { nil: undefined });

const addressArb = (type: 'Billing' | 'Shipping', primary: fc.Arbitrary<string | undefined>) =>
  fc.record(
    {
      Addresstitle: optionalEmpty(padded(word(1, 40))),
      Street: padded(fc.tuple(fc.nat(9999), word(1, 60)).map(([n, w]) => `${n} ${w}`)),
      Addresstype: anyCase(type),
      PrimaryAddress: primary,
      PostalCode: optionalEmpty(fc.stringMatching(/^[A-Za-z0-9]{1,5}(?: [A-Za-z0-9]{1,4})?$/)),
      City: optionalEmpty(word(1, 60)),
      Country: optionalEmpty(word(1, 20)),
      CountryCode: fc.constantFrom(...COUNTRY_ALPHA3_CODES).chain(anyCase),
      State: optionalEmpty(word(1, 10)),
    },
    { requiredKeys: ['Street', 'Addresstype', 'CountryCode'] },
  );

const addressListArb = (type: 'Billing' | 'Shipping') =>
  fc
    .tuple(
      fc.array(addressArb(type, fc.option(anyCase('No'), { nil: undefined })), { maxLength: 3 }),
      fc.nat(),
    )
    .chain(([items, at]) =>
      items.length === 0
        ? fc.constant(items)
        : addressArb(type, anyCase('Yes')).map((primary) => {
            const copy = [...items];
            copy[at % copy.length] = primary;
            return copy;
          }),
    );

const customerArb = fc.record(
  {
    LegalEntity: fc.stringMatching(/^[A-Za-z0-9]{1,4}$/),
    FirstName: padded(word(1, 25)),
    MiddleName: optionalEmpty(word(1, 25)),
    LastName: optionalEmpty(padded(word(1, 25))),
    ContactNumber: optionalEmpty(
      fc.constantFrom(
        '+1 425 555 0100',
        '+44 20 7946 0018',
        '+92 (300) 400-0101',
        '0049 30 901820',
        '+33.1.42.68.53.00',
      ),
    ),
    CurrencyCode: fc.constantFrom(...CURRENCY_CODES).chain(anyCase),
    EmailAddress: fc
      .tuple(fc.stringMatching(/^[A-Za-z0-9_+'-]{1,20}(\.[A-Za-z0-9_-]{1,10})?$/), fc.domain())
      .map(([local, domain]) => `${local}@${domain}`),
    DateOfBirth: optionalEmpty(
      fc
        .date({
          min: new Date('1900-01-01T00:00:00Z'),
          max: new Date('2025-05-31T00:00:00Z'),
          noInvalidDate: true,
        })
        .chain((d) => {
          const [y, m, day] = d.toISOString().slice(0, 10).split('-');
          return fc.constantFrom(`${y}-${m}-${day}`, `${m}/${day}/${y}`, `${Number(m)}/${Number(day)}/${y}`);
        }),
    ),
    Gender: optionalEmpty(fc.constantFrom('Unknown', 'Male', 'Female', 'NonSpecific').chain(anyCase)),
    CustomerGroup: optionalEmpty(fc.stringMatching(/^[A-Za-z0-9]{1,10}$/)),
    BillingAddress: fc.option(addressListArb('Billing'), { nil: undefined }),
    ShippingAddress: fc.option(addressListArb('Shipping'), { nil: undefined }),
  },
  { requiredKeys: ['LegalEntity', 'FirstName', 'CurrencyCode', 'EmailAddress'] },
);
const bodyArb = customerArb.map((Customer) => ({ Customer }));

/** Random edits to a valid body: delete, replace with any JSON value, or add a property, at random paths. */
function mutate(body: unknown, choices: number[], values: unknown[]): unknown {
  const copy = JSON.parse(JSON.stringify(body)) as unknown;
  choices.forEach((choice, i) => {
    const containers: { node: Record<string, unknown> | unknown[]; keys: (string | number)[] }[] = [];
    const collect = (node: unknown) => {
      if (Array.isArray(node)) {
        containers.push({ node, keys: node.map((_, j) => j) });
        node.forEach(collect);
      } else if (typeof node === 'object' && node !== null) {
        containers.push({ node: node as Record<string, unknown>, keys: Object.keys(node) });
        Object.values(node).forEach(collect);
      }
    };
    collect(copy);
    // Mostly below the root: deleting Customer itself would make most runs trivial.
    const index = choice % 13 === 0 ? 0 : 1 + (choice % Math.max(1, containers.length - 1));
    const target = containers[Math.min(index, containers.length - 1)];
    if (!target) return;
    const key = target.keys[Math.floor(choice / 7) % Math.max(1, target.keys.length)];
    // A copy, so that inserting the same value twice cannot make the document cyclic.
    const value = structuredClone(values[i % Math.max(1, values.length)]);
    const record = target.node as Record<string | number, unknown>;
    switch (choice % 3) {
      case 0:
        if (key !== undefined && !Array.isArray(target.node)) delete record[key];
        break;
      case 1:
        if (key !== undefined) record[key] = value;
        break;
      default:
        if (!Array.isArray(target.node)) record[`X${choice % 5}`] = value;
    }
  });
  return copy;
}

const mutatedArb = fc
  .tuple(
    fc.oneof(bodyArb, fc.constant(fixture('full')), fc.constant(fixture('minimal'))),
    fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
    fc.array(fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.string({ unit: 'binary', maxLength: 30 })), {
      maxLength: 4,
    }),
  )
  .map(([body, choices, values]) => mutate(body, choices, values));

describe('properties', () => {
  it('accepts every well-formed customer, and normalising is idempotent', () => {
    fc.assert(
      fc.property(bodyArb, (body) => {
        const once = valid(body);
        expect(valid(once)).toEqual(once);
        expect(customerFingerprint(valid(once))).toBe(customerFingerprint(once));
      }),
    );
  });

  it('gives the same fingerprint whatever the key order', () => {
    fc.assert(
      fc.property(bodyArb, fc.integer(), (body, seed) => {
        const shuffled = reorderKeys(body, (keys) =>
          [...keys].sort((a, b) => ((a.charCodeAt(0) * seed) % 7) - ((b.charCodeAt(0) * seed) % 7)),
        );
        expect(customerFingerprint(valid(shuffled))).toBe(customerFingerprint(valid(body)));
      }),
    );
  });

  it('never throws; every error points at a real path of the input (or the parent of a missing field)', () => {
    fc.assert(
      fc.property(fc.oneof(mutatedArb, fc.anything({ maxDepth: 3 })), (body) => {
        const result = parse(body);
        if (result.ok) {
          expect(valid(result.value)).toEqual(result.value);
          return;
        }
        expect(result.errors.length).toBeGreaterThan(0);
        for (const { pointer, detail } of result.errors) {
          expect(detail.length).toBeGreaterThan(0);
          expect(pointerExists(body, pointer) || pointerExists(body, parentPointer(pointer))).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never puts a string value of the body into an error detail', () => {
    const marked = fc
      .tuple(
        fc.constantFrom(...CUSTOMER_FIELDS, 'Street', 'City'),
        fc.string({ unit: 'binary', maxLength: 12 }),
      )
      .map(([field, noise]) => {
        const body = fixture('full');
        const secret = `PII${noise}QX`;
        if (field === 'Street' || field === 'City') address(body.Customer, 'BillingAddress')[field] = secret;
        else body.Customer[field] = secret;
        return body;
      });
    fc.assert(
      fc.property(marked, (body) => {
        const result = parse(body);
        if (result.ok) return;
        const secrets = stringValues(body).filter((value) => value.startsWith('PII'));
        expect(secrets.length).toBeGreaterThan(0);
        for (const { detail } of result.errors) expect(detail).not.toContain('PII');
      }),
    );
  });
});
