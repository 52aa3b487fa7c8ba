/**
 * Address and contact information purposes (F&O table LogisticsLocationRole) that a postal address
 * can play, as `CustomersV3.AddressLocationRoles` takes them: role names separated by `;`
 * (e.g. `Business;Delivery;Invoice`, as integrations post it). These are the standard roles of a new
 * F&O environment (Organization administration > Global address book > Address and contact
 * information purpose; enum LogisticsLocationRoleType). An unknown name fails the write as F&O's
 * foreign-key check does (the Infolog wording is best-effort, in F&O's "not found in the related
 * table" form).
 */
export const LOCATION_ROLES = [
  'Business',
  'Delivery',
  'Invoice',
  'Home',
  'Other',
  'Payment',
  'Service',
  'Statement',
  'RemitTo',
  'SMS',
] as const;

/** The Infolog warnings for an `AddressLocationRoles` value (none when every role exists). */
export function checkLocationRoles(value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return [];
  const known = new Set(LOCATION_ROLES.map((role) => role.toLowerCase()));
  return value
    .split(';')
    .map((role) => role.trim())
    .filter((role) => !known.has(role.toLowerCase()))
    .map(
      (role) =>
        `The value '${role}' in field 'Purpose' is not found in the related table 'Address and contact information purpose'.`,
    );
}
