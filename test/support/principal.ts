/** The X-MS-CLIENT-PRINCIPAL header App Service Authentication injects, encoded as it encodes it. */
export function principalHeader(oid: string, roles: string[]): string {
  const claims = [
    { typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier', val: oid },
    ...roles.map((val) => ({ typ: 'roles', val })),
  ];
  return Buffer.from(
    JSON.stringify({ auth_typ: 'aad', name_typ: 'name', role_typ: 'roles', claims }),
  ).toString('base64');
}
