import { loadConfig } from '../config/config';
import { validSettings } from '../../test/support/valid-settings';
import { publicRequestUrl } from './public-url';

describe('publicRequestUrl: the Host header never chooses where a status URL points', () => {
  it('puts the request on PUBLIC_BASE_URL or the app host name when there is one', () => {
    expect(publicRequestUrl('http://evil.example.com/api/customers?x=1', 'https://sync.contoso.com')).toBe(
      'https://sync.contoso.com/api/customers?x=1',
    );
  });

  it('keeps a loopback origin on a machine of one’s own, and replaces any other by localhost', () => {
    expect(publicRequestUrl('http://127.0.0.1:7071/api/customers', undefined)).toBe(
      'http://127.0.0.1:7071/api/customers',
    );
    expect(publicRequestUrl('http://localhost:7071/api/customers', undefined)).toBe(
      'http://localhost:7071/api/customers',
    );
    expect(publicRequestUrl('http://evil.example.com:7071/api/customers', undefined)).toBe(
      'http://localhost:7071/api/customers',
    );
  });

  it('takes the origin from PUBLIC_BASE_URL, else https:// + WEBSITE_HOSTNAME (set by Azure)', () => {
    const env = validSettings();
    expect(loadConfig(env).publicOrigin).toBeUndefined();
    expect(loadConfig({ ...env, WEBSITE_HOSTNAME: 'contoso-sync.azurewebsites.net' }).publicOrigin).toBe(
      'https://contoso-sync.azurewebsites.net',
    );
    expect(
      loadConfig({
        ...env,
        WEBSITE_HOSTNAME: 'contoso-sync.azurewebsites.net',
        PUBLIC_BASE_URL: 'https://sync.contoso.com',
      }).publicOrigin,
    ).toBe('https://sync.contoso.com');
    expect(() => loadConfig({ ...env, PUBLIC_BASE_URL: 'http://sync.contoso.com' })).toThrow(
      /PUBLIC_BASE_URL/,
    );
  });
});
