const { app } = require('@azure/functions');
const { record } = require('./record');

// What the handler saw of the request body, as headers (HEAD responses carry no body).
async function describeBody(request) {
  const bodyIsNull = request.body === null;
  const text = bodyIsNull ? null : await request.text();
  return { bodyIsNull, text };
}

app.http('body', {
  methods: ['GET', 'HEAD', 'POST'],
  authLevel: 'anonymous',
  route: 'body',
  handler: async (request) => {
    const seen = await describeBody(request);
    record({ type: 'body', method: request.method, ...seen });
    return {
      status: 200,
      headers: { 'x-body-is-null': String(seen.bodyIsNull) },
      jsonBody: { method: request.method, ...seen },
    };
  },
});

app.post('json', {
  authLevel: 'anonymous',
  route: 'json',
  handler: async (request) => ({ jsonBody: { received: await request.json() } }),
});
