import { issueAccessToken } from './access-tokens';
import {
  EntraFailure,
  missingParameter,
  sendEntraError,
  tenantNotFound,
  tokenResponseHeaders,
} from './entra-errors';
import { RequestContext, sendJson } from './http';
import { checkClientSecret } from './identities';
import { EmulatorState, KEY_VAULT_RESOURCE, normalizeResource } from './state';
import { increment } from './stats';

/**
 * Entra ID's v1 (`/oauth2/token`, `resource`) and v2 (`/oauth2/v2.0/token`, `scope`) token endpoints for
 * the client-credentials grant (what `ClientSecretCredential` and the source article use).
 */

/** Client id and secret from the form (client_secret_post) or the Basic header (client_secret_basic). */
function clientCredentials(
  ctx: RequestContext,
  form: URLSearchParams,
): { clientId?: string; secret?: string } {
  const basic = /^Basic\s+(\S+)$/i.exec(ctx.req.headers.authorization ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1] ?? '', 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      return {
        clientId: decodeURIComponent(decoded.slice(0, colon)),
        secret: decodeURIComponent(decoded.slice(colon + 1)),
      };
    }
  }
  return { clientId: form.get('client_id') ?? undefined, secret: form.get('client_secret') ?? undefined };
}

const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

/** The resource a request asks for, or an Entra error. */
function requestedResource(version: 'v1' | 'v2', form: URLSearchParams): { resource: string } | EntraFailure {
  if (version === 'v1') {
    const resource = form.get('resource');
    return resource ? { resource } : missingParameter('resource');
  }
  const scope = form.get('scope');
  if (!scope) return missingParameter('scope');
  const scopes = scope.split(/\s+/).filter((s) => s && !OIDC_SCOPES.has(s.toLowerCase()));
  const resources = new Set<string>();
  for (const s of scopes) {
    if (!s.endsWith('/.default')) {
      return {
        error: 'invalid_scope',
        code: 1002012,
        description: `The provided value for scope ${s} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      };
    }
    resources.add(normalizeResource(s.slice(0, -'/.default'.length)));
  }
  if (resources.size !== 1) {
    return {
      error: 'invalid_scope',
      code: 70011,
      description: `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`,
    };
  }
  return { resource: [...resources][0] ?? '' };
}

/** What is wrong with the request before its credentials are looked at, if anything. */
function requestProblem(
  ctx: RequestContext,
  form: URLSearchParams,
  unknownTenant?: string,
): EntraFailure | undefined {
  if (ctx.method !== 'POST') {
    return {
      error: 'invalid_request',
      code: 900561,
      description: `The endpoint only accepts POST, OPTIONS requests. Received a ${ctx.method} request.`,
    };
  }
  if (unknownTenant !== undefined) return tenantNotFound(unknownTenant, 'invalid_request');
  const grantType = form.get('grant_type');
  if (!grantType) return missingParameter('grant_type');
  if (grantType !== 'client_credentials') {
    return {
      error: 'unsupported_grant_type',
      code: 70003,
      description: 'The app requested an unsupported grant type.',
    };
  }
  return undefined;
}

/** What is wrong with the client's credentials or the resource it asks for, if anything. */
function credentialProblem(
  state: EmulatorState,
  clientId: string,
  secret: string | undefined,
  resource: string,
): EntraFailure | undefined {
  const tenantId = state.options.tenantId;
  const check = secret === undefined ? undefined : checkClientSecret(state.identities, clientId, secret);
  if (check === 'unknown-client' || (check === undefined && !state.identities.clients.has(clientId))) {
    return {
      error: 'unauthorized_client',
      code: 700016,
      description: `Application with identifier '${clientId}' was not found in the directory '${tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    };
  }
  if (check === undefined) {
    return {
      error: 'invalid_client',
      code: 7000216,
      description:
        "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
    };
  }
  if (check === 'wrong-secret') {
    return {
      error: 'invalid_client',
      code: 7000215,
      description: `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
    };
  }
  if (state.settings.access.expiredSecretClientIds.includes(clientId)) {
    // The right secret past its end date (access.ts). Text as login.microsoftonline.com answers it,
    // captured in dotnet/sign#849 (2025) and liprec/vsts-release-aas#119 (`invalid_client`, HTTP 401);
    // Microsoft Learn, "Microsoft Entra authentication and authorization error codes":
    // AADSTS7000222 InvalidClientSecretExpiredKeysProvided.
    return {
      error: 'invalid_client',
      code: 7000222,
      description: `The provided client secret keys for app '${clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
    };
  }
  const normalized = normalizeResource(resource);
  if (!state.d365Audiences.has(normalized) && normalized !== KEY_VAULT_RESOURCE) {
    return {
      error: 'invalid_resource',
      code: 500011,
      description: `The resource principal named ${resource} was not found in the tenant named ${tenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    };
  }
  return undefined;
}

export async function handleToken(
  state: EmulatorState,
  ctx: RequestContext,
  options: { version: 'v1' | 'v2'; unknownTenant?: string },
): Promise<void> {
  const { version } = options;
  const form = new URLSearchParams(ctx.body.toString('utf8'));
  const { clientId: rawClientId, secret } = clientCredentials(ctx, form);
  const clientId = rawClientId?.trim().toLowerCase();
  increment(state.stats.tokenRequests[version], clientId || '(none)');

  const problem = requestProblem(ctx, form, options.unknownTenant);
  if (problem) {
    sendEntraError(state, ctx, problem);
    return;
  }
  if (!clientId) {
    sendEntraError(state, ctx, missingParameter('client_id'));
    return;
  }
  const resource = requestedResource(version, form);
  if ('error' in resource) {
    sendEntraError(state, ctx, resource);
    return;
  }
  const rejected = credentialProblem(state, clientId, secret, resource.resource);
  if (rejected) {
    sendEntraError(state, ctx, rejected);
    return;
  }
  const token = await issueAccessToken(state, clientId, normalizeResource(resource.resource));
  state.stats.tokensIssued += 1;
  const lifetime = token.lifetimeSeconds;
  const body =
    version === 'v1'
      ? {
          token_type: 'Bearer',
          expires_in: String(lifetime),
          ext_expires_in: String(lifetime),
          expires_on: String(token.expiresOn),
          not_before: String(token.issuedAt),
          resource: resource.resource,
          access_token: token.accessToken,
        }
      : {
          token_type: 'Bearer',
          expires_in: lifetime,
          ext_expires_in: lifetime,
          access_token: token.accessToken,
        };
  sendJson(ctx.res, 200, body, tokenResponseHeaders(ctx));
}
