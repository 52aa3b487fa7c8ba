import { app, HttpRequest, HttpResponseInit } from '@azure/functions';
import { appServices } from '../shared/composition';
import { callbackSecretsFor } from '../shared/domain/callback-secret';
import { requireCaller } from '../shared/http/caller';
import { problemResponse, problems } from '../shared/http/problem';

/**
 * `GET /api/callbacks/secret`: the caller's own `whsec_` secret(s), to verify the result callbacks
 * of its requests (each caller's is its own: SECURITY.md, "Who may do what"). During a rotation of
 * CALLBACK_SECRET_NAME both secrets are listed, the newest first, and both sign.
 */
export async function callbackSecret(request: HttpRequest): Promise<HttpResponseInit> {
  const { config, webhookSecrets } = appServices();
  const check = requireCaller(request, 'create', config.callers);
  if (!check.ok) return check.response;
  const secrets = await webhookSecrets.get(config.callbacks.secretName).catch(() => []);
  if (secrets.length === 0)
    return problemResponse(problems.secretUnavailable(config.statusRetryAfterSeconds));
  return {
    status: 200,
    headers: { 'cache-control': 'no-store' },
    jsonBody: { secrets: callbackSecretsFor(secrets, check.caller.id) },
  };
}

app.http('callbackSecret', {
  methods: ['GET'],
  route: 'callbacks/secret',
  authLevel: 'function',
  handler: callbackSecret,
});
