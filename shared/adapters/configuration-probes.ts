import { DefaultAzureCredential, TokenCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import type { Config } from '../config/config';
import { isLoopbackUrl } from '../config/urls';
import type { ConfigurationProbes, HttpProbe, SecretProbe, TokenProbe } from '../ports';
import { PUBLIC_AUTHORITY } from './entra-token-source';
import { oldestEnabledVersion } from './key-vault-correlation-key';

/**
 * The probes of `npm run doctor` and the deep health route, on the real services: Key Vault through
 * the SDK with the app's own Key Vault identity (DefaultAzureCredential, as the app reads it), Entra
 * ID's v2 token endpoint asked directly (so its error codes come back as they are: the SDK turns a
 * wrong tenant into "endpoints cannot be resolved"), D365 and the shops with fetch.
 */
export function configurationProbes(
  config: Config,
  credential: TokenCredential = new DefaultAzureCredential({
    authorityHost: config.authorityHost,
    disableInstanceDiscovery: config.authorityHost !== PUBLIC_AUTHORITY,
  }),
): ConfigurationProbes {
  const timeoutMs = Math.min(config.d365.timeoutMs, 15_000);
  const secrets = new SecretClient(config.keyVault.url, credential, {
    disableChallengeResourceVerification: isLoopbackUrl(config.keyVault.url),
  });
  return {
    async readSecret(name) {
      try {
        const secret = await secrets.getSecret(name, { abortSignal: AbortSignal.timeout(timeoutMs) });
        return secret.value ? { kind: 'found', value: secret.value } : { kind: 'missing' };
      } catch (error) {
        return secretProbeOf(error, timeoutMs);
      }
    },
    async readOldestSecret(name) {
      try {
        const oldest = await oldestEnabledVersion(secrets, name, AbortSignal.timeout(timeoutMs));
        return oldest?.value ? { kind: 'found', value: oldest.value } : { kind: 'missing' };
      } catch (error) {
        return secretProbeOf(error, timeoutMs);
      }
    },
    async d365Token(clientSecret) {
      const url = `${config.authorityHost.replace(/\/+$/, '')}/${encodeURIComponent(config.d365.tenantId)}/oauth2/v2.0/token`;
      const form = new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: config.d365.clientId,
        client_secret: clientSecret,
        scope: `${config.d365.url}/.default`,
      });
      const answer = await send(url, { method: 'POST', body: form, timeoutMs });
      if (answer.kind === 'unreachable') return answer;
      return tokenProbeOf(answer);
    },
    d365Get: (path, token) =>
      send(new URL(path, `${config.d365.url}/`).toString(), {
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'odata-version': '4.0' },
        timeoutMs,
      }),
    shopGet: (url, headers) => send(url, { headers, timeoutMs }),
  };
}

async function send(
  url: string,
  options: { method?: string; body?: URLSearchParams; headers?: Record<string, string>; timeoutMs: number },
): Promise<HttpProbe> {
  try {
    const response = await fetch(url, {
      method: options.method ?? 'GET',
      headers: options.headers,
      body: options.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    return { kind: 'answered', status: response.status, body: await response.text() };
  } catch (error) {
    return { kind: 'unreachable', reason: networkReason(error, options.timeoutMs) };
  }
}

/** `ENOTFOUND (no such host)`, `ECONNREFUSED`, a TLS code, or the timeout. */
function networkReason(error: unknown, timeoutMs: number): string {
  const e = error as {
    name?: string;
    code?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const code = e.cause?.code ?? e.code;
  if (code === 'ENOTFOUND') return 'ENOTFOUND: no such host';
  return code ?? e.cause?.message ?? e.message ?? String(error);
}

function tokenProbeOf(answer: Extract<HttpProbe, { kind: 'answered' }>): TokenProbe {
  let body: { access_token?: string; error?: string; error_codes?: number[]; error_description?: string } =
    {};
  try {
    body = JSON.parse(answer.body) as typeof body;
  } catch {
    // not JSON: reported below with the status
  }
  if (answer.status === 200 && body.access_token) return { kind: 'issued', token: body.access_token };
  const description = body.error_description ?? `HTTP ${answer.status}`;
  const code = body.error_codes?.[0] ?? Number(/AADSTS(\d+)/.exec(description)?.[1] ?? Number.NaN);
  // "AADSTS7000215: Invalid client secret provided. Ensure … Trace ID: …": the text before Trace ID.
  const message = description
    .replace(/^AADSTS\d+:\s*/, '')
    .replace(/\s*Trace ID:[\s\S]*$/, '')
    .trim();
  return {
    kind: 'refused',
    error: body.error ?? `http_${answer.status}`,
    ...(Number.isFinite(code) && { code }),
    message,
  };
}

function secretProbeOf(error: unknown, timeoutMs: number): SecretProbe {
  const e = error as {
    name?: string;
    statusCode?: number;
    code?: string;
    message?: string;
    details?: {
      error?: {
        code?: string;
        message?: string;
        innerError?: { code?: string };
        innererror?: { code?: string };
      };
    };
  };
  const firstLine = (e.message ?? String(error)).split('\n')[0]!;
  if (
    e.name === 'CredentialUnavailableError' ||
    e.name === 'AuthenticationError' ||
    e.name === 'AggregateAuthenticationError'
  )
    return { kind: 'no-identity', message: firstLine };
  if (e.statusCode === 404) return { kind: 'missing' };
  if (e.statusCode === 401) return { kind: 'unauthorized', message: firstLine };
  if (e.statusCode === 403) {
    // The SDK's RestError keeps Key Vault's error body in `details` (`innererror` as `innerError`).
    const error = e.details?.error;
    const inner = error?.innerError?.code ?? error?.innererror?.code;
    const message = error?.message ?? e.message ?? '';
    const caller = /appid=([0-9a-f-]{36})/i.exec(message)?.[1];
    return {
      kind: 'forbidden',
      code: inner ?? error?.code ?? e.code ?? 'Forbidden',
      ...(caller && { caller }),
      message: message.split(/\r?\n/)[0] ?? message,
    };
  }
  if (e.statusCode !== undefined)
    return { kind: 'unreachable', reason: `HTTP ${e.statusCode}: ${firstLine}` };
  return { kind: 'unreachable', reason: networkReason(error, timeoutMs) };
}
