import { app, HttpResponseInit } from '@azure/functions';
import { openApiDocument } from '../shared/http/openapi';

/** `GET /api/openapi.json`: the OpenAPI 3.1 description of this API (anonymous, like the health probe). */
export async function getOpenApiDocument(): Promise<HttpResponseInit> {
  return { status: 200, jsonBody: openApiDocument(), headers: { 'cache-control': 'no-store' } };
}

app.http('getOpenApiDocument', {
  methods: ['GET'],
  route: 'openapi.json',
  authLevel: 'anonymous',
  handler: getOpenApiDocument,
});
