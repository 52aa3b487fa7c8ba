import { randomUUID } from 'node:crypto';
import { issueAccessToken } from './access-tokens';
import { RequestContext, sendJson } from './http';
import { checkClientSecret } from './identities';
import { EmulatorState, KEY_VAULT_RESOURCE, normalizeResource } from './state';
import { increment } from './stats';

/**
 * Emulated Microsoft Entra ID: OpenID metadata, signing keys, and the v1 and v2 token endpoints for the
 * client-credentials grant (what `ClientSecretCredential` and the source article use).
 */
export type EntraRoute =
  { kind: 'openid-v2' | 'openid-v1' | 'keys' | 'token-v2' | 'token-v1'; tenant: string } | undefined;

export function matchEntraRoute(pathname: string): EntraRoute {
  const match =
    /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|\.well-known\/openid-configuration|discovery\/(?:v2\.0\/)?keys|oauth2\/v2\.0\/token|oauth2\/token)$/.exec(
      pathname,
    );
  if (!match) return undefined;
  const tenant = decodeURIComponent(match[1] ?? '');
  const rest = match[2] ?? '';
  if (rest.startsWith('v2.0/.well-known')) return { kind: 'openid-v2', tenant };
  if (rest.startsWith('.well-known')) return { kind: 'openid-v1', tenant };
  if (rest.startsWith('discovery')) return { kind: 'keys', tenant };
  if (rest === 'oauth2/v2.0/token') return { kind: 'token-v2', tenant };
  return { kind: 'token-v1', tenant };
}

export interface EntraErrorBody {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
}

/** An error answer shaped as Entra ID's (`AADSTS<code>: ...` plus trace and correlation ids). */
export function entraErrorBody(
  ctx: Pick<RequestContext, 'req' | 'origin'>,
  error: string,
  code: number,
  description: string,
): EntraErrorBody {
  const traceId = randomUUID();
  const header = ctx.req.headers['client-request-id'];
  const correlationId = typeof header === 'string' && header ? header : randomUUID();
  const timestamp = new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
  return {
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `${ctx.origin}/error?code=${code}`,
  };
}

