import { checkAccessToken, TokenCheck, tokenIssuer } from './access-tokens';
import { JwtRejection } from './jwt';
import { bearerToken, isPlainObject, parseJson, RequestContext, sendJson } from './http';
import { SecretVersion } from './secrets-store';
import { EmulatorState, KEY_VAULT_RESOURCE } from './state';

/**
 * Emulated Azure Key Vault (secrets only): the 401 challenge that `SecretClient` answers with a token for
 * `https://vault.azure.net`, secret reads (newest or a given version), version lists and `PUT` (new version).
 * Only the Key Vault reader identity (standing in for the function app's managed identity) has access.
 */
export const isKeyVaultPath = (pathname: string): boolean =>
  pathname === '/secrets' || pathname.startsWith('/secrets/');

export interface KeyVaultErrorBody {
  error: { code: string; message: string; innererror?: { code: string } };
}

export const keyVaultError = (code: string, message: string, inner?: string): KeyVaultErrorBody => ({
  error: { code, message, ...(inner ? { innererror: { code: inner } } : {}) },
});

/** The `WWW-Authenticate` challenge: where to get a token, and for which resource. */
export const keyVaultChallenge = (state: EmulatorState, origin: string): string =>
  `Bearer authorization="${origin}/${state.options.tenantId}", resource="${KEY_VAULT_RESOURCE}"`;

const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;

function bundle(origin: string, secret: SecretVersion, withValue: boolean): Record<string, unknown> {
  return {
    ...(withValue ? { value: secret.value } : {}),
    ...(secret.contentType !== undefined ? { contentType: secret.contentType } : {}),
    id: `${origin}/secrets/${secret.name}/${secret.version}`,
    attributes: {
      enabled: secret.enabled,
      ...(secret.notBefore !== undefined ? { nbf: secret.notBefore } : {}),
      ...(secret.expires !== undefined ? { exp: secret.expires } : {}),
      created: secret.created,
      updated: secret.updated,
      recoveryLevel: 'Recoverable+Purgeable',
      recoverableDays: 90,
    },
    ...(secret.tags !== undefined ? { tags: secret.tags } : {}),
  };
}

