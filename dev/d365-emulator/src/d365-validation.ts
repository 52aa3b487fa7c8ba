/**
 * Business rules both D365 endpoints apply before they create a customer, worded as F&O's Infolog
 * messages. An empty list means the customer can be created.
 */
export interface CompanySetup {
  legalEntities: string[];
  customerGroups: string[];
}

const currencies = new Set(Intl.supportedValuesOf('currency'));

export function companyExists(setup: CompanySetup, legalEntity: string): boolean {
  return setup.legalEntities.includes(legalEntity.toUpperCase());
}

export function companyMissingMessage(legalEntity: string): string {
  return `Company '${legalEntity}' does not exist.`;
}

export const mustBeFilledIn = (label: string): string => `Field '${label}' must be filled in.`;

export const notInRelatedTable = (value: string, label: string, table: string): string =>
  `The value '${value}' in field '${label}' is not found in the related table '${table}'.`;

export function checkCustomerGroup(setup: CompanySetup, group: string): string[] {
  if (group.trim() === '') return [mustBeFilledIn('Customer group')];
  // Customer group ids compare case-insensitively, as F&O's string keys do.
  const known = setup.customerGroups.some((g) => g.toUpperCase() === group.trim().toUpperCase());
  return known ? [] : [notInRelatedTable(group, 'Customer group', 'Customer groups')];
}

export function checkCurrency(currency: string): string[] {
  if (currency === '' || currencies.has(currency.toUpperCase())) return [];
  return [notInRelatedTable(currency, 'Currency', 'Currency')];
}

export function checkCountry(country: string): string[] {
  if (country.trim() === '') return [mustBeFilledIn('Country/region')];
  return /^[A-Za-z]{3}$/.test(country.trim())
    ? []
    : [notInRelatedTable(country, 'Country/region', 'Address country/region')];
}

export function checkEmail(email: string): string[] {
  if (email === '') return [];
  return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email) ? [] : ['The email address is not valid.'];
}

/** `MM/DD/YYYY` (month and day may have one digit), a real calendar date. */
export function parseUsDate(text: string): { year: number; month: number; day: number } | undefined {
  const match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text.trim());
  if (!match) return undefined;
  const [month, day, year] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  const valid =
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return valid && year >= 1900 ? { year, month, day } : undefined;
}

export function checkBirthDate(text: string): string[] {
  if (text.trim() === '') return [];
  return parseUsDate(text) ? [] : ['The date of birth is not a valid date in the format MM/DD/YYYY.'];
}
