/**
 * Where the status URL of a request points (`Location`, `statusUrl`): never where the request's
 * `Host` header says, which the caller controls (a link to an attacker's host in an answer, a
 * poisoned cache). The origin is `PUBLIC_BASE_URL` when set (a custom domain, API Management);
 * else, in Azure, `https://` + `WEBSITE_HOSTNAME`, the app's own host name set by the platform
 * (config.ts); else (a machine of one's own) the request's origin only when it is a loopback one,
 * else `localhost` on the request's port and scheme.
 */
const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

export function publicRequestUrl(requestUrl: string, publicOrigin: string | undefined): string {
  const url = new URL(requestUrl);
  if (publicOrigin) {
    const origin = new URL(publicOrigin);
    url.protocol = origin.protocol;
    url.host = origin.host;
  } else if (!LOOPBACK_HOST.test(url.hostname)) {
    url.hostname = 'localhost';
  }
  return url.toString();
}
