import { app, HttpResponseInit } from '@azure/functions';

/** Liveness for load balancers and the local stack: answers without touching storage or D365. */
export async function health(): Promise<HttpResponseInit> {
  return { status: 200, jsonBody: { status: 'ok' }, headers: { 'cache-control': 'no-store' } };
}

app.http('health', { methods: ['GET'], route: 'health', authLevel: 'anonymous', handler: health });
