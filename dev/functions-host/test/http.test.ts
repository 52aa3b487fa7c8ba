import { request } from 'node:http';
import { connect } from 'node:net';
import { FixtureHost, startFixtureHost, Storage, useStorage, waitFor } from './host-test-kit';

/**
 * HTTP triggers of the fixture app, run by the real local host (a child process):
 * discovery through @azure/functions-core, routing, request and response fidelity, logging.
 */
describe('local host: HTTP triggers', () => {
  let storage: Storage;
  let host: FixtureHost;

  beforeAll(async () => {
    storage = await useStorage();
    host = await startFixtureHost(storage);
  });

  afterAll(async () => {
    await host?.stop();
    await storage?.stop();
  });

  const get = (path: string, init?: RequestInit): Promise<Response> => fetch(`${host.url}${path}`, init);

  it('lists every function the app registered through @azure/functions-core, then one ready line', () => {
    const port = host.port;
    expect(host.lines).toEqual(
      expect.arrayContaining([
        `  hello: [GET] http://localhost:${port}/api/hello/{name?}`,
        `  itemById: [GET] http://localhost:${port}/api/items/{id:int}`,
        `  itemsLatest: [GET,DELETE] http://localhost:${port}/api/items/latest`,
        `  defaultRoute: [GET,POST] http://localhost:${port}/api/defaultRoute`,
        `  echo: [POST] http://localhost:${port}/api/echo`,
        '  queueWorker: queueTrigger',
        '  fixtureTimer: timerTrigger',
      ]),
    );
    expect(host.lines.filter((line) => line.startsWith('Host ready on '))).toEqual([
      `Host ready on http://localhost:${port}`,
    ]);
    // The app never fell back to the library's "test mode" (which drops registrations).
    expect(host.lines.join('\n')).not.toMatch(/test mode/i);
  });

  it('passes route parameters, including optional, typed and catch-all ones, to request.params', async () => {
    expect(await (await get('/api/hello/ada?greeting=hi')).json()).toEqual({
      name: 'ada',
      greeting: 'hi',
      method: 'GET',
    });
    expect(await (await get('/api/hello')).json()).toEqual({ name: null, greeting: null, method: 'GET' });
    expect(await (await get('/api/items/42')).json()).toEqual({ by: 'int', id: '42' });
    const guid = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';
    expect(await (await get(`/api/items/${guid}`)).json()).toEqual({ by: 'guid', id: guid });
    // A literal segment wins over parameters, and literals match case-insensitively.
    expect(await (await get('/api/items/latest')).json()).toEqual({ by: 'literal', method: 'GET' });
    expect(await (await get('/API/Items/LATEST')).json()).toEqual({ by: 'literal', method: 'GET' });
    expect(await (await get('/api/files/a/b%20c/d.txt')).json()).toEqual({ path: 'a/b c/d.txt' });
    expect(await (await get('/api/files')).json()).toEqual({ path: null });
    // A function without a route is reachable under its name.
    expect(await (await get('/api/defaultRoute', { method: 'POST' })).text()).toBe('default POST');
  });

  it('answers 404 for unknown routes and values no constraint accepts, 405 with Allow for other methods', async () => {
    for (const path of ['/api/nothing-here', '/api/items/not-a-number', '/hello/ada', '/api/fidelity/12']) {
      const response = await get(path);
      expect({ path, status: response.status, body: await response.text() }).toEqual({
        path,
        status: 404,
        body: '',
      });
    }
    const post = await get('/api/items/42', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
    const put = await get('/api/items/latest', { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('DELETE, GET');
    expect((await get('/api/items/latest', { method: 'DELETE' })).status).toBe(200);
  });

  it('passes the request to the function as a real HttpRequest: raw body bytes, headers, query, url', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const response = await get('/api/echo?a=1&a=2&b=x%20y', {
      method: 'POST',
      body: bytes,
      headers: { 'content-type': 'application/x-custom', 'x-test-header': 'header value' },
    });
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
    expect(response.headers.get('content-type')).toBe('application/x-custom');
    expect(response.headers.get('x-echo-header')).toBe('header value');
    expect(JSON.parse(response.headers.get('x-echo-query') ?? '')).toEqual({ a: '1,2', b: 'x y' });
    expect(response.headers.get('x-echo-url')).toBe(`http://127.0.0.1:${host.port}/api/echo?a=1&a=2&b=x%20y`);
  });

  it('writes HttpResponseInit results faithfully: status, headers, jsonBody with application/json', async () => {
    const response = await get('/api/fidelity/json');
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-custom')).toBe('custom-value');
    expect(await response.text()).toBe('{"created":true,"list":[1,2]}');

    const text = await get('/api/fidelity/text');
    expect(text.headers.get('content-type')).toBe('text/plain;charset=UTF-8');
    expect(await text.text()).toBe('plain text');
  });

  it('writes binary bodies byte for byte (Buffer and Uint8Array)', async () => {
    const binary = await get('/api/fidelity/binary');
    expect(binary.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await binary.arrayBuffer())).toEqual(
      Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
    );
    const uint = await get('/api/fidelity/uint');
    expect([...new Uint8Array(await uint.arrayBuffer())]).toEqual([1, 2, 3, 250]);
  });

  it('writes HttpResponse objects with repeated headers and cookies', async () => {
    const response = await get('/api/fidelity/multi');
    expect(response.status).toBe(202);
    expect(response.headers.get('x-multi')).toBe('one, two');
    expect(response.headers.getSetCookie()).toEqual([
      'session=abc; max-age=60; path=/; samesite=strict; httponly',
      'theme=dark; path=/api',
    ]);
    expect(await response.text()).toBe('multi');
  });

  it('answers 204 and empty 200 bodies, and 500 with an empty body when the handler throws', async () => {
    const noContent = await get('/api/fidelity/nocontent');
    expect([noContent.status, await noContent.text()]).toEqual([204, '']);
    const nothing = await get('/api/fidelity/nothing');
    expect([nothing.status, await nothing.text()]).toEqual([200, '']);
    const thrown = await get('/api/fidelity/throws');
    expect([thrown.status, await thrown.text()]).toEqual([500, '']);
    // The host prints the error's message and stack.
    await waitFor(
      () => host.lines.some((l) => l.includes('Exception: the handler failed on purpose')),
      'the error log',
    );
    expect(host.lines.some((l) => /^\s+at handler .*fixture-app[/\\]functions[/\\]http\.js/.test(l))).toBe(
      true,
    );
  });

  it('gives each invocation an InvocationContext and prints host and context log lines with name and id', async () => {
    const response = await get('/api/context');
    const body = (await response.json()) as {
      invocationId: string;
      functionName: string;
      triggerType: string;
      hookSaw: string;
    };
    expect(body).toMatchObject({
      functionName: 'contextInfo',
      triggerType: 'httpTrigger',
      hookSaw: 'contextInfo',
    });
    const id = body.invocationId;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await waitFor(
      () => host.lines.some((l) => l.includes(`Executed 'Functions.contextInfo' (Succeeded, Id=${id}`)),
      'Executed',
    );
    const lines = host.lines.filter((l) => l.includes(id));
    const stamp = '\\[\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\]';
    expect(lines[0]).toMatch(
      new RegExp(
        `^${stamp} Executing 'Functions.contextInfo' \\(Reason='This function was programmatically called via the host APIs.', Id=${id}\\)$`,
      ),
    );
    for (const [level, text] of [
      ['Information', 'log line'],
      ['Information', 'info line'],
      ['Warning', 'warn line'],
      ['Error', 'error line'],
    ]) {
      expect(lines).toContainEqual(
        expect.stringMatching(
          new RegExp(`^${stamp} ${level} Functions.contextInfo \\(Id=${id}\\): ${text} from the function$`),
        ),
      );
    }
    // app.hook.log rewrote the marked message before it was printed.
    expect(lines).toContainEqual(
      expect.stringMatching(/Functions.contextInfo \(Id=.*\): \[redacted by log hook\]$/),
    );
    expect(host.lines.join('\n')).not.toContain('sensitive detail');
    // host.json's default level is Information: trace and debug lines are filtered out.
    expect(lines.some((l) => /trace line|debug line/.test(l))).toBe(false);
    expect(lines[lines.length - 1]).toMatch(
      new RegExp(`^${stamp} Executed 'Functions.contextInfo' \\(Succeeded, Id=${id}, Duration=\\d+ms\\)$`),
    );
    // preInvocation and postInvocation hooks ran around it, sharing hookData.
    expect(host.events('postInvocation')).toContainEqual(
      expect.objectContaining({ pre: true, hasResult: true }),
    );
  });

  it('never prints request bodies', async () => {
    const marker = 'personal-data-4711@example.com';
    await get('/api/echo', { method: 'POST', body: JSON.stringify({ email: marker }) });
    await waitFor(() => host.lines.some((l) => l.includes("Executed 'Functions.echo'")), 'echo to finish');
    expect(host.lines.join('\n')).not.toContain(marker);
  });

  it('fails a request declaring a body over the default 100 MB limit with 500, without reading it or running the function', async () => {
    const executedBefore = host.lines.filter((l) => l.includes("Executed 'Functions.echo'")).length;
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: host.port,
          path: '/api/echo',
          method: 'POST',
          headers: { 'content-length': 104_857_601 },
        },
        (res) => {
          res.resume();
          req.destroy();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write('x');
    });
    expect(status).toBe(500);
    await waitFor(
      () =>
        host.lines.some((l) =>
          l.includes('Request body too large. The max request body size is 104857600 bytes.'),
        ),
      'the failed invocation to be logged',
    );
    const executed = host.lines.filter((l) => l.includes("Executed 'Functions.echo'"));
    expect(executed).toHaveLength(executedBefore + 1);
    expect(executed[executed.length - 1]).toContain('(Failed, ');
  });

  it('passes a chunked request (no Content-Length) with no body, as the host reads a body only when Content-Length > 0', async () => {
    const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: host.port,
          path: '/api/echo',
          method: 'POST',
          headers: { 'transfer-encoding': 'chunked' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
          );
        },
      );
      req.on('error', reject);
      req.write('first chunk ');
      req.end('second chunk');
    });
    expect(response).toEqual({ status: 200, body: '' });
  });
  it('reads the rest of a chunked body sent after the answer and keeps the connection for the next request, as Kestrel drains it', async () => {
    // A sender that writes its body only once it has the answer (a stream sender under load): the
    // host must not close the connection under its writes (EPIPE before it reads the answer).
    const socket = connect(host.port, '127.0.0.1');
    const errors: Error[] = [];
    socket.on('error', (error) => errors.push(error));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    const answers = (): string[] => received.match(/HTTP\/1\.1 \d{3}/g) ?? [];
    socket.write(
      'POST /api/echo HTTP/1.1\r\nhost: 127.0.0.1\r\ntransfer-encoding: chunked\r\n\r\n5\r\nfirst\r\n',
    );
    await waitFor(() => answers().length === 1, 'the answer to the chunked request');
    for (let piece = 0; piece < 20; piece += 1) socket.write('400\r\n' + 'x'.repeat(0x400) + '\r\n');
    socket.write('0\r\n\r\n');
    socket.write('GET /api/hello/again HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
    await waitFor(() => answers().length === 2, 'the answer to the next request on the same connection');
    expect(answers()).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200']);
    expect(received).not.toMatch(/connection: close/i);
    expect(errors).toEqual([]);
    socket.destroy();
  });
});
