import { app, HttpResponseInit } from '@azure/functions';
import { appServices } from '../shared/composition';
import { openApiDocument } from '../shared/http/openapi';

/**
 * `GET /api/openapi.json`: the OpenAPI 3.1 description of this API (anonymous, like the health
 * probe), with this deployment's caller authentication in its security requirements.
 */
export async function getOpenApiDocument(): Promise<HttpResponseInit> {
  const { callers } = appServices().config;
  const document = openApiDocument({ callerAuth: callers.auth === 'app-service' ? 'app-service' : 'keys' });
  return { status: 200, jsonBody: document, headers: { 'cache-control': 'no-store' } };
}

app.http('getOpenApiDocument', {
  methods: ['GET'],
  route: 'openapi.json',
  authLevel: 'anonymous',
  handler: getOpenApiDocument,
});
