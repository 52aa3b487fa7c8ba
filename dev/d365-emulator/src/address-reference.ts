import { z } from 'zod';
import { mustBeFilledIn, notInRelatedTable } from './d365-validation';

/**
 * F&O's address reference data (Organization administration > Global address book > Addresses >
 * Address setup): countries/regions (LogisticsAddressCountryRegion), their states
 * (LogisticsAddressState) and ZIP/postal codes (LogisticsAddressZipCode). A postal address is checked
 * against them when it is written: an unknown country, a state the country does not have, or (where the
 * country's ZIP codes are set up) an unknown ZIP code or one of another state is refused with the
 * related-table Infolog (Microsoft Learn, "Address setup" and "Configure address formats", F&O 10.0.4x).
 *
 * The defaults hold the ISO 3166 alpha-3 codes of the countries the demo companies and the fixtures use,
 * the US states (USPS codes), and no ZIP codes (ZIP validation off); `PATCH /_emulator/settings`
 * `{"addressReference": {...}}` replaces them, e.g. to turn ZIP validation on for a country.
 */
export interface CountryReference {
  /** State codes; absent: the country has no states set up and any state is refused. */
  states?: string[];
  /** ZIP code → its state; absent: ZIP codes are not validated for the country. */
  zipCodes?: Record<string, string>;
}
export type AddressReference = Record<string, CountryReference>;

export const addressReferenceSchema = z.record(
  z.string().regex(/^[A-Za-z]{2,3}$/, 'a country/region id'),
  z
    .object({
      states: z.array(z.string().min(1)).optional(),
      zipCodes: z.record(z.string().min(1), z.string()).optional(),
    })
    .strict(),
);

const US_STATES = (
  'AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND ' +
  'OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR'
).split(' ');

export const DEFAULT_ADDRESS_REFERENCE: AddressReference = {
  USA: { states: US_STATES },
  CAN: { states: 'AB BC MB NB NL NS NT NU ON PE QC SK YT'.split(' ') },
  MEX: {},
  GBR: {},
  DEU: {},
  FRA: {},
  PAK: {},
  IND: {},
  CHN: {},
  JPN: {},
  AUS: {},
  NLD: {},
  BEL: {},
  ESP: {},
  ITA: {},
  DNK: {},
  SWE: {},
  NOR: {},
  POL: {},
  BRA: {},
};

export interface PostalAddress {
  country: string;
  state?: string;
  zip?: string;
}

/** The Infolog warnings for a postal address, empty when the reference data knows it. */
export function checkPostalAddress(reference: AddressReference, address: PostalAddress): string[] {
  const country = address.country.trim().toUpperCase();
  if (country === '') return [mustBeFilledIn('Country/region')];
  const known = Object.entries(reference).find(([id]) => id.toUpperCase() === country)?.[1];
  if (!known) return [notInRelatedTable(address.country, 'Country/region', 'Address country/region')];
  const problems: string[] = [];
  const state = address.state?.trim() ?? '';
  if (state !== '' && !(known.states ?? []).some((s) => s.toUpperCase() === state.toUpperCase()))
    problems.push(notInRelatedTable(address.state ?? '', 'State', 'Address state'));
  const zip = address.zip?.trim() ?? '';
  if (known.zipCodes && zip !== '') {
    const zipState = Object.entries(known.zipCodes).find(
      ([code]) => code.toUpperCase() === zip.toUpperCase(),
    )?.[1];
    if (zipState === undefined)
      problems.push(notInRelatedTable(zip, 'ZIP/postal code', 'Address ZIP/postal codes'));
    else if (state !== '' && zipState.toUpperCase() !== state.toUpperCase())
      problems.push(`The ZIP/postal code '${zip}' does not belong to the state '${state}'.`);
  }
  return problems;
}
