import { randomUUID } from 'node:crypto';
import { LOCAL_D365_CLIENT_ID } from '@d365-customer-sync/d365-emulator';
import { sampleCustomer } from '../fixtures/sample-customers';
import { principalHeader } from '../support/principal';
import { AppStack, postJson, startAppStack, waitForTerminal } from '../support/app-stack';

const full = sampleCustomer('full');
const customer = (email = `ops.${randomUUID()}@example.com`) => ({
  Customer: { ...full.Customer, EmailAddress: email },
});

const MASTER = { 'x-functions-key': 'master' };
const FUNCTION_KEY = { 'x-functions-key': 'fn' };

interface Page {
  items: { correlationId: string; view: string; errorCode?: string; at: string }[];
  cursor?: string;
  counts?: { total: number; byCode: Record<string, number> };
}

describe('the operations API (CALLER_AUTH=keys: the master key)', () => {
  let stack: AppStack;
  const failed: string[] = [];
  let succeeded: string;

  const get = (path: string, headers: Record<string, string> = MASTER) =>
    fetch(`${stack.url}/api${path}`, { headers });

  beforeAll(async () => {
    stack = await startAppStack({ settings: { DEV_FUNCTION_KEY: 'fn', DEV_MASTER_KEY: 'master' } });
    const ok = await postJson(`${stack.url}/api/customers`, customer(), FUNCTION_KEY);
    succeeded = (ok.json as { correlationId: string }).correlationId;
    await waitForTerminal((ok.json as { statusUrl: string }).statusUrl, 30_000, FUNCTION_KEY);
    // A stretch of bad configuration: D365 no longer knows the app (403 → failed, not_registered).
    await stack.emulatorApi('PATCH', '/_emulator/settings', {
      unregisteredClientIds: [LOCAL_D365_CLIENT_ID],
    });
    for (let i = 0; i < 5; i += 1) {
      const answer = await postJson(`${stack.url}/api/customers`, customer(), FUNCTION_KEY);
      const { correlationId, statusUrl } = answer.json as { correlationId: string; statusUrl: string };
      expect((await waitForTerminal(statusUrl, 30_000, FUNCTION_KEY)).status).toBe('failed');
      failed.unshift(correlationId); // newest first
    }
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('refuses every caller but the master key: no key, a function key (the host’s 401)', async () => {
    for (const path of ['/ops/requests', `/ops/requests/${failed[0]}`]) {
      expect((await get(path, {})).status).toBe(401);
      expect((await get(path, FUNCTION_KEY)).status).toBe(401);
      expect((await get(path)).status).toBe(200);
    }
  });

  it('lists the failures newest first with counts per code, a page at a time; no success, no personal data', async () => {
    const response = await get('/ops/requests?status=failed&limit=3');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const first = (await response.json()) as Page;
    expect(first.items.map((i) => i.correlationId)).toEqual(failed.slice(0, 3));
    expect(first.items.every((i) => i.view === 'failed' && i.errorCode === 'not_registered')).toBe(true);
    expect(first.counts).toEqual({ total: 5, byCode: { not_registered: 5 } });
    const second = (await (await get(`/ops/requests?limit=3&cursor=${first.cursor}`)).json()) as Page;
    expect(second.items.map((i) => i.correlationId)).toEqual(failed.slice(3));
    expect(second.cursor).toBeUndefined();
    expect(second.counts).toBeUndefined();
    const text = JSON.stringify([first, second]);
    expect(text).not.toContain(succeeded);
    expect(text).not.toMatch(/@example\.com|Alex|Trump/);
  });

  it('filters by code, legal entity and time, and answers 400 with pointers for bad parameters', async () => {
    const none = (await (await get('/ops/requests?errorCode=business_error')).json()) as Page;
    expect(none.items).toEqual([]);
    expect(none.counts?.byCode).toEqual({ not_registered: 5 });
    const other = (await (await get('/ops/requests?legalEntity=USMF')).json()) as Page;
    expect(other.items).toEqual([]);
    const newest = (await (await get(`/ops/requests?limit=1`)).json()) as Page;
    const since = (await (
      await get(`/ops/requests?from=${encodeURIComponent(newest.items[0]!.at)}`)
    ).json()) as Page;
    expect(since.items.map((i) => i.correlationId)).toEqual([failed[0]]);
    const bad = await get('/ops/requests?status=done&limit=0');
    expect(bad.status).toBe(400);
    const problem = (await bad.json()) as { errors: { pointer: string }[] };
    expect(problem.errors.map((e) => e.pointer).sort()).toEqual(['/limit', '/status']);
  });

  it('shows one request without its payload, with what may be done to it', async () => {
    const response = await get(`/ops/requests/${failed[0]}`);
    const detail = (await response.json()) as Record<string, unknown>;
    expect(detail).toMatchObject({
      correlationId: failed[0],
      status: 'failed',
      view: 'failed',
      error: { code: 'not_registered' },
      hasPayload: true,
      edited: false,
      actions: { retry: true, edit: true, resolve: true },
    });
    expect(JSON.stringify(detail)).not.toMatch(/@example\.com|Alex|Trump|payload"/);
    expect((await get(`/ops/requests/${randomUUID()}`)).status).toBe(404);
    expect((await get('/ops/requests/not-a-uuid')).status).toBe(400);
  });
});

describe('the operations API behind App Service Authentication (an Entra ID operator role)', () => {
  let stack: AppStack;

  beforeAll(async () => {
    stack = await startAppStack({
      settings: { CALLER_AUTH: 'app-service', DEV_FUNCTION_KEY: 'fn', DEV_MASTER_KEY: 'master' },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('needs a principal (401) with the operator role (403), and no key', async () => {
    const get = (headers: Record<string, string>) => fetch(`${stack.url}/api/ops/requests`, { headers });
    const anonymous = await get({});
    expect(anonymous.status).toBe(401);
    // As empty as the platform's own 401 (and requireCaller's): no body, a Bearer challenge.
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect(await anonymous.text()).toBe('');
    expect((await get(FUNCTION_KEY)).status).toBe(401);
    expect((await get(MASTER)).status).toBe(401);
    const reader = principalHeader('11111111-aaaa-4aaa-8aaa-000000000003', [
      'Customers.Read',
      'Customers.Create',
    ]);
    const refused = await get({ ...FUNCTION_KEY, 'x-ms-client-principal': reader });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    const operator = principalHeader('11111111-aaaa-4aaa-8aaa-000000000004', ['Customers.Operate']);
    expect((await get({ 'x-ms-client-principal': operator })).status).toBe(200);
  });

  it('guards the privacy routes (issue 27) the same way, and audits the Entra operator who asks', async () => {
    const reader = principalHeader('11111111-aaaa-4aaa-8aaa-000000000003', ['Customers.Read']);
    const operator = principalHeader('11111111-aaaa-4aaa-8aaa-000000000004', ['Customers.Operate']);
    const unknown = randomUUID();
    const routes: [string, string][] = [
      ['POST', '/api/privacy/requests'],
      ['GET', `/api/privacy/requests/${unknown}`],
      ['GET', `/api/privacy/requests/${unknown}/export`],
      ['POST', `/api/privacy/requests/${unknown}/release`],
    ];
    const body = JSON.stringify({ type: 'erase', email: `privacy.${unknown}@example.com` });
    const call = (method: string, path: string, headers: Record<string, string>) =>
      fetch(`${stack.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...headers },
        ...(method === 'POST' && { body }),
      });
    for (const [method, path] of routes) {
      expect([method, path, (await call(method, path, MASTER)).status]).toEqual([method, path, 401]);
      const refused = await call(method, path, { 'x-ms-client-principal': reader });
      expect([method, path, refused.status]).toEqual([method, path, 403]);
    }
    expect((await call('GET', routes[1]![1], { 'x-ms-client-principal': operator })).status).toBe(404);
    const accepted = await call('POST', routes[0]![1], { 'x-ms-client-principal': operator });
    expect(accepted.status).toBe(202);
    const { id } = (await accepted.json()) as { id: string };
    const audit = await fetch(`${stack.url}/api/ops/audit?correlationId=${id}`, {
      headers: { 'x-ms-client-principal': operator },
    });
    const { entries } = (await audit.json()) as {
      entries: { action: string; actor: { kind: string; id: string } }[];
    };
    expect(entries).toEqual([
      expect.objectContaining({
        action: 'privacy.request',
        actor: expect.objectContaining({ kind: 'entra', id: '11111111-aaaa-4aaa-8aaa-000000000004' }),
      }),
    ]);
    // The log names the request, never the customer it asks about.
    expect(JSON.stringify(entries)).not.toContain(`${unknown}@example.com`);
  });
});
