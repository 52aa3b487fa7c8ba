/**
 * The customer request contract: what a POS terminal or web shop sends, and what D365's CreateCustomer
 * custom service receives once it is normalised. Pure: no I/O, no configuration reads, no clock unless
 * the caller leaves `now` out.
 *
 * The body is the source article's `{"Customer": {...}}` with its spellings (`Addresstitle`,
 * `Addresstype`). Every string is trimmed and NFC-normalised before it is measured, and each is bounded
 * by the length of the F&O field it is stored in (UTF-16 code units, as SQL Server's nvarchar counts):
 *
 * | field | limit | F&O field (extended data type) |
 * |---|---|---|
 * | LegalEntity | 4 | DataArea id (`DataAreaId`) |
 * | FirstName / MiddleName / LastName | 25 each | DirPersonName (`FirstName`, `MiddleName`, `LastName`) |
 * | ContactNumber | 16 (E.164) | LogisticsElectronicAddress.Locator (`LogisticsElectronicAddressLocator`, 255) |
 * | CurrencyCode | 3 | CustTable.Currency (`CurrencyCode`) |
 * | EmailAddress | 254 (RFC 5321 path) | LogisticsElectronicAddress.Locator (`LogisticsElectronicAddressLocator`, 255) |
 * | CustomerGroup | 10 | CustTable.CustGroup (`CustGroupId`) |
 * | Addresstitle | 60 | LogisticsLocation.Description (`Description`) |
 * | Street | 250 | LogisticsPostalAddress.Street (`LogisticsAddressStreet`) |
 * | City | 60 | LogisticsPostalAddress.City (`LogisticsAddressCityName`) |
 * | PostalCode | 10 | LogisticsPostalAddress.ZipCode (`LogisticsAddressZipCodeId`) |
 * | State | 10 | LogisticsPostalAddress.State (`LogisticsAddressStateId`) |
 * | Country | 60 | country/region name (`LogisticsAddressCountryRegionName`) |
 * | CountryCode | 3 | LogisticsPostalAddress.CountryRegionId (`LogisticsAddressCountryRegionId`, 10) |
 *
 * `docs/customer-contract.md` has the full rules, the sources and the decisions behind them.
 */
export * from './types';
export * from './limits';
export { dateOfBirthToIso } from './field-rules';
export { createCustomerRequestSchema, parseCustomerRequest } from './schema';
export type { CustomerSchemaOptions } from './schema';
export { customerFingerprint, canonicalJson } from './fingerprint';
export { countFieldErrors, prefixPointers } from './errors';
