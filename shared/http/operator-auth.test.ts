import { principalHeader } from '../../test/support/principal';
import { authorizeOperator, operatorAuthLevel } from './operator-auth';

const roles = {
  create: 'Customers.Create',
  read: 'Customers.Read',
  accounts: 'Customers.UpdateByAccount',
  staff: 'Customers.Staff',
  operator: 'Customers.Operate',
};
const keys = { auth: 'keys' as const, keys: [], roles, ratePerMinute: 0, maxConcurrentWaits: 1 };
const entra = { ...keys, auth: 'app-service' as const };
const headers = (principal?: string) => new Headers(principal ? { 'x-ms-client-principal': principal } : {});

describe('operator authentication (one module for every operations route)', () => {
  it('with keys, leaves the check to the host (master key only: authLevel admin); the operator is the key', () => {
    expect(operatorAuthLevel('keys')).toBe('admin');
    expect(authorizeOperator(headers(), keys)).toEqual({
      ok: true,
      operator: { kind: 'key', id: 'master-key' },
    });
  });

  it('with App Service Authentication, needs a principal (401) holding the operator role (403); no key', () => {
    expect(operatorAuthLevel('app-service')).toBe('anonymous');
    expect(authorizeOperator(headers(), entra)).toEqual({ ok: false, status: 401 });
    expect(authorizeOperator(headers('not base64 json'), entra)).toEqual({ ok: false, status: 401 });
    const reader = principalHeader('11111111-aaaa-4aaa-8aaa-000000000003', [
      'Customers.Read',
      'Customers.Create',
    ]);
    expect(authorizeOperator(headers(reader), entra)).toEqual({ ok: false, status: 403 });
    const operator = principalHeader('11111111-aaaa-4aaa-8aaa-000000000004', ['Customers.Operate']);
    expect(authorizeOperator(headers(operator), entra)).toEqual({
      ok: true,
      operator: { kind: 'entra', id: '11111111-aaaa-4aaa-8aaa-000000000004' },
    });
  });

  it("keeps the principal's display name for the audit log", () => {
    const principal = Buffer.from(
      JSON.stringify({
        auth_typ: 'aad',
        role_typ: 'roles',
        claims: [
          { typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier', val: 'oid-1' },
          { typ: 'roles', val: 'Customers.Operate' },
          { typ: 'name', val: 'Ops Person' },
        ],
      }),
    ).toString('base64');
    expect(authorizeOperator(headers(principal), entra)).toEqual({
      ok: true,
      operator: { kind: 'entra', id: 'oid-1', name: 'Ops Person' },
    });
  });
});
