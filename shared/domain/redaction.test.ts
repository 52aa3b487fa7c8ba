import { d365ErrorSummary, personalValues, scrub, truncate } from './redaction';

describe('redaction', () => {
  it('collects personal strings of a request but not its codes', () => {
    const values = personalValues({
      Customer: {
        LegalEntity: 'USRT',
        FirstName: 'Alex',
        LastName: 'Trump',
        CurrencyCode: 'USD',
        Gender: 'Male',
        BillingAddress: [
          { Street: '185 aba road', CountryCode: 'USA', PrimaryAddress: 'Yes', City: 'Acworth' },
        ],
      },
    });
    expect(values.sort()).toEqual(['185 aba road', 'Acworth', 'Alex', 'Trump'].sort());
  });

  it('replaces given values case-insensitively, and e-mails, phones, dates and tokens by shape', () => {
    const text =
      'Customer alex TRUMP (abc1234@gmail.com, +92 300 4000101) born 11/10/1997 sent Bearer eyJhbGciOi.eyJzdWIi.sig';
    expect(scrub(text, ['Alex', 'Trump'])).toBe(
      'Customer [redacted] [redacted] ([redacted], [redacted]) born [redacted] sent [redacted]',
    );
  });

  it('leaves codes and plain reasons alone', () => {
    const text = "The value 'NOPE' in field 'Customer group' is not found (HTTP 500).";
    expect(scrub(text, [])).toBe(text);
  });

  it('replaces whole words only, so a name inside a longer word stays', () => {
    expect(scrub("field 'Customer group' for Cust", ['Cust'])).toBe("field 'Customer group' for [redacted]");
  });

  it('treats values as text, not patterns', () => {
    expect(scrub('a+b (c) [d]', ['a+b (c)'])).toBe('[redacted] [d]');
  });

  it('truncates long messages', () => {
    expect(truncate('x'.repeat(500), 10)).toBe('xxxxxxxxx…');
    expect(truncate('short')).toBe('short');
  });
});

describe('d365ErrorSummary', () => {
  const duplicate = (name: string, email: string, party: string) =>
    `Customer '${name}' (${email}) already exists. Cannot create a record in Global address book (DirPartyTable). Name: ${name}, Party: ${party}.`;

  it('keeps no third-party value: quoted values, listed key values, e-mails, the request’s own values', () => {
    const summary = d365ErrorSummary(duplicate('Jane Smith', 'jane@example.com', '000123'), ['Bob']);
    expect(summary).not.toMatch(/Jane|Smith|jane@example\.com|000123/);
    expect(summary).toMatch(
      /^Customer \[redacted\] \(\[redacted\]\) already exists\. Cannot create a record in Global address book \(DirPartyTable\)\. Name: \[redacted\], Party: \[redacted\]\. \(D365 message d365:[0-9a-f]{8}\)$/,
    );
    expect(d365ErrorSummary("Customer group '99' does not exist.", [])).toMatch(
      /^Customer group \[redacted\] does not exist\. \(D365 message d365:[0-9a-f]{8}\)$/,
    );
  });

  it('gives one code per message template, whoever it names', () => {
    const code = (text: string) => /d365:([0-9a-f]{8})/.exec(d365ErrorSummary(text))?.[1];
    expect(code(duplicate('Jane Smith', 'jane@example.com', '000123'))).toBe(
      code(duplicate('Ann Lee', 'ann@example.org', '000999')),
    );
    expect(code("Customer group '99' does not exist.")).not.toBe(code(duplicate('A', 'a@b.co', '1')));
  });
});
