import { checkCallbackUrl, CallbackUrlPolicy } from './callback-url';

const policy: CallbackUrlPolicy = {
  allowedHosts: ['hooks.example.com', '*.shop.example', '127.0.0.1:8443', 'rebind.example.net'],
  allowedPrivateAddresses: ['127.0.0.1'],
};
const dns: Record<string, string[]> = {
  'hooks.example.com': ['93.184.216.34'],
  'a.shop.example': ['93.184.216.35', '2606:2800:220:1::1'],
  'rebind.example.net': ['93.184.216.36', '10.1.2.3'],
};
const resolve = async (host: string) => {
  const found = dns[host];
  if (!found) throw new Error('ENOTFOUND');
  return found;
};
const check = (url: string) => checkCallbackUrl(url, policy, resolve);

describe('Callback-Url checks', () => {
  it('accepts https URLs on the allow-list that resolve to public addresses', async () => {
    expect(await check('https://hooks.example.com/d365?shop=1')).toEqual({
      ok: true,
      url: 'https://hooks.example.com/d365?shop=1',
    });
    expect((await check('https://a.shop.example/x')).ok).toBe(true);
    expect((await check('https://127.0.0.1:8443/local')).ok).toBe(true);
  });

  it.each([
    ['http://hooks.example.com/x', /only https/],
    ['ftp://hooks.example.com/x', /only https/],
    ['not a url', /not an absolute URL/],
    ['https://user:pw@hooks.example.com/x', /credentials/],
    ['https://hooks.example.com:8443/x', /hooks\.example\.com:8443 is not on the callback allow-list/],
    ['https://shop.example/x', /not on the callback allow-list/],
    [
      'https://169.254.169.254/latest',
      /link-local address \(169\.254\.169\.254 is the cloud instance metadata/,
    ],
    ['https://[fe80::1]/x', /link-local/],
    ['https://[fd00::1]/x', /private-network/],
    ['https://[::ffff:10.0.0.1]/x', /private-network/],
    ['https://[::7f00:1]/x', /::7f00:1 is a reserved/],
    ['https://[::ffff:0:7f00:1]/x', /reserved/],
    ['https://[2001::1]/x', /reserved/],
    ['https://[fec0::1]/x', /private-network/],
    ['https://100.64.0.1/x', /private-network/],
    ['https://0.0.0.0/x', /reserved/],
    ['https://127.0.0.2:8443/x', /127\.0\.0\.2 is a loopback address/],
    [
      'https://rebind.example.net/x',
      /rebind\.example\.net resolves to 10\.1\.2\.3, a private-network address/,
    ],
    ['https://b.shop.example/x', /b\.shop\.example does not resolve/],
    [`https://hooks.example.com/${'a'.repeat(2100)}`, /longer than 2048/],
  ])('refuses %s', async (url, reason) => {
    const result = await check(url);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });

  it('refuses everything when the allow-list is empty', async () => {
    const result = await checkCallbackUrl(
      'https://hooks.example.com/x',
      { ...policy, allowedHosts: [] },
      resolve,
    );
    expect(!result.ok && result.reason).toMatch(/callbacks are not enabled/);
  });
});
