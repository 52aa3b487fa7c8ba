import { entraErrorBody, tenantNotFound } from './entra-errors';
import { handleToken } from './entra-token';
import { RequestContext, sendJson } from './http';
import { EmulatorState } from './state';

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

export async function handleEntra(
  state: EmulatorState,
  ctx: RequestContext,
  route: NonNullable<EntraRoute>,
): Promise<void> {
  const tenantOk = route.tenant.toLowerCase() === state.options.tenantId;
  switch (route.kind) {
    case 'openid-v2':
    case 'openid-v1':
      if (!tenantOk) {
        sendJson(ctx.res, 400, entraErrorBody(ctx, tenantNotFound(route.tenant, 'invalid_tenant')));
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
      await handleToken(state, ctx, {
        version: route.kind === 'token-v2' ? 'v2' : 'v1',
        unknownTenant: tenantOk ? undefined : route.tenant,
      });
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
