import { ProcessingError } from '../../domain/failure';
import { TokenSource } from '../../ports';
import { createD365CustomerUpdates } from './d365-customer-updates';

/** Pure: `fetch` is replaced by a script of answers; no socket is opened. */

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

const URL_BASE = 'https://contoso.operations.dynamics.com';
const ETAG = 'W/"JzEsNTYzNzE0NDU3Nyc="';

function reply(status: number, body?: unknown, headers: Record<string, string> = {}): Response {
  const text = body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body);
  return new Response(status === 204 ? null : text, {
    status,
    headers: {
      ...(text !== null && status !== 204 && { 'content-type': 'application/json; odata.metadata=minimal' }),
      ...headers,
    },
  });
}

function setUp(...answers: (Response | Error)[]) {
  const sent: Sent[] = [];
  const tokenCalls: boolean[] = [];
  const tokens: TokenSource = {
    getToken: (options) => {
      tokenCalls.push(options?.fresh === true);
      return Promise.resolve(options?.fresh ? 'fresh-token' : 'cached-token');
    },
  };
  jest.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
    sent.push({
      method: init?.method ?? 'GET',
      url: String(input),
      headers: Object.fromEntries(Object.entries((init?.headers ?? {}) as Record<string, string>)),
      body: typeof init?.body === 'string' ? init.body : undefined,
    });
    const next = answers.shift();
    if (next === undefined) throw new Error('no more scripted answers');
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  });
  const updates = createD365CustomerUpdates(tokens, { url: URL_BASE, timeoutMs: 5000 });
  return { updates, sent, tokenCalls };
}

const failureOf = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProcessingError);
  return (error as ProcessingError).failure;
};

const notFound = { error: { code: '', message: "Resource not found for the segment 'CustomersV3'." } };

afterEach(() => jest.restoreAllMocks());

describe('reading a customer by key', () => {
  it('GETs the key path across companies and returns the ETag and the fields without annotations', async () => {
    const { updates, sent } = setUp(
      reply(200, {
        '@odata.context': `${URL_BASE}/data/$metadata#CustomersV3/$entity`,
        '@odata.etag': ETAG,
        dataAreaId: 'usrt',
        CustomerAccount: 'US-000001',
        PrimaryContactEmail: 'a@example.com',
      }),
    );
    await expect(updates.getCustomer('USRT', 'US-000001')).resolves.toEqual({
      etag: ETAG,
      fields: { dataAreaId: 'usrt', CustomerAccount: 'US-000001', PrimaryContactEmail: 'a@example.com' },
    });
    expect(sent[0]).toMatchObject({
      method: 'GET',
      url: `${URL_BASE}/data/CustomersV3(dataAreaId='usrt',CustomerAccount='US-000001')?cross-company=true`,
      headers: { authorization: 'Bearer cached-token', accept: 'application/json' },
    });
  });

  it('doubles a quote and percent-encodes a space in the key literal', async () => {
    const { updates, sent } = setUp(reply(404, notFound));
    await updates.getCustomer('usrt', "O'NEIL 1");
    expect(sent[0]?.url).toContain("CustomerAccount='O''NEIL%201')");
  });

  it('takes the ETag header when the body has no @odata.etag', async () => {
    const { updates } = setUp(reply(200, { CustomerAccount: 'US-1' }, { etag: ETAG }));
    await expect(updates.getCustomer('usrt', 'US-1')).resolves.toMatchObject({ etag: ETAG });
  });

  it('answers undefined for an OData 404, but a 404 without an OData error is a configuration error', async () => {
    const { updates } = setUp(
      reply(404, notFound),
      reply(404, '<html>Not Found</html>', { 'content-type': 'text/html' }),
    );
    await expect(updates.getCustomer('usrt', 'US-404')).resolves.toBeUndefined();
    expect(await failureOf(updates.getCustomer('usrt', 'US-404'))).toMatchObject({
      kind: 'permanent',
      code: 'configuration',
    });
  });

  it('a 200 without an ETag is transient (not a snapshot to PATCH against)', async () => {
    const { updates } = setUp(reply(200, { CustomerAccount: 'US-1' }));
    expect(await failureOf(updates.getCustomer('usrt', 'US-1'))).toMatchObject({ kind: 'transient' });
  });

  it('refuses, without sending, an account that cannot be addressed exactly, and a malformed legal entity', async () => {
    const { updates, sent } = setUp();
    for (const account of ['US/1', 'US?1', 'US%1', 'US+1', 'US#1', ' ', 'US:1', 'a\nb']) {
      expect(await failureOf(updates.getCustomer('usrt', account))).toMatchObject({
        kind: 'permanent',
        code: 'business_error',
      });
    }
    await expect(updates.getCustomer('us rt', 'US-1')).rejects.toThrow(RangeError);
    expect(sent).toHaveLength(0);
  });
});

