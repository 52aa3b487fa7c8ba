import { createHash } from 'node:crypto';
import { HttpRequest } from '@azure/functions';
import type { Config } from '../config/config';
import { silentLog } from '../ports';
import { memoryFoEventLedger } from '../../test/support/memory-fo-events';
import { principalHeader } from '../../test/support/principal';
import { foDataEvent, DataEventHttpDeps } from './fo-data-events';

/**
 * Who may post F&O data events (SECURITY.md, "Who may do what"): with named keys, only a key with
 * the `accounts` permission (an event changes a shop customer by its D365 account); a shop's key
 * is 403 before anything is read or stored, the same for every event (no link oracle).
 */
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const callers: Config['callers'] = {
  auth: 'keys',
  keys: [
    { name: 'fo', keySha256: sha256('fo-key'), roles: ['accounts'] },
    { name: 'shop-a', keySha256: sha256('shop-a-key'), roles: ['create', 'read'] },
  ],
  roles: { create: 'c', read: 'r', accounts: 'a', staff: 's', operator: 'o' },
  ratePerMinute: 0,
  maxConcurrentWaits: 10,
};

const event = (eventId: string) =>
  JSON.stringify({
    BusinessEventId: 'CustomersV3_Update',
    BusinessEventLegalEntity: 'USRT',
    ControlNumber: 1,
    EventId: eventId,
    EventTime: '/Date(1796000000000)/',
    MajorVersion: 0,
    MinorVersion: 0,
    dataAreaId: 'usrt',
    CustomerAccount: 'US-000001',
    PersonFirstName: 'Jane',
  });

const post = (body: string, code?: string) =>
  new HttpRequest({
    method: 'POST',
    url: `http://localhost:7071/api/d365/data-events${code ? `?code=${code}` : ''}`,
    body: { string: body },
    headers: { 'content-type': 'application/json' },
  });

function setup(mode: Config['callers'] = callers) {
  const ledger = memoryFoEventLedger();
  const linkReads: string[] = [];
  const queued: unknown[] = [];
  const deps: DataEventHttpDeps = {
    callers: mode,
    telemetry: { trackEvent() {}, trackMetric() {} },
    log: silentLog,
    accept: {
      shopLegalEntities: new Set(['USRT']),
      shopSources: new Set(['shop-a']),
      links: {
        get: async (key) => {
          linkReads.push(JSON.stringify(key));
          return {
            source: 'shop-a',
            sourceCustomerId: '42',
            legalEntity: 'USRT',
            customerAccount: 'US-000001',
            createCorrelationId: 'c',
            createdAt: '2026-12-01T00:00:00Z',
            fieldStamps: '{}',
            etag: '1',
          };
        },
      },
      ledger,
      queue: { send: async (message) => void queued.push(message) },
      telemetry: { trackEvent() {}, trackMetric() {} },
      log: silentLog,
      now: () => new Date('2026-12-07T10:00:00Z'),
    },
  };
  return { deps, ledger, linkReads, queued };
}

describe('POST /api/d365/data-events: who may post', () => {
  it("refuses a shop's key (403 problem, nothing read or stored) and takes F&O's key with `accounts`", async () => {
    const { deps, ledger, linkReads, queued } = setup();
    const refused = await foDataEvent(
      post(event('6f1c1d0e-0000-4000-8000-000000000001'), 'shop-a-key'),
      deps,
    );
    expect(refused.status).toBe(403);
    expect((refused.headers as Record<string, string>)['content-type']).toMatch(/problem\+json/);
    expect([linkReads.length, ledger.rows.size, queued.length]).toEqual([0, 0, 0]);
    // An unknown key and no key: 403 and 401, nothing read either.
    expect(
      (await foDataEvent(post(event('6f1c1d0e-0000-4000-8000-000000000002'), 'other'), deps)).status,
    ).toBe(403);
    expect((await foDataEvent(post(event('6f1c1d0e-0000-4000-8000-000000000003')), deps)).status).toBe(401);
    expect(linkReads).toHaveLength(0);

    const taken = await foDataEvent(post(event('6f1c1d0e-0000-4000-8000-000000000004'), 'fo-key'), deps);
    expect(taken.status).toBe(202);
    expect([linkReads.length, ledger.rows.size, queued.length]).toEqual([1, 1, 1]);
  });

  it('with one shared key (no CALLER_KEYS), the host\u2019s key check is the gate', async () => {
    const { deps, queued } = setup({ ...callers, keys: [] });
    expect((await foDataEvent(post(event('6f1c1d0e-0000-4000-8000-000000000005')), deps)).status).toBe(202);
    expect(queued).toHaveLength(1);
  });

  it('with App Service Authentication (route excluded from it), only a named key with `accounts`: a caller\u2019s own key is 403, whatever principal it sends', async () => {
    const { deps, ledger, linkReads, queued } = setup({ ...callers, auth: 'app-service' });
    // Every caller holds a function key in this mode too (the baseline), and the host takes any on a
    // `function` route; a principal header is nobody's word on an excluded path.
    const withPrincipal = (body: string, code: string) => {
      const request = post(body, code);
      request.headers.set('x-ms-client-principal', principalHeader('pos-oid', ['a', 'o']));
      return request;
    };
    const refused = [
      await foDataEvent(post(event('6f1c1d0e-0000-4000-8000-000000000006'), 'default-key'), deps),
      await foDataEvent(withPrincipal(event('6f1c1d0e-0000-4000-8000-000000000007'), 'default-key'), deps),
      await foDataEvent(post(event('6f1c1d0e-0000-4000-8000-000000000008'), 'shop-a-key'), deps),
    ];
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403]);
    expect((await foDataEvent(post(event('6f1c1d0e-0000-4000-8000-000000000009')), deps)).status).toBe(401);
    expect([linkReads.length, ledger.rows.size, queued.length]).toEqual([0, 0, 0]);

    const taken = await foDataEvent(post(event('6f1c1d0e-0000-4000-8000-00000000000a'), 'fo-key'), deps);
    expect(taken.status).toBe(202);
    expect([linkReads.length, ledger.rows.size, queued.length]).toEqual([1, 1, 1]);
  });
});
