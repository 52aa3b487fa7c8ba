import { addressRefusal, isIpLiteral, nonPublicKind } from './network-address';

describe('nonPublicKind (ipaddr.js range classification)', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['[::ffff:127.0.0.1]', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fd00::1', 'private'],
    ['fec0::1', 'private'], // site-local, deprecated by RFC 3879
    ['::ffff:10.0.0.1', 'private'],
    ['0.0.0.0', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['224.0.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['::', 'reserved'],
    ['::7f00:1', 'reserved'], // IPv4-compatible ::/96: 127.0.0.1
    ['::a00:1', 'reserved'], // ::10.0.0.1
    ['::ffff:0:a00:1', 'reserved'], // IPv4-translated ::ffff:0:0:0/96
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'reserved'], // Teredo
    ['2002:a00:1::1', 'reserved'], // 6to4 around 10.0.0.1
    ['64:ff9b::a00:1', 'reserved'], // NAT64
    ['2001:db8::1', 'reserved'],
    ['ff02::1', 'reserved'],
    ['4000::1', 'reserved'], // outside 2000::/3: not assigned as global unicast
    ['not-an-ip', 'reserved'],
  ])('%s is %s', (address, kind) => {
    expect(nonPublicKind(address)).toBe(kind);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '2606:4700:4700::1111',
    '[2a00:1450:4001:82b::200e]',
    '::ffff:8.8.8.8',
  ])('%s is public', (address) => {
    expect(nonPublicKind(address)).toBeUndefined();
  });

  it('names the address a URL gave literally, and allows only listed private literals', () => {
    expect(addressRefusal('[::7f00:1]', '::7f00:1', [])).toBe(
      '::7f00:1 is a reserved (not public unicast) address',
    );
    expect(addressRefusal('127.0.0.1', '127.0.0.1', ['127.0.0.1'])).toBeUndefined();
    expect(addressRefusal('hooks.example.com', '127.0.0.1', ['127.0.0.1'])).toMatch(
      /resolves to 127\.0\.0\.1/,
    );
  });

  it('tells IP literals from DNS names', () => {
    expect(isIpLiteral('[::7f00:1]')).toBe(true);
    expect(isIpLiteral('10.0.0.1')).toBe(true);
    expect(isIpLiteral('10.1')).toBe(false); // the URL parser turns such hosts into four parts first
    expect(isIpLiteral('hooks.example.com')).toBe(false);
  });
});