describe('patching a customer by key', () => {
  it('sends only the changes with If-Match and JSON, and reads 204 as applied without an ETag', async () => {
    const { updates, sent } = setUp(reply(204));
    await expect(
      updates.patchCustomer('usrt', 'US-000001', { PrimaryContactEmail: 'b@example.com' }, { etag: ETAG }),
    ).resolves.toEqual({ kind: 'applied' });
    expect(sent[0]).toMatchObject({
      method: 'PATCH',
      url: `${URL_BASE}/data/CustomersV3(dataAreaId='usrt',CustomerAccount='US-000001')?cross-company=true`,
      headers: { 'if-match': ETAG, 'content-type': 'application/json' },
      body: '{"PrimaryContactEmail":"b@example.com"}',
    });
  });

  it('returns the new ETag when D365 sends one (header, or the entity of a 200)', async () => {
    const next = 'W/"JzEyMyw1NjM3MTQ0NTc3Jw=="';
    const { updates } = setUp(reply(204, undefined, { etag: next }), reply(200, { '@odata.etag': next }));
    await expect(updates.patchCustomer('usrt', 'US-1', { A: 'x' }, { etag: ETAG })).resolves.toEqual({
      kind: 'applied',
      etag: next,
    });
    await expect(updates.patchCustomer('usrt', 'US-1', { A: 'x' }, { etag: '*' })).resolves.toEqual({
      kind: 'applied',
      etag: next,
    });
  });

  it('reads 412 as a conflict and an OData 404 as not_found', async () => {
    const { updates } = setUp(
      reply(412, { error: { code: '', message: 'The ETag value in the If-Match header does not match.' } }),
      reply(404, notFound),
    );
    await expect(updates.patchCustomer('usrt', 'US-1', { A: 'x' }, { etag: ETAG })).resolves.toEqual({
      kind: 'conflict',
    });
    await expect(updates.patchCustomer('usrt', 'US-1', { A: 'x' }, { etag: ETAG })).resolves.toEqual({
      kind: 'not_found',
    });
  });

  it('asks for a fresh token once on 401, and a second 401 is not_registered', async () => {
    const { updates, tokenCalls, sent } = setUp(reply(401), reply(204), reply(401), reply(401));
    await expect(updates.patchCustomer('usrt', 'US-1', { A: 'x' }, { etag: ETAG })).resolves.toEqual({
      kind: 'applied',
    });
    expect(sent.map((s) => s.headers.authorization)).toEqual(['Bearer cached-token', 'Bearer fresh-token']);
    expect(await failureOf(updates.patchCustomer('usrt', 'US-1', { A: 'x' }, { etag: ETAG }))).toMatchObject({
      kind: 'permanent',
      code: 'not_registered',
    });
    expect(tokenCalls).toEqual([false, true, false, true]);
  });

  it('429 is transient and throttled with its Retry-After, so the gate slot pauses', async () => {
    const { updates } = setUp(reply(429, { error: { code: '', message: 'busy' } }, { 'retry-after': '7' }));
    expect(await failureOf(updates.patchCustomer('usrt', 'US-1', { A: 'x' }, { etag: ETAG }))).toMatchObject({
      kind: 'transient',
      throttled: true,
      retryAfterSeconds: 7,
    });
  });

  it('an X++ validation error is a permanent business error, its Infolog scrubbed of the values sent', async () => {
    const { updates } = setUp(
      reply(400, {
        error: {
          code: '',
          message: 'An error has occurred.',
          innererror: {
            message:
              "Write failed for table row of type 'CustCustomerV3Entity'. Infolog: Warning: The value 'dana.scully@fbi.gov' is not valid.; Error: Error found when validating record.",
            type: 'Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException',
          },
        },
      }),
    );
    const failure = await failureOf(
      updates.patchCustomer('usrt', 'US-1', { PrimaryContactEmail: 'dana.scully@fbi.gov' }, { etag: ETAG }),
    );
    expect(failure).toMatchObject({ kind: 'permanent', code: 'business_error' });
    expect(JSON.stringify(failure)).not.toContain('dana.scully');
  });

  it('an update conflict the AOS rolled back is transient; a 504 or a reset is transient and uncertain', async () => {
    const reset = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
    const { updates } = setUp(
      reply(500, {
        error: {
          code: '',
          message: 'An error has occurred.',
          innererror: {
            message:
              'Write failed. Infolog: Error: Cannot edit a record in Customers (CustTable). An update conflict occurred due to another user process deleting the record or changing one or more fields in the record.',
            type: 'Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException',
          },
        },
      }),
      reply(504, '<html>Gateway Timeout</html>', { 'content-type': 'text/html' }),
      reset,
    );
    const patch = () => updates.patchCustomer('usrt', 'US-1', { A: 'x' }, { etag: ETAG });
    expect(await failureOf(patch())).toMatchObject({ kind: 'transient' });
    expect(await failureOf(patch())).toMatchObject({ kind: 'transient', uncertain: true });
    expect(await failureOf(patch())).toMatchObject({ kind: 'transient', uncertain: true });
  });

  it('refuses, without sending, an empty change, a key field, an annotation, and an ETag not as D365 wrote it', async () => {
    const { updates, sent } = setUp();
    await expect(updates.patchCustomer('usrt', 'US-1', {}, { etag: ETAG })).rejects.toThrow(RangeError);
    await expect(
      updates.patchCustomer('usrt', 'US-1', { CustomerAccount: 'US-2' }, { etag: ETAG }),
    ).rejects.toThrow(RangeError);
    await expect(
      updates.patchCustomer('usrt', 'US-1', { '@odata.etag': 'x' }, { etag: ETAG }),
    ).rejects.toThrow(RangeError);
    for (const etag of ['', 'JzEs', 'W/"a"\r\nX-Injected: 1', '"a", "b"'])
      await expect(updates.patchCustomer('usrt', 'US-1', { A: 'x' }, { etag })).rejects.toThrow(RangeError);
    expect(sent).toHaveLength(0);
  });
});