const noStore = { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' };

function sendEntraError(
  state: EmulatorState,
  ctx: RequestContext,
  status: number,
  error: string,
  code: number,
  description: string,
): void {
  state.stats.tokenErrors += 1;
  sendJson(ctx.res, status, entraErrorBody(ctx, error, code, description), responseHeaders(ctx));
}

function responseHeaders(ctx: RequestContext): Record<string, string> {
  const clientRequestId = ctx.req.headers['client-request-id'];
  return {
    ...noStore,
    'x-ms-request-id': randomUUID(),
    ...(typeof clientRequestId === 'string' ? { 'client-request-id': clientRequestId } : {}),
  };
}

const tenantNotFound = (tenant: string): string =>
  `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`;

export function handleEntra(state: EmulatorState, ctx: RequestContext, route: NonNullable<EntraRoute>): void {
  const tenantOk = route.tenant.toLowerCase() === state.options.tenantId;
  switch (route.kind) {
    case 'openid-v2':
    case 'openid-v1':
      if (!tenantOk) {
        sendJson(ctx.res, 400, entraErrorBody(ctx, 'invalid_tenant', 90002, tenantNotFound(route.tenant)));
        return;
      }
      sendJson(ctx.res, 200, openIdConfiguration(state, ctx.origin, route.kind === 'openid-v2'), {
        'Cache-Control': 'max-age=86400, private',
      });
      return;
    case 'keys':
      sendJson(ctx.res, 200, { keys: [state.signingKey.jwk] }, { 'Cache-Control': 'max-age=86400, private' });
      return;
    case 'token-v1':
    case 'token-v2':
      handleToken(state, ctx, route.kind === 'token-v2' ? 'v2' : 'v1', tenantOk ? undefined : route.tenant);
      return;
  }
}

function openIdConfiguration(state: EmulatorState, origin: string, v2: boolean): Record<string, unknown> {
  const tenant = state.options.tenantId;
  const base = `${origin}/${tenant}`;
  const oauth = v2 ? `${base}/oauth2/v2.0` : `${base}/oauth2`;
  return {
    token_endpoint: `${oauth}/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: v2 ? `${base}/discovery/v2.0/keys` : `${base}/discovery/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: v2 ? `${base}/v2.0` : `${base}/`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${origin}/oidc/userinfo`,
    authorization_endpoint: `${oauth}/authorize`,
    device_authorization_endpoint: `${oauth}/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${oauth}/logout`,
    claims_supported: [
      'sub',
      'iss',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'acr',
      'nonce',
      'tid',
      'ver',
      'at_hash',
      'c_hash',
    ],
    tenant_region_scope: null,
    cloud_instance_name: 'd365-customer-sync.emulator',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
    rbac_url: 'https://pas.windows.net',
  };
}

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
function requestedResource(
  version: 'v1' | 'v2',
  form: URLSearchParams,
): { resource: string } | { error: string; code: number; description: string } {
  if (version === 'v1') {
    const resource = form.get('resource');
    if (!resource) {
      return {
        error: 'invalid_request',
        code: 900144,
        description: "The request body must contain the following parameter: 'resource'.",
      };
    }
    return { resource };
  }
  const scope = form.get('scope');
  if (!scope) {
    return {
      error: 'invalid_request',
      code: 900144,
      description: "The request body must contain the following parameter: 'scope'.",
    };
  }
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

function handleToken(
  state: EmulatorState,
  ctx: RequestContext,
  version: 'v1' | 'v2',
  unknownTenant?: string,
): void {
  const form = new URLSearchParams(ctx.body.toString('utf8'));
  const { clientId: rawClientId, secret } = clientCredentials(ctx, form);
  const clientId = rawClientId?.trim().toLowerCase();
  increment(state.stats.tokenRequests[version], clientId || '(none)');

  if (ctx.method !== 'POST') {
    sendEntraError(
      state,
      ctx,
      400,
      'invalid_request',
      900561,
      `The endpoint only accepts POST, OPTIONS requests. Received a ${ctx.method} request.`,
    );
    return;
  }
  if (unknownTenant !== undefined) {
    sendEntraError(state, ctx, 400, 'invalid_request', 90002, tenantNotFound(unknownTenant));
    return;
  }
  const grantType = form.get('grant_type');
  if (!grantType) {
    sendEntraError(
      state,
      ctx,
      400,
      'invalid_request',
      900144,
      "The request body must contain the following parameter: 'grant_type'.",
    );
    return;
  }
  if (grantType !== 'client_credentials') {
    sendEntraError(
      state,
      ctx,
      400,
      'unsupported_grant_type',
      70003,
      'The app requested an unsupported grant type.',
    );
    return;
  }
  if (!clientId) {
    sendEntraError(
      state,
      ctx,
      400,
      'invalid_request',
      900144,
      "The request body must contain the following parameter: 'client_id'.",
    );
    return;
  }
  const resource = requestedResource(version, form);
  if ('error' in resource) {
    sendEntraError(state, ctx, 400, resource.error, resource.code, resource.description);
    return;
  }
  const check = secret === undefined ? undefined : checkClientSecret(state.identities, clientId, secret);
  if (check === 'unknown-client' || (check === undefined && !state.identities.clients.has(clientId))) {
    sendEntraError(
      state,
      ctx,
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${state.options.tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
    return;
  }
  if (check === undefined) {
    sendEntraError(
      state,
      ctx,
      400,
      'invalid_client',
      7000216,
      "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
    );
    return;
  }
  if (check === 'wrong-secret') {
    sendEntraError(
      state,
      ctx,
      400,
      'invalid_client',
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
    );
    return;
  }
  const normalized = normalizeResource(resource.resource);
  if (!state.d365Audiences.has(normalized) && normalized !== KEY_VAULT_RESOURCE) {
    sendEntraError(
      state,
      ctx,
      400,
      'invalid_resource',
      500011,
      `The resource principal named ${resource.resource} was not found in the tenant named ${state.options.tenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    );
    return;
  }
  const token = issueAccessToken(state, clientId, normalized);
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
  sendJson(ctx.res, 200, body, responseHeaders(ctx));
}
