import { authorize, mayAccess, parseClientPrincipal } from './caller';
import { principalHeader } from '../../test/support/principal';
import { Config } from '../config/config';

const callers: Config['callers'] = {
  auth: 'app-service',
  roles: { create: 'Customers.Create', read: 'Customers.Read', operator: 'Customers.Operate' },
  ratePerMinute: 0,
  maxConcurrentWaits: 10,
};

const headers = (value?: string) => ({
  get: (name: string) => (name === 'x-ms-client-principal' ? (value ?? null) : null),
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

  it('needs the route role (or the operator role) in app-service mode: 401 without a principal, 403 without the role', () => {
    expect(authorize(headers(), 'create', callers)).toEqual({ ok: false, status: 401 });
    expect(authorize(headers(principalHeader('a', ['Customers.Read'])), 'create', callers)).toEqual({
      ok: false,
      status: 403,
    });
    expect(authorize(headers(principalHeader('a', ['Customers.Create'])), 'create', callers)).toMatchObject({
      ok: true,
    });
    expect(authorize(headers(principalHeader('o', ['Customers.Operate'])), 'read', callers)).toMatchObject({
      ok: true,
    });
  });

  it('never trusts the header with function keys: every caller is anonymous', () => {
    const keys = { ...callers, auth: 'keys' as const };
    expect(authorize(headers(principalHeader('attacker', ['Customers.Operate'])), 'operator', keys)).toEqual({
      ok: true,
      caller: { id: 'anonymous', roles: [] },
    });
  });

  it('lets a caller see only its own requests, unless it is an operator', () => {
    expect(mayAccess({ id: 'a', roles: [] }, 'a', callers)).toBe(true);
    expect(mayAccess({ id: 'b', roles: [] }, 'a', callers)).toBe(false);
    expect(mayAccess({ id: 'o', roles: ['Customers.Operate'] }, 'a', callers)).toBe(true);
    expect(mayAccess({ id: 'b', roles: [] }, 'a', { ...callers, auth: 'keys' })).toBe(true);
  });
});
