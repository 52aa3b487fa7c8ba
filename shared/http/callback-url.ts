import { addressRefusal, isIpLiteral, unbracket } from '../domain/network-address';

/**
 * The `Callback-Url` request header: where the app POSTs the signed result event when the request
 * ends. Checked at registration (the intake) against the allow-list, and refused with a sentence
 * that says why (SSRF): only `https`, only a host on `CALLBACK_ALLOWED_HOSTS`, never credentials
 * in the URL, and never a private, loopback or link-local address — unless the URL names an IP
 * literally and `CALLBACK_ALLOWED_PRIVATE_ADDRESSES` (local development only) lists it. The
 * delivery checks the resolved address again on every attempt.
 */
export const CALLBACK_URL_HEADER = 'Callback-Url';
export const MAX_CALLBACK_URL_LENGTH = 2048;

export interface CallbackUrlPolicy {
  /** `host`, `*.domain` (sub-domains), each with an optional `:port` (`:*` any); without, 443 only. */
  allowedHosts: readonly string[];
  /** IP addresses a URL may name literally although they are not public (local development). */
  allowedPrivateAddresses: readonly string[];
}

/** Resolves a DNS name to every address it has (dns.lookup with `all`). */
export type ResolveHost = (host: string) => Promise<string[]>;

export type CallbackUrlCheck = { ok: true; url: string } | { ok: false; reason: string };

const refuse = (reason: string): CallbackUrlCheck => ({
  ok: false,
  reason: `Callback-Url refused: ${reason}.`,
});

/** An allow-list entry as host and port: `name`, `name:port`, `[v6]`, `[v6]:port`; 443 when none. */
function parseEntry(entry: string): { name: string; port: string } {
  const text = entry.trim().toLowerCase();
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    const rest = text.slice(end + 1);
    return { name: text.slice(1, end), port: rest.startsWith(':') ? rest.slice(1) : '443' };
  }
  const parts = text.split(':');
  return parts.length === 2 ? { name: parts[0]!, port: parts[1]! } : { name: text, port: '443' };
}

/** Whether `host:port` matches one allow-list entry (`*.domain` matches its sub-domains only). */
function matches(entry: string, host: string, port: string): boolean {
  const allowed = parseEntry(entry);
  if (allowed.port !== '*' && allowed.port !== port) return false;
  if (allowed.name.startsWith('*.')) return host.endsWith(allowed.name.slice(1));
  return host === allowed.name;
}

/** Checks the URL's form and allow-list (no DNS): the part that needs no network. */
export function checkCallbackUrlForm(raw: string, policy: CallbackUrlPolicy): CallbackUrlCheck {
  if (raw.length > MAX_CALLBACK_URL_LENGTH)
    return refuse(`longer than ${MAX_CALLBACK_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return refuse('not an absolute URL');
  }
  const host = unbracket(url.hostname.toLowerCase());
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  // An address named literally is judged first: it says most about an SSRF attempt.
  const literal = isIpLiteral(host) ? addressRefusal(host, host, policy.allowedPrivateAddresses) : undefined;
  if (url.protocol !== 'https:') {
    return refuse(
      `only https:// URLs are allowed, not ${url.protocol}//${literal ? ` (and ${literal})` : ''}`,
    );
  }
  if (literal) return refuse(literal);
  if (url.username || url.password) return refuse('credentials in the URL are not allowed');
  if (url.hash) return refuse('a fragment (#…) is not allowed');
  if (policy.allowedHosts.length === 0) {
    return refuse('callbacks are not enabled on this app (CALLBACK_ALLOWED_HOSTS is empty)');
  }
  if (!policy.allowedHosts.some((entry) => matches(entry, host, port))) {
    return refuse(`${host}:${port} is not on the callback allow-list (CALLBACK_ALLOWED_HOSTS)`);
  }
  return { ok: true, url: url.toString() };
}

/** The whole check: form and allow-list, then every address the host resolves to. */
export async function checkCallbackUrl(
  raw: string,
  policy: CallbackUrlPolicy,
  resolve: ResolveHost,
): Promise<CallbackUrlCheck> {
  const form = checkCallbackUrlForm(raw, policy);
  if (!form.ok) return form;
  const host = unbracket(new URL(form.url).hostname.toLowerCase());
  if (isIpLiteral(host)) return form;
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch {
    return refuse(`${host} does not resolve`);
  }
  if (addresses.length === 0) return refuse(`${host} does not resolve`);
  for (const address of addresses) {
    const reason = addressRefusal(host, address, policy.allowedPrivateAddresses);
    if (reason) return refuse(reason);
  }
  return form;
}
