import { request } from 'node:http';
import { AppStack, postJson, startAppStack } from '../support/app-stack';
import { sampleCustomer } from '../fixtures/sample-customers';

const full = sampleCustomer('full');
type Body = { Customer: Record<string, unknown> & { BillingAddress: Record<string, unknown>[] } };
const clone = (): Body => structuredClone(full) as Body;

let stack: AppStack;

beforeAll(async () => {
  // The worker is disabled (as an operator would with AzureWebJobs.<name>.Disabled), so every
  // message the intake writes stays in the queue where the test can see it.
  stack = await startAppStack({ settings: { 'AzureWebJobs.processCustomer.Disabled': 'true' } });
});

afterAll(async () => {
  await stack?.stop();
});

async function queueDepth(): Promise<number> {
  const properties = await stack.queue.getProperties();
  return properties.approximateMessagesCount ?? 0;
}

describe('intake', () => {
  it('writes one base64-encoded, versioned JSON message the queue trigger accepts, naming the request only', async () => {
    await stack.queue.clearMessages();
    const answer = await postJson(`${stack.url}/api/customers`, full);
    expect(answer.status).toBe(202);
    const { correlationId } = answer.json as { correlationId: string };
    const peeked = await stack.queue.peekMessages({ numberOfMessages: 32 });
    expect(peeked.peekedMessageItems).toHaveLength(1);
    const raw = peeked.peekedMessageItems[0]!.messageText;
    expect(raw).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const message = JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
    // No personal data on a queue (issue 27): the request stays in its status record.
    expect(message).toEqual({ v: 1, correlationId, acceptedAt: expect.any(String) });
    expect(Date.parse(message.acceptedAt)).not.toBeNaN();
    // The status record says queued.
    const status = await fetch(`${stack.url}/api/customers/status/${correlationId}`);
    expect(await status.json()).toMatchObject({ status: 'queued', attempts: 0, legalEntity: 'USRT' });
    expect(status.headers.get('retry-after')).toBe('1');
  });

  const cases: [string, (body: Body) => unknown, string][] = [
    ['FirstName missing', (b) => delete b.Customer.FirstName, '/Customer/FirstName'],
    ['LegalEntity missing', (b) => delete b.Customer.LegalEntity, '/Customer/LegalEntity'],
    ['LegalEntity too long', (b) => (b.Customer.LegalEntity = 'USRTX'), '/Customer/LegalEntity'],
    [
      'neither EmailAddress nor ContactNumber',
      (b) => {
        delete b.Customer.EmailAddress;
        delete b.Customer.ContactNumber;
      },
      '/Customer/EmailAddress',
    ],
    [
      'EmailAddress malformed',
      (b) => (b.Customer.EmailAddress = 'abc1234.gmail.com'),
      '/Customer/EmailAddress',
    ],
    [
      'ContactNumber not a number of the address country (national, USA)',
      (b) => (b.Customer.ContactNumber = '03004000101'),
      '/Customer/ContactNumber',
    ],
    ['CurrencyCode unknown', (b) => (b.Customer.CurrencyCode = 'XYZ'), '/Customer/CurrencyCode'],
    ['Gender outside the enum', (b) => (b.Customer.Gender = 'Robot'), '/Customer/Gender'],
    ['DateOfBirth in the future', (b) => (b.Customer.DateOfBirth = '01/01/2999'), '/Customer/DateOfBirth'],
    ['DateOfBirth impossible', (b) => (b.Customer.DateOfBirth = '02/30/2000'), '/Customer/DateOfBirth'],
    [
      'alpha-2 country code',
      (b) => (b.Customer.BillingAddress[0]!.CountryCode = 'US'),
      '/Customer/BillingAddress/0/CountryCode',
    ],
    ['unknown property', (b) => (b.Customer.Nickname = 'x'), '/Customer/Nickname'],
    [
      'two primary addresses',
      (b) => b.Customer.BillingAddress.push({ ...b.Customer.BillingAddress[0]!, PrimaryAddress: 'Yes' }),
      '/Customer/BillingAddress/1/PrimaryAddress',
    ],
  ];

  it.each(cases)(
    'rejects %s with problem+json pointing at the field, and queues nothing',
    async (_name, mutate, pointer) => {
      await stack.queue.clearMessages();
      const body = clone();
      mutate(body);
      const answer = await postJson(`${stack.url}/api/customers`, body);
      expect(answer.status).toBe(400);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      const problem = answer.json as {
        type: string;
        title: string;
        status: number;
        detail: string;
        errors: { pointer: string; detail: string }[];
      };
      expect(problem).toMatchObject({
        status: 400,
        type: expect.any(String),
        title: expect.any(String),
        detail: expect.any(String),
      });
      expect(problem.errors.map((e) => e.pointer)).toContain(pointer);
      expect(await queueDepth()).toBe(0);
    },
  );

  it('rejects malformed JSON with 400, a wrong content type with 415 and an oversized body with 413', async () => {
    await stack.queue.clearMessages();
    const malformed = await postJson(`${stack.url}/api/customers`, '{"Customer": {');
    expect(malformed.status).toBe(400);
    expect((malformed.json as { errors: { pointer: string }[] }).errors[0]!.pointer).toBe('');

    const wrongType = await fetch(`${stack.url}/api/customers`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify(full),
    });
    expect(wrongType.status).toBe(415);
    expect(wrongType.headers.get('content-type')).toBe('application/problem+json');

    const big = clone();
    big.Customer.MiddleName = 'x'.repeat(40 * 1024);
    const oversized = await postJson(`${stack.url}/api/customers`, big);
    expect(oversized.status).toBe(413);
    expect((oversized.json as { status: number }).status).toBe(413);

    const notAnObject = await postJson(`${stack.url}/api/customers`, '[1,2,3]');
    expect(notAnObject.status).toBe(400);
    expect(await queueDepth()).toBe(0);
  });

  it('answers a chunked body (no Content-Length) with 411 naming Content-Length, from .NET-style and Node fetch stream senders; nothing is queued', async () => {
    await stack.queue.clearMessages();
    const text = JSON.stringify(full);
    const expected411 = (status: number, body: string) => {
      expect(status).toBe(411);
      expect(JSON.parse(body)).toMatchObject({
        type: 'urn:d365-customer-sync:problem:length-required',
        status: 411,
        detail: expect.stringContaining('Content-Length'),
      });
    };
    // As .NET's ObjectContent / PushStreamContent sends it: Transfer-Encoding: chunked, in pieces.
    for (const path of ['/api/customers', '/api/webhooks/shopify', '/api/webhooks/standard?source=x']) {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          `${stack.url}${path}`,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json; charset=utf-8', 'transfer-encoding': 'chunked' },
          },
          (res) => {
            let body = '';
            res.on('data', (chunk: Buffer) => (body += chunk.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        req.write(text.slice(0, 100));
        req.end(text.slice(100));
      });
      expected411(answer.status, answer.body);
    }
    // Node's fetch with a ReadableStream body (sent chunked).
    const encoded = new TextEncoder().encode(text);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoded.subarray(0, 100));
        controller.enqueue(encoded.subarray(100));
        controller.close();
      },
    });
    const streamed = await fetch(`${stack.url}/api/customers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expected411(streamed.status, await streamed.text());
    expect(await queueDepth()).toBe(0);
  });

  it('never reflects the Host header into Location or statusUrl', async () => {
    const port = new URL(stack.url).port;
    const answer = await new Promise<{ location?: string; body: string }>((resolve, reject) => {
      const req = request(
        `${stack.url}/api/customers`,
        { method: 'POST', headers: { host: `evil.example.com:${port}`, 'content-type': 'application/json' } },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ location: res.headers.location, body }));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(full));
    });
    const { statusUrl } = JSON.parse(answer.body) as { statusUrl: string };
    expect(new URL(statusUrl).host).toBe(`localhost:${port}`);
    expect(answer.location).toBe(statusUrl);
  });

  it('says where malformed JSON breaks (line, column; V8 names no position for an unexpected token), quoting nothing', async () => {
    const text = JSON.stringify(full, null, 2).replace('"FirstName": "', '"FirstName": Janet"');
    const line = text.split('\n').findIndex((l) => l.includes('Janet')) + 1;
    const answer = await postJson(`${stack.url}/api/customers`, text);
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({
      detail: '1 field must be corrected: see errors.',
      errors: [
        {
          pointer: '',
          detail: `The request body is not valid JSON (syntax error at line ${line}, column 18).`,
        },
      ],
    });
    expect(JSON.stringify(answer.json)).not.toContain('Janet');
  });

  it('counts every problem in the detail, also past the 50 it lists', async () => {
    const queued = await queueDepth();
    const body = clone();
    for (let i = 0; i < 64; i += 1) body.Customer[`Unknown${i}`] = i;
    const answer = await postJson(`${stack.url}/api/customers`, body);
    expect(answer.status).toBe(400);
    const problem = answer.json as { detail: string; errors: { detail: string }[] };
    expect(problem.detail).toBe('64 fields must be corrected: see errors.');
    expect(problem.errors).toHaveLength(51);
    expect(problem.errors[50]!.detail).toBe('14 more errors were found and are not listed.');
    expect(await queueDepth()).toBe(queued);
  });

  it('answers 405 to other methods and needs no key when DEV_FUNCTION_KEY is unset (as func start)', async () => {
    const put = await fetch(`${stack.url}/api/customers`, { method: 'PUT' });
    expect(put.status).toBe(405);
    const health = await fetch(`${stack.url}/api/health`);
    expect(await health.json()).toEqual({ status: 'ok' });
  });
});