function notFound(name: string, version?: string): KeyVaultErrorBody {
  return keyVaultError(
    'SecretNotFound',
    `A secret with (name/id) ${version ? `${name}/${version}` : name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
  );
}

/** Get Secret Versions: `maxresults` 1 to 25, 25 when absent (learn.microsoft.com/rest/api/keyvault/secrets/get-secret-versions). */
const MAX_PAGE = 25;

/**
 * `GET /secrets/{name}/versions`: a page of at most `maxresults` versions (without values) and a
 * `nextLink` to the next page (`$skiptoken`), as the real vault pages them. The order is
 * deterministic but not chronological (by version ID here; the real one's is neither by creation:
 * azure-sdk-for-python#35923), so a reader that wants the newest or the oldest must sort by
 * `attributes.created` itself. Disabled versions are listed too (`enabled: false`).
 */
function listVersions(ctx: RequestContext, versions: SecretVersion[], name: string): void {
  const { res, origin, url } = ctx;
  if (versions.length === 0) {
    sendJson(res, 404, notFound(name));
    return;
  }
  const max = url.searchParams.get('maxresults');
  const pageSize = max === null ? MAX_PAGE : Number(max);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE) {
    sendJson(
      res,
      400,
      keyVaultError('BadParameter', `maxresults must be an integer between 1 and ${MAX_PAGE}.`),
    );
    return;
  }
  const skip = Number(Buffer.from(url.searchParams.get('$skiptoken') ?? '', 'base64url').toString() || '0');
  if (!Number.isInteger(skip) || skip < 0) {
    sendJson(res, 400, keyVaultError('BadParameter', 'The $skiptoken is invalid.'));
    return;
  }
  const ordered = [...versions].sort((a, b) => a.version.localeCompare(b.version));
  const page = ordered.slice(skip, skip + pageSize);
  const next = skip + pageSize < ordered.length ? skip + pageSize : undefined;
  const nextLink =
    next === undefined
      ? null
      : `${origin}/secrets/${encodeURIComponent(name)}/versions?api-version=${encodeURIComponent(url.searchParams.get('api-version') ?? '')}&$skiptoken=${Buffer.from(String(next)).toString('base64url')}&maxresults=${pageSize}`;
  sendJson(res, 200, { value: page.map((v) => bundle(origin, v, false)), nextLink });
}

const UNAUTHORIZED_MESSAGES: Record<'missing' | JwtRejection, string> = {
  missing: 'AKV10000: Request is missing a Bearer or PoP token.',
  malformed: 'AKV10001: The token is malformed.',
  signature: 'AKV10032: The token signature is invalid.',
  expired: 'AKV10022: The token is expired.',
  'not-yet-valid': 'AKV10023: The token is not yet valid.',
};

/** The 401 message for a rejected token (audience and issuer worded as captured answers quote them). */
function unauthorizedMessage(state: EmulatorState, check: Extract<TokenCheck, { ok: false }>): string {
  // "AKV10022: Invalid audience. Expected https://vault.azure.net, found: https://management.azure.com/."
  // (MicrosoftDocs/azure-docs#109562, crossplane-contrib/provider-azure#346).
  if (check.reason === 'audience') {
    return `AKV10022: Invalid audience. Expected ${KEY_VAULT_RESOURCE}, found: ${check.found}.`;
  }
  // "AKV10032: Invalid issuer. Expected one of https://sts.windows.net/<tenant>/, found https://..."
  // (Azure/azure-sdk-for-js#6221).
  if (check.reason === 'issuer') {
    return `AKV10032: Invalid issuer. Expected one of ${tokenIssuer(state)}, found ${check.found}.`;
  }
  return UNAUTHORIZED_MESSAGES[check.reason];
}

export async function handleKeyVault(state: EmulatorState, ctx: RequestContext): Promise<void> {
  const { res, origin } = ctx;
  const check = await checkAccessToken(state, bearerToken(ctx.req), (aud) => aud === KEY_VAULT_RESOURCE);
  if (!check.ok) {
    state.stats.keyVault.challenges += 1;
    const message = unauthorizedMessage(state, check);
    sendJson(res, 401, keyVaultError('Unauthorized', message), {
      'WWW-Authenticate': keyVaultChallenge(state, origin),
    });
    return;
  }
  if (!ctx.url.searchParams.get('api-version')) {
    sendJson(
      res,
      400,
      keyVaultError('BadParameter', 'The request URI contains an invalid or missing api-version.'),
    );
    return;
  }
  const segments = ctx.url.pathname.split('/').slice(2).map(decodeURIComponent);
  const [name, second] = segments;
  const action =
    ctx.method === 'PUT'
      ? 'setSecret'
      : ctx.method === 'PATCH'
        ? 'update'
        : segments.length === 0 || second === 'versions'
          ? 'listSecrets'
          : 'getSecret';
  if (!state.settings.access.keyVaultReaders.includes(check.clientId)) {
    state.stats.keyVault.denied += 1;
    sendJson(
      res,
      403,
      keyVaultError(
        'Forbidden',
        `Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: appid=${check.clientId}\r\nAction: 'Microsoft.KeyVault/vaults/secrets/${action}/action'\r\nAssignment: (not found)\r\nVault: emulator`,
        'ForbiddenByRbac',
      ),
    );
    return;
  }
  if (name !== undefined && name !== '' && !SECRET_NAME.test(name)) {
    sendJson(
      res,
      400,
      keyVaultError('BadParameter', `The secret name '${name}' is invalid. It must match ^[0-9a-zA-Z-]+$.`),
    );
    return;
  }

  if (ctx.method === 'GET' && (name === undefined || name === '')) {
    const value = state.secrets.names().map((n) => {
      const latest = state.secrets.get(n) as SecretVersion;
      const item = bundle(origin, latest, false);
      return { ...item, id: `${origin}/secrets/${latest.name}` };
    });
    sendJson(res, 200, { value, nextLink: null });
    return;
  }
  if (name === undefined || name === '') {
    sendJson(
      res,
      405,
      keyVaultError('BadParameter', `The method ${ctx.method} is not allowed on this resource.`),
    );
    return;
  }
  if (ctx.method === 'GET' && second === 'versions' && segments.length === 2) {
    listVersions(ctx, state.secrets.versions(name), name);
    return;
  }
  if (ctx.method === 'GET' && segments.length <= 2) {
    const version = segments.length === 2 ? second : undefined;
    const secret = state.secrets.get(name, version);
    if (!secret) {
      sendJson(res, 404, notFound(name, version || undefined));
      return;
    }
    if (!secret.enabled) {
      sendJson(
        res,
        403,
        keyVaultError('Forbidden', 'Operation get is not allowed on a disabled secret.', 'SecretDisabled'),
      );
      return;
    }
    state.stats.keyVault.reads += 1;
    sendJson(res, 200, bundle(origin, secret, true));
    return;
  }
  if (ctx.method === 'PUT' && segments.length === 1) {
    const parsed = parseJson(ctx.body);
    const body = parsed.ok ? parsed.value : undefined;
    if (!isPlainObject(body) || typeof body.value !== 'string') {
      sendJson(
        res,
        400,
        keyVaultError('BadParameter', 'The request body must contain a string property value.'),
      );
      return;
    }
    const attributes = isPlainObject(body.attributes) ? body.attributes : {};
    const tags = isPlainObject(body.tags) ? (body.tags as Record<string, string>) : undefined;
    const secret = state.secrets.set(name, body.value, {
      contentType: typeof body.contentType === 'string' ? body.contentType : undefined,
      tags,
      enabled: typeof attributes.enabled === 'boolean' ? attributes.enabled : true,
      notBefore: typeof attributes.nbf === 'number' ? attributes.nbf : undefined,
      expires: typeof attributes.exp === 'number' ? attributes.exp : undefined,
    });
    state.stats.keyVault.writes += 1;
    sendJson(res, 200, bundle(origin, secret, true));
    return;
  }
  if (ctx.method === 'PATCH' && segments.length === 2) {
    updateVersion(ctx, state, name, second ?? '');
    return;
  }
  sendJson(
    res,
    405,
    keyVaultError('BadParameter', `The method ${ctx.method} is not allowed on this resource.`),
  );
}

/**
 * `PATCH /secrets/{name}/{version}` (Update Secret, `updateSecretProperties`): a version's
 * attributes (`enabled`, `nbf`, `exp`), content type and tags; never its value. Answers the
 * version without its value.
 */
function updateVersion(ctx: RequestContext, state: EmulatorState, name: string, version: string): void {
  const { res, origin } = ctx;
  const secret = state.secrets.get(name, version);
  if (!secret || version === '') {
    sendJson(res, 404, notFound(name, version || undefined));
    return;
  }
  const parsed = parseJson(ctx.body);
  const body = parsed.ok ? parsed.value : undefined;
  if (!isPlainObject(body) || 'value' in body) {
    sendJson(
      res,
      400,
      keyVaultError('BadParameter', 'The request body must be secret attributes, without a value.'),
    );
    return;
  }
  const attributes = isPlainObject(body.attributes) ? body.attributes : {};
  if (typeof attributes.enabled === 'boolean') secret.enabled = attributes.enabled;
  if (typeof attributes.nbf === 'number') secret.notBefore = attributes.nbf;
  if (typeof attributes.exp === 'number') secret.expires = attributes.exp;
  if (typeof body.contentType === 'string') secret.contentType = body.contentType;
  if (isPlainObject(body.tags)) secret.tags = body.tags as Record<string, string>;
  secret.updated = Math.floor(Date.now() / 1000);
  state.stats.keyVault.writes += 1;
  sendJson(res, 200, bundle(origin, secret, false));
}
