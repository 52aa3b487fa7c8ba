import * as ipaddr from 'ipaddr.js';

/**
 * Which IP addresses a callback may never reach (SSRF): everything that is not a public unicast
 * address. The classification is ipaddr.js's `range()` (its special-purpose ranges follow the IANA
 * registries: https://www.iana.org/assignments/iana-ipv4-special-registry and
 * …/iana-ipv6-special-registry), not a hand-kept list: an address is allowed only when ipaddr.js
 * calls it `unicast`, and an IPv6 one only inside the global unicast block 2000::/3 (RFC 4291
 * §2.4), so the deprecated IPv4-compatible `::/96` (`[::7f00:1]` is 127.0.0.1), IPv4-translated
 * `::ffff:0:0:0/96`, Teredo, 6to4, NAT64, site-local `fec0::/10` and every unassigned block are
 * refused. IPv4-mapped addresses (`::ffff:10.0.0.1`) are judged as the IPv4 address they carry.
 */
export type AddressKind = 'loopback' | 'private' | 'link-local' | 'reserved';

/** ipaddr.js range names that mean a private network; loopback and link-local have their own kinds. */
const PRIVATE_RANGES = new Set(['private', 'carrierGradeNat', 'uniqueLocal', 'deprecatedSiteLocal']);
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');

/** Strips the brackets of an IPv6 URL host (`[::1]` → `::1`). */
export function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Whether `host` is an IP address literal (not a DNS name). */
export function isIpLiteral(host: string): boolean {
  const ip = unbracket(host);
  return ipaddr.IPv4.isValidFourPartDecimal(ip) || ipaddr.IPv6.isValid(ip);
}

/** What kind of non-public address `address` is, or undefined for a public unicast address. */
export function nonPublicKind(address: string): AddressKind | undefined {
  const ip = unbracket(address);
  if (!ipaddr.IPv4.isValidFourPartDecimal(ip) && !ipaddr.IPv6.isValid(ip)) return 'reserved';
  // `process` turns an IPv4-mapped IPv6 address into the IPv4 address it carries.
  const parsed = ipaddr.process(ip);
  const range = parsed.range();
  if (range === 'loopback') return 'loopback';
  if (range === 'linkLocal') return 'link-local';
  if (PRIVATE_RANGES.has(range)) return 'private';
  if (range !== 'unicast') return 'reserved';
  if (parsed.kind() === 'ipv6' && !parsed.match(GLOBAL_UNICAST_V6)) return 'reserved';
  return undefined;
}

/** A sentence naming the kind, for refusals. */
export function describeKind(kind: AddressKind): string {
  switch (kind) {
    case 'loopback':
      return 'a loopback address';
    case 'link-local':
      return 'a link-local address (169.254.169.254 is the cloud instance metadata service)';
    case 'private':
      return 'a private-network address';
    case 'reserved':
      return 'a reserved (not public unicast) address';
  }
}

/**
 * Why a callback may not go to `address` (undefined when it may). A non-public address is allowed
 * only when the URL names it literally and it is in `allowedPrivate` (local development: an HTTPS
 * receiver on 127.0.0.1); a DNS name that resolves to one is always refused, so a name cannot be
 * pointed at the metadata service or the internal network later (DNS rebinding).
 */
export function addressRefusal(
  host: string,
  address: string,
  allowedPrivate: readonly string[],
): string | undefined {
  const kind = nonPublicKind(address);
  if (kind === undefined) return undefined;
  const literal = isIpLiteral(host);
  if (literal && allowedPrivate.includes(unbracket(address))) return undefined;
  return literal
    ? `${unbracket(host)} is ${describeKind(kind)}`
    : `${host} resolves to ${unbracket(address)}, ${describeKind(kind)}`;
}
