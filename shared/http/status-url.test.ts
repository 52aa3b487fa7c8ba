import { statusUrl } from './status-url';

describe('statusUrl', () => {
  const id = '0d9b3f0e-4a55-4c8e-9d3c-2f7b9b1f6a10';

  it('is the status route on the host, scheme and route prefix of every intake', () => {
    const expected = `https://sync.example.com/api/customers/status/${id}`;
    expect(statusUrl('https://sync.example.com/api/customers', id)).toBe(expected);
    expect(statusUrl('https://sync.example.com/api/customers/', id)).toBe(expected);
    expect(statusUrl('https://sync.example.com/api/customers/accounts/USRT/C-1?x=1', id)).toBe(expected);
    expect(statusUrl('https://sync.example.com/api/customers/references/r-1', id)).toBe(expected);
    expect(statusUrl('https://sync.example.com/api/webhooks/shopify', id)).toBe(expected);
    expect(statusUrl('https://sync.example.com/api/webhooks/standard?source=crm', id)).toBe(expected);
  });

  it('keeps another route prefix, a port and plain http (the local host)', () => {
    expect(statusUrl('http://127.0.0.1:7071/sync/customers', id)).toBe(
      `http://127.0.0.1:7071/sync/customers/status/${id}`,
    );
    expect(statusUrl('http://127.0.0.1:7071/customers', id)).toBe(
      `http://127.0.0.1:7071/customers/status/${id}`,
    );
  });
});
