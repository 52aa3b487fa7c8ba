import fc from 'fast-check';
import { isE164, storedPhoneAsE164, toE164 } from './phone-number';

/**
 * Phone normalisation (issue 32): properties with fast-check over real numbers of several countries,
 * written the ways people write them. The numbers are the numbering plans' own example numbers or
 * numbers from ranges set aside for drama (Ofcom 020 7946 0xxx, NANP 555-01xx).
 */
const NUMBERS: { e164: string; country: string; national: string }[] = [
  { e164: '+14255550100', country: 'USA', national: '4255550100' },
  { e164: '+14255550101', country: 'USA', national: '4255550101' },
  { e164: '+16135550135', country: 'CAN', national: '6135550135' },
  { e164: '+442079460018', country: 'GBR', national: '02079460018' },
  { e164: '+442079460019', country: 'GBR', national: '02079460019' },
  { e164: '+923004000101', country: 'PAK', national: '03004000101' },
  { e164: '+4930901820', country: 'DEU', national: '030901820' },
  { e164: '+33142685300', country: 'FRA', national: '0142685300' },
  { e164: '+61291924000', country: 'AUS', national: '0291924000' },
];

const number = fc.constantFrom(...NUMBERS);
const separator = fc.constantFrom('', ' ', '-', '.', '/', '\u00A0');

/** The digits of `text` with a random separator (or none) between each. */
const written = (text: string) =>
  fc
    .array(separator, { minLength: text.length, maxLength: text.length })
    .map((seps) => [...text].map((c, i) => (i === 0 ? c : `${seps[i]}${c}`)).join(''));

const value = (checked: { value: string } | { error: string }): string | undefined =>
  'value' in checked ? checked.value : undefined;

describe('toE164', () => {
  it('reads every way of writing a number as the same E.164 number, with or without its country', () => {
    fc.assert(
      fc.property(
        number.chain((n) =>
          fc.tuple(
            fc.constant(n),
            fc.oneof(
              written(n.e164), // +44 20 …
              written(`00${n.e164.slice(1)}`), // 0044 20 …
              written(n.national).map((t) => ({ national: t })), // 020 … in the address country
            ),
          ),
        ),
        ([n, text]) => {
          const read = typeof text === 'string' ? toE164(text, n.country) : toE164(text.national, n.country);
          expect(value(read)).toBe(n.e164);
          if (typeof text === 'string') expect(value(toE164(text))).toBe(n.e164); // no country needed
        },
      ),
      { seed: 32, numRuns: 500 },
    );
  });

  it('is idempotent: its output reads as itself, in any country', () => {
    fc.assert(
      fc.property(number, fc.constantFrom(undefined, 'USA', 'GBR', 'PAK'), (n, country) => {
        const once = value(toE164(n.e164, country))!;
        expect(value(toE164(once, country))).toBe(once);
        expect(isE164(once)).toBe(true);
      }),
      { seed: 32 },
    );
  });

  it('never makes two different numbers one: a changed digit is another number or none', () => {
    fc.assert(
      fc.property(number, fc.nat(), fc.integer({ min: 0, max: 9 }), (n, at, digit) => {
        const index = 2 + (at % (n.e164.length - 2));
        const other = `${n.e164.slice(0, index)}${digit}${n.e164.slice(index + 1)}`;
        fc.pre(other !== n.e164);
        const read = value(toE164(other));
        expect(read).not.toBe(n.e164);
      }),
      { seed: 32, numRuns: 500 },
    );
  });

  it('refuses what no plan assigns, a national number without a country, and letters', () => {
    expect(toE164('+12345')).toMatchObject({ error: expect.stringMatching(/not a valid phone number/) });
    expect(toE164('+4479460000123456789')).toMatchObject({ error: expect.stringMatching(/not a valid/) });
    expect(toE164('4255550100')).toMatchObject({
      error: expect.stringMatching(/no address with a CountryCode/),
    });
    expect(toE164('4255550100', 'GBR')).toMatchObject({
      error: expect.stringMatching(/address country \(GBR\)/),
    });
    expect(toE164('+1 425 CALL NOW')).toMatchObject({ error: expect.stringMatching(/digits/) });
  });

  it('never echoes the number in an error', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+?[0-9]{3,19}$/), (text) => {
        const checked = toE164(text);
        if ('error' in checked) expect(checked.error).not.toContain(text.replace('+', ''));
      }),
      { seed: 32 },
    );
  });
});

describe('storedPhoneAsE164 (a phone as D365 may hold it)', () => {
  it('reads a formatted international number, and nothing from a national one without its country', () => {
    expect(storedPhoneAsE164('+1 (425) 555-0100')).toBe('+14255550100');
    expect(storedPhoneAsE164('425-555-0100')).toBeUndefined();
    expect(storedPhoneAsE164('425-555-0100', 'USA')).toBe('+14255550100');
    expect(storedPhoneAsE164('')).toBeUndefined();
    expect(storedPhoneAsE164(null)).toBeUndefined();
  });
});
