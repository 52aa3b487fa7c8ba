/** The status route below the host's route prefix (`host.json` `extensions.http.routePrefix`). */
const STATUS_ROUTE = 'customers/status';

/** The app's routes start with one of these after the route prefix: what stands before them is the prefix. */
const FIRST_SEGMENTS = /\/(?:customers|webhooks|privacy)(?:\/|$)/;

/** `route` below the route prefix the caller used, on its scheme and host. */
function appUrl(requestUrl: string, route: string): string {
  const url = new URL(requestUrl);
  const at = url.pathname.search(FIRST_SEGMENTS);
  const prefix = at >= 0 ? url.pathname.slice(0, at) : '/api';
  return new URL(`${prefix}/${route}`, url.origin).toString();
}

/**
 * The status URL of a request, on the scheme, host and route prefix the caller used: `…/api/customers`,
 * `…/api/customers/accounts/…` and `…/api/webhooks/…` all give `…/api/customers/status/{id}`. The one
 * place every intake (create, update, webhook) builds it.
 */
export function statusUrl(requestUrl: string, correlationId: string): string {
  return appUrl(requestUrl, `${STATUS_ROUTE}/${encodeURIComponent(correlationId)}`);
}

/** A privacy request's status URL (issue 27): `…/api/privacy/requests/{id}`, built the same way. */
export function privacyStatusUrl(requestUrl: string, id: string): string {
  return appUrl(requestUrl, `privacy/requests/${encodeURIComponent(id)}`);
}
