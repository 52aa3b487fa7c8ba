import { BlockList, isIP } from 'node:net';

/**
 * Which IP addresses a callback may never reach (SSRF): everything that is not a public unicast
 * address. Ranges from the IANA special-purpose registries (RFC 6890 and its updates):
 * https://www.iana.org/assignments/iana-ipv4-special-registry and …/iana-ipv6-special-registry.
 * IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) are checked against the IPv4 rules by BlockList.
 */
export type AddressKind = 'loopback' | 'private' | 'link-local' | 'reserved';

const RANGES: Record<AddressKind, [string, number, 'ipv4' | 'ipv6'][]> = {
  loopback: [
    ['127.0.0.0', 8, 'ipv4'],
    ['::1', 128, 'ipv6'],
  ],
  'link-local': [
    // 169.254.169.254 is the cloud instance metadata endpoint (Azure IMDS, AWS, GCP).
    ['169.254.0.0', 16, 'ipv4'],
    ['fe80::', 10, 'ipv6'],
  ],
  private: [
    ['10.0.0.0', 8, 'ipv4'],
    ['172.16.0.0', 12, 'ipv4'],
    ['192.168.0.0', 16, 'ipv4'],
    ['100.64.0.0', 10, 'ipv4'], // carrier-grade NAT (RFC 6598)
    ['fc00::', 7, 'ipv6'], // unique local (RFC 4193)
  ],
  reserved: [
    ['0.0.0.0', 8, 'ipv4'],
    ['192.0.0.0', 24, 'ipv4'],
    ['192.0.2.0', 24, 'ipv4'],
    ['198.18.0.0', 15, 'ipv4'],
    ['198.51.100.0', 24, 'ipv4'],
    ['203.0.113.0', 24, 'ipv4'],
    ['224.0.0.0', 4, 'ipv4'], // multicast
    ['240.0.0.0', 4, 'ipv4'], // reserved and broadcast
    ['::', 128, 'ipv6'],
    ['64:ff9b::', 96, 'ipv6'], // NAT64: reaches IPv4 addresses through a translator
    ['64:ff9b:1::', 48, 'ipv6'],
    ['100::', 64, 'ipv6'], // discard-only
    ['2001:db8::', 32, 'ipv6'], // documentation
    ['2002::', 16, 'ipv6'], // 6to4: embeds an IPv4 address
    ['ff00::', 8, 'ipv6'], // multicast
  ],
};

const LISTS = Object.entries(RANGES).map(([kind, ranges]) => {
  const list = new BlockList();
  for (const [network, prefix, family] of ranges) list.addSubnet(network, prefix, family);
  return { kind: kind as AddressKind, list };
});

/** Strips the brackets of an IPv6 URL host (`[::1]` → `::1`). */
export function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Whether `host` is an IP address literal (not a DNS name). */
export function isIpLiteral(host: string): boolean {
  return isIP(unbracket(host)) !== 0;
}

/** What kind of non-public address `address` is, or undefined for a public unicast address. */
export function nonPublicKind(address: string): AddressKind | undefined {
  const ip = unbracket(address);
  const family = isIP(ip);
  if (family === 0) return 'reserved';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  return LISTS.find(({ list }) => list.check(ip, type))?.kind;
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
