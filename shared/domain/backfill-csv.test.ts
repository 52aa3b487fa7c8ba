import { customersOfCsv } from './backfill-csv';
import { CsvSyntaxError, parseCsv } from './csv';

/** The customer export's CSV (RFC 4180) and its columns (issue 30). */
describe('a Shopify customer export', () => {
  it('reads RFC 4180: quotes, commas and line breaks inside quotes, CRLF, a byte order mark, blank lines', () => {
    const text = '\uFEFFa,b,c\r\n"x, y","say ""hi""","two\nlines"\r\n\r\n1,,3';
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['x, y', 'say "hi"', 'two\nlines'] },
      { line: 5, fields: ['1', '', '3'] },
    ]);
    expect(() => parseCsv('a,"open\n')).toThrow(CsvSyntaxError);
    expect(() => parseCsv('a,b"c\n')).toThrow(/line 1/);
  });

  it('maps the documented columns, keys by Customer ID else e-mail, and points at bad rows', () => {
    const { customers, errors } = customersOfCsv(
      parseCsv(
        [
          'First Name,Last Name,Email,Address1,City,Province Code,Country Code,Zip,Phone',
          'Ada,Lovelace,Ada@Example.com,12 Main St,Springfield,IL,us,62701,+1 217 555 0100',
          'Bob,,bob@example,,,,,,',
          ',,,,,,,,',
          'Cy,,cy@example.com,,,,,,',
          'Cy,,CY@example.com,,,,,,',
          'short,row',
        ].join('\n'),
      ),
    );
    expect(customers).toEqual([
      {
        id: 'email:ada@example.com',
        email: 'Ada@Example.com',
        firstName: 'Ada',
        lastName: 'Lovelace',
        phone: '+1 217 555 0100',
        addresses: [
          {
            street1: '12 Main St',
            street2: null,
            city: 'Springfield',
            state: 'IL',
            postalCode: '62701',
            countryAlpha2: 'US',
            phone: null,
          },
        ],
      },
      {
        id: 'email:cy@example.com',
        email: 'cy@example.com',
        firstName: 'Cy',
        lastName: null,
        phone: null,
        addresses: [],
      },
    ]);
    expect(errors.map((e) => e.pointer)).toEqual([
      '/rows/1/Email',
      '/rows/2/Email',
      '/rows/4/Email',
      '/rows/5',
    ]);
    expect(JSON.stringify(errors)).not.toContain('bob@example');
  });

  it('needs the Email column', () => {
    expect(customersOfCsv(parseCsv('First Name\nAda')).errors).toEqual([
      { pointer: '/header/Email', detail: expect.stringContaining('Email') },
    ]);
  });
});
