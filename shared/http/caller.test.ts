import { authorize, parseClientPrincipal, permissionsOf } from './caller';
import { principalHeader } from '../../test/support/principal';
import { Config } from '../config/config';
import { SHARED_KEY_CALLER } from '../domain/ownership';

const callers: Config['callers'] = {
  auth: 'app-service',
  roles: {
    create: 'Customers.Create',
    read: 'Customers.Read',
    accounts: 'Customers.UpdateByAccount',
    staff: 'Customers.Staff',
    operator: 'Customers.Operate',
  },
  ratePerMinute: 0,
  maxConcurrentWaits: 10,
};

const request = (principal?: string) => ({
  headers: { get: (name: string) => (name === 'x-ms-client-principal' ? (principal ?? null) : null) },
});

describe('callers', () => {
  it('reads the object ID and app roles from X-MS-CLIENT-PRINCIPAL', () => {
    expect(parseClientPrincipal(principalHeader('oid-1', ['Customers.Create']))).toEqual({
      id: 'oid-1',
      roles: ['Customers.Create'],
    });
  });

  it.each([['not base64 json'], [Buffer.from('{"claims":[]}').toString('base64')], ['']])(
    'refuses a principal it cannot read: %p',
    (value) => {
      expect(parseClientPrincipal(value)).toBeUndefined();
    },
  );

  it('maps the app roles CALLER_ROLE_* name onto the policy permissions, ignoring others', () => {
    expect(permissionsOf(['Customers.Staff', 'Customers.UpdateByAccount', 'Other.Role'], callers)).toEqual([
      'accounts',
      'staff',
    ]);
  });

  it('needs the route role (or the operator role) in app-service mode: 401 without a principal, 403 without the role', () => {
    expect(authorize(request(), 'create', callers)).toEqual({ ok: false, status: 401 });
    expect(authorize(request(principalHeader('a', ['Customers.Read'])), 'create', callers)).toEqual({
      ok: false,
      status: 403,
    });
    expect(authorize(request(principalHeader('a', ['Customers.Create'])), 'create', callers)).toEqual({
      ok: true,
      caller: { id: 'a', source: 'a', permissions: ['create'] },
    });
    expect(authorize(request(principalHeader('o', ['Customers.Operate'])), 'read', callers)).toMatchObject({
      ok: true,
    });
  });

  it('never trusts the header with function keys: every caller is the one shared caller', () => {
    const keys = { ...callers, auth: 'keys' as const };
    expect(authorize(request(principalHeader('attacker', ['Customers.Operate'])), 'operator', keys)).toEqual({
      ok: true,
      caller: SHARED_KEY_CALLER,
    });
  });
});
