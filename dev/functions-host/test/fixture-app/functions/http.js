const { Buffer } = require('node:buffer');
const { setTimeout: delay } = require('node:timers/promises');
const { app, HttpResponse } = require('@azure/functions');
const { record } = require('./record');

app.http('hello', {
  methods: ['GET'],
  authLevel: 'anonymous',
  route: 'hello/{name?}',
  handler: async (request) => ({
    jsonBody: {
      name: request.params.name ?? null,
      greeting: request.query.get('greeting'),
      method: request.method,
    },
  }),
});

app.http('itemById', {
  methods: ['GET'],
  authLevel: 'anonymous',
  route: 'items/{id:int}',
  handler: async (request) => ({ jsonBody: { by: 'int', id: request.params.id } }),
});

app.http('itemByGuid', {
  methods: ['GET'],
  authLevel: 'anonymous',
  route: 'items/{id:guid}',
  handler: async (request) => ({ jsonBody: { by: 'guid', id: request.params.id } }),
});

app.http('itemsLatest', {
  methods: ['GET', 'DELETE'],
  authLevel: 'anonymous',
  route: 'items/latest',
  handler: async (request) => ({ jsonBody: { by: 'literal', method: request.method } }),
});

app.http('files', {
  methods: ['GET'],
  authLevel: 'anonymous',
  route: 'files/{*path}',
  handler: async (request) => ({ jsonBody: { path: request.params.path ?? null } }),
});

// No route: the function name is the route; no methods: GET and POST.
app.http('defaultRoute', {
  authLevel: 'anonymous',
  handler: async (request) => ({ body: `default ${request.method}` }),
});

app.post('echo', {
  authLevel: 'anonymous',
  route: 'echo',
  handler: async (request) => {
    const body = Buffer.from(await request.arrayBuffer());
    return {
      status: 200,
      body,
      headers: {
        'content-type': request.headers.get('content-type') ?? 'application/octet-stream',
        'x-echo-header': request.headers.get('x-test-header') ?? '',
        'x-echo-query': JSON.stringify(Object.fromEntries(request.query)),
        'x-echo-url': request.url,
      },
    };
  },
});

app.get('secure', {
  authLevel: 'function',
  route: 'secure',
  handler: async () => ({ body: 'function level ok' }),
});
app.get('adminOnly', {
  authLevel: 'admin',
  route: 'admin-only',
  handler: async () => ({ body: 'admin level ok' }),
});

app.get('fidelity', {
  authLevel: 'anonymous',
  route: 'fidelity/{kind:alpha}',
  handler: async (request) => {
    switch (request.params.kind) {
      case 'json':
        return {
          status: 201,
          jsonBody: { created: true, list: [1, 2] },
          headers: { 'x-custom': 'custom-value' },
        };
      case 'binary':
        return {
          body: Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
          headers: { 'content-type': 'application/octet-stream' },
        };
      case 'uint':
        return { body: new Uint8Array([1, 2, 3, 250]) };
      case 'text':
        return { body: 'plain text' };
      case 'multi': {
        return new HttpResponse({
          status: 202,
          headers: [
            ['x-multi', 'one'],
            ['x-multi', 'two'],
          ],
          body: 'multi',
          cookies: [
            { name: 'session', value: 'abc', httpOnly: true, sameSite: 'Strict', maxAge: 60 },
            { name: 'theme', value: 'dark', path: '/api' },
          ],
        });
      }
      case 'nocontent':
        return { status: 204 };
      case 'nothing':
        return undefined;
      case 'throws':
        throw new Error('the handler failed on purpose');
      default:
        return { status: 400, body: 'unknown kind' };
    }
  },
});

app.get('settings', {
  authLevel: 'anonymous',
  route: 'settings',
  handler: async () => ({
    jsonBody: {
      FROM_LOCAL_SETTINGS: process.env.FROM_LOCAL_SETTINGS ?? null,
      OVERRIDDEN_SETTING: process.env.OVERRIDDEN_SETTING ?? null,
      cwd: process.cwd(),
    },
  }),
});

app.get('contextInfo', {
  authLevel: 'anonymous',
  route: 'context',
  handler: async (request, context) => {
    context.log('log line from the function');
    context.trace('trace line from the function');
    context.debug('debug line from the function');
    context.info('info line from the function');
    context.warn('warn line from the function');
    context.error('error line from the function');
    context.log('[redact-me] sensitive detail');
    return {
      jsonBody: {
        invocationId: context.invocationId,
        functionName: context.functionName,
        triggerType: context.options.trigger.type,
        hookSaw: context.extraInputs.get('hookSaw') ?? null,
        traceParent: context.traceContext?.traceParent ?? null,
      },
    };
  },
});

app.get('slow', {
  authLevel: 'anonymous',
  route: 'slow',
  handler: async (request) => {
    const ms = Number(request.query.get('ms') ?? 1000);
    record({ type: 'slow-start' });
    await delay(ms);
    record({ type: 'slow-end' });
    return { body: `slept ${ms}` };
  },
});
