import { call, useEmulator } from './support/emulator';

/**
 * The emulated B2B Edition Server to Server API (issue 32): as strict as the reference
 * (bigcommerce/docs docs/b2b-edition/specs/api-v3/: X-Auth-Token and X-Store-Hash, 404 body, limits).
 */
const STORE = 'bcb2b1';
const TOKEN = 'bc-api-token-b2b-0001';
const emulator = useEmulator();

const b2b = <T = Record<string, unknown>>(path: string, headers: Record<string, string>) =>
  call<T>(emulator, 'GET', `/api/v3/io${path}`, { headers });
const signed = { 'X-Auth-Token': TOKEN, 'X-Store-Hash': STORE };

beforeEach(async () => {
  const answer = await call(emulator, 'PUT', `/_emulator/bigcommerce/stores/${STORE}`, {
    body: {
      token: TOKEN,
      customers: [],
      companies: [{ companyId: 7, companyName: 'Great Buys Inc' }],
      companyAddresses: [
        { companyId: 7, addressLine1: '512 Bluebonnet Lane', countryCode: 'US' },
        { companyId: 8, addressLine1: 'elsewhere', countryCode: 'US' },
      ],
      companyUsers: [
        { companyId: 7, firstName: 'Ada', role: 0 },
        { companyId: 7, firstName: 'Jun', role: 2 },
      ],
    },
  });
  expect(answer.status).toBe(200);
});

describe('B2B Edition companies (emulated)', () => {
  it('answers a company with the token and the store hash; 401 without either', async () => {
    const company = await b2b<{ code: number; data: Record<string, unknown> }>('/companies/7', signed);
    expect(company.status).toBe(200);
    expect(company.body).toMatchObject({ code: 200, data: { companyId: 7, companyName: 'Great Buys Inc' } });
    expect((await b2b('/companies/7', { 'X-Auth-Token': TOKEN })).status).toBe(401);
    expect((await b2b('/companies/7', { 'X-Store-Hash': STORE })).status).toBe(401);
    expect((await b2b('/companies/7', { ...signed, 'X-Auth-Token': 'wrong' })).status).toBe(401);
    // The deprecated authToken header (B2B Edition's own tokens) is not a store API token.
    expect((await b2b('/companies/7', { authToken: TOKEN, 'X-Store-Hash': STORE })).status).toBe(401);
  });

  it('an unknown company is 404 with the documented body', async () => {
    const missing = await b2b('/companies/9', signed);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ code: 404, data: {}, meta: { message: 'This resource is not found.' } });
  });

  it('lists a company’s addresses and its users by role, paginated; a limit past the maximum is 413', async () => {
    const addresses = await b2b<{ data: unknown[]; meta: Record<string, unknown> }>(
      '/addresses?companyId=7&limit=100',
      signed,
    );
    expect(addresses.body.data).toEqual([expect.objectContaining({ addressLine1: '512 Bluebonnet Lane' })]);
    expect(addresses.body.meta).toMatchObject({ pagination: { totalCount: 1, offset: 0, limit: 100 } });
    const admins = await b2b<{ data: { firstName: string }[] }>('/users?companyId=7&roles=0', signed);
    expect(admins.body.data.map((u) => u.firstName)).toEqual(['Ada']);
    expect((await b2b('/addresses?companyId=7&limit=250', signed)).status).toBe(413);
    expect((await b2b('/users?companyId=7&limit=251', signed)).status).toBe(413);
  });
});
