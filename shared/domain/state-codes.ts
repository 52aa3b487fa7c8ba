/**
 * US state and Canadian province names to their postal abbreviations (USPS Publication 28,
 * Appendix B; Canada Post's province and territory symbols). F&O stores an address's state as
 * this ID (`LogisticsAddressStateId`), while e-commerce platforms such as BigCommerce send the name.
 */
const STATE_NAMES: Record<'US' | 'CA', Record<string, string>> = {
  US: {
    alabama: 'AL',
    alaska: 'AK',
    arizona: 'AZ',
    arkansas: 'AR',
    california: 'CA',
    colorado: 'CO',
    connecticut: 'CT',
    delaware: 'DE',
    'district of columbia': 'DC',
    florida: 'FL',
    georgia: 'GA',
    hawaii: 'HI',
    idaho: 'ID',
    illinois: 'IL',
    indiana: 'IN',
    iowa: 'IA',
    kansas: 'KS',
    kentucky: 'KY',
    louisiana: 'LA',
    maine: 'ME',
    maryland: 'MD',
    massachusetts: 'MA',
    michigan: 'MI',
    minnesota: 'MN',
    mississippi: 'MS',
    missouri: 'MO',
    montana: 'MT',
    nebraska: 'NE',
    nevada: 'NV',
    'new hampshire': 'NH',
    'new jersey': 'NJ',
    'new mexico': 'NM',
    'new york': 'NY',
    'north carolina': 'NC',
    'north dakota': 'ND',
    ohio: 'OH',
    oklahoma: 'OK',
    oregon: 'OR',
    pennsylvania: 'PA',
    'rhode island': 'RI',
    'south carolina': 'SC',
    'south dakota': 'SD',
    tennessee: 'TN',
    texas: 'TX',
    utah: 'UT',
    vermont: 'VT',
    virginia: 'VA',
    washington: 'WA',
    'west virginia': 'WV',
    wisconsin: 'WI',
    wyoming: 'WY',
    'puerto rico': 'PR',
  },
  CA: {
    alberta: 'AB',
    'british columbia': 'BC',
    manitoba: 'MB',
    'new brunswick': 'NB',
    'newfoundland and labrador': 'NL',
    'nova scotia': 'NS',
    'northwest territories': 'NT',
    nunavut: 'NU',
    ontario: 'ON',
    'prince edward island': 'PE',
    quebec: 'QC',
    québec: 'QC',
    saskatchewan: 'SK',
    yukon: 'YT',
  },
};

/**
 * The state ID F&O expects for a state or province as a shop sends it: the abbreviation for a US
 * or Canadian name (or the abbreviation itself), undefined when it is neither; elsewhere the text
 * itself when it fits the field (10 characters), else undefined.
 */
export function stateIdFor(countryAlpha2: string, text: string): string | undefined {
  const value = text.trim();
  const country = countryAlpha2.trim().toUpperCase();
  if (country === 'US' || country === 'CA') {
    const names = STATE_NAMES[country];
    const code = value.toUpperCase();
    if (Object.values(names).includes(code)) return code;
    return names[value.toLowerCase().replace(/\s+/g, ' ')];
  }
  return value.length > 0 && value.length <= 10 ? value : undefined;
}

const titleCase = (name: string): string =>
  name.replace(/\b[a-z]+/g, (word, at: number) =>
    at > 0 && ['of', 'and'].includes(word) ? word : word[0]!.toUpperCase() + word.slice(1),
  );

/**
 * The other way (issue 29, D365 → BigCommerce): a US or Canadian state ID (`WA`) as its name spelled
 * out in full (`Washington`), which BigCommerce's `state_or_province` takes ("State or province codes
 * not accepted": https://developer.bigcommerce.com/docs/rest-management/customers/addresses). Any
 * other country's state, or an ID that is not one of these, is left as it is.
 */
export function stateNameFor(countryAlpha2: string, stateId: string): string {
  const country = countryAlpha2.trim().toUpperCase();
  if (country !== 'US' && country !== 'CA') return stateId;
  const code = stateId.trim().toUpperCase();
  const found = Object.entries(STATE_NAMES[country]).find(([, id]) => id === code);
  return found ? titleCase(found[0]) : stateId;
}
