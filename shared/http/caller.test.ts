import { createHash } from 'node:crypto';
import { authorize, MASTER_KEY_CALLER, parseClientPrincipal, permissionsOf } from './caller';
import { principalHeader } from '../../test/support/principal';
import { Config } from '../config/config';
import { SHARED_KEY_CALLER } from '../domain/ownership';

const callers: Config['callers'] = {
  auth: 'app-service',
  keys: [],
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
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const withKey = (header?: string, code?: string) => ({
  headers: { get: (name: string) => (name === 'x-functions-key' ? (header ?? null) : null) },
  query: { get: (name: string) => (name === 'code' ? (code ?? null) : null) },
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

  describe('named function keys (CALLER_KEYS)', () => {
    const named: Config['callers'] = {
      ...callers,
      auth: 'keys',
      keys: [
        { name: 'pos', keySha256: sha256('pos-key'), roles: ['create', 'read', 'accounts', 'staff'] },
        { name: 'shop-a', keySha256: sha256('shop-a-key'), roles: ['create', 'read'] },
      ],
    };

    it('names the caller by the key it sent (header or ?code=), with its own namespace and roles', () => {
      expect(authorize(withKey('shop-a-key'), 'create', named)).toEqual({
        ok: true,
        caller: { id: 'key:shop-a', source: 'shop-a', permissions: ['create', 'read'] },
      });
      expect(authorize(withKey(undefined, 'pos-key'), 'read', named)).toMatchObject({
        ok: true,
        caller: { id: 'key:pos', source: 'pos' },
      });
    });

    it('refuses a request without a key (401), with a key no entry names (403), or without the role (403)', () => {
      expect(authorize(withKey(), 'create', named)).toEqual({ ok: false, status: 401 });
      expect(authorize(withKey('the-default-key'), 'create', named)).toEqual({ ok: false, status: 403 });
      expect(
        authorize(withKey('shop-a-key'), 'create', {
          ...named,
          keys: [{ name: 'reader', keySha256: sha256('shop-a-key'), roles: ['read'] }],
        }),
      ).toEqual({ ok: false, status: 403 });
    });

    it('never trusts a principal header in keys mode', () => {
      const principal = principalHeader('x', ['Customers.Operate']);
      const both = {
        headers: {
          get: (name: string) =>
            ({ 'x-functions-key': 'shop-a-key', 'x-ms-client-principal': principal })[name] ?? null,
        },
      };
      expect(authorize(both, 'read', named)).toMatchObject({ caller: { id: 'key:shop-a' } });
    });

    it('takes an admin-level route (only the master key gets there) as an operator', () => {
      expect(authorize(withKey('anything'), 'operator', named)).toEqual({
        ok: true,
        caller: MASTER_KEY_CALLER,
      });
    });
  });
});
