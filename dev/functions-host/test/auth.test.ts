import { FixtureHost, startFixtureHost, Storage, useStorage } from './host-test-kit';

/** authLevel with DEV_FUNCTION_KEY / DEV_MASTER_KEY (x-functions-key header or ?code=). */
describe('local host: function and admin keys', () => {
  let storage: Storage;
  const hosts: FixtureHost[] = [];

  beforeAll(async () => {
    storage = await useStorage();
  });

  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.stop()));
    await storage?.stop();
  });

  const start = async (env: NodeJS.ProcessEnv): Promise<FixtureHost> => {
    const host = await startFixtureHost(storage, { env });
    hosts.push(host);
    return host;
  };

  const call = async (host: FixtureHost, path: string, key?: string): Promise<[number, string]> => {
    const response = await fetch(`${host.url}${path}`, { headers: key ? { 'x-functions-key': key } : {} });
    return [response.status, await response.text()];
  };

  it('allows every auth level when no key is set, as under func start', async () => {
    const host = await start({});
    expect(await call(host, '/api/secure')).toEqual([200, 'function level ok']);
    expect(await call(host, '/api/admin-only')).toEqual([200, 'admin level ok']);
  });

  it('with DEV_FUNCTION_KEY, needs that key for function-level functions and denies admin-level ones', async () => {
    const host = await start({ DEV_FUNCTION_KEY: 'function-key-1' });
    expect(await call(host, '/api/secure')).toEqual([401, '']);
    expect(await call(host, '/api/secure', 'wrong-key')).toEqual([401, '']);
    expect(await call(host, '/api/secure', 'function-key-1')).toEqual([200, 'function level ok']);
    expect(await call(host, '/api/secure?code=function-key-1')).toEqual([200, 'function level ok']);
    expect(await call(host, '/api/secure?code=function-key-2')).toEqual([401, '']);
    expect(await call(host, '/api/admin-only', 'function-key-1')).toEqual([401, '']);
    // Anonymous functions need no key.
    expect((await call(host, '/api/hello/x'))[0]).toBe(200);
  });

  it('with DEV_MASTER_KEY, accepts the master key for function and admin levels, and only it for admin', async () => {
    const host = await start({ DEV_FUNCTION_KEY: 'function-key-1', DEV_MASTER_KEY: 'master-key-1' });
    expect(await call(host, '/api/secure', 'master-key-1')).toEqual([200, 'function level ok']);
    expect(await call(host, '/api/admin-only', 'master-key-1')).toEqual([200, 'admin level ok']);
    expect(await call(host, '/api/admin-only?code=master-key-1')).toEqual([200, 'admin level ok']);
    expect(await call(host, '/api/admin-only', 'function-key-1')).toEqual([401, '']);
    expect(await call(host, '/api/admin-only')).toEqual([401, '']);
  });

  it('with DEV_FUNCTION_KEYS, takes each named key (as Azure keeps several per app), and no other', async () => {
    const host = await start({
      DEV_FUNCTION_KEYS: JSON.stringify({ pos: 'pos-key-1', 'shop-a': 'shop-key-1' }),
    });
    expect(await call(host, '/api/secure', 'pos-key-1')).toEqual([200, 'function level ok']);
    expect(await call(host, '/api/secure?code=shop-key-1')).toEqual([200, 'function level ok']);
    expect(await call(host, '/api/secure', 'pos')).toEqual([401, '']);
    expect(await call(host, '/api/secure')).toEqual([401, '']);
    expect(await call(host, '/api/admin-only', 'pos-key-1')).toEqual([401, '']);
  });
});
