import { AddressAllowList, classifyAddress, isPublicAddress, parseAddressList } from '../address-policy.js';

describe('isPublicAddress', () => {
  it.each([
    '8.8.8.8',
    '93.184.216.34',
    '1.1.1.1',
    // Range edges just outside the refused blocks.
    '9.255.255.255',
    '11.0.0.0',
    '100.63.255.255',
    '100.128.0.0',
    '126.255.255.255',
    '128.0.0.0',
    '169.253.255.255',
    '169.255.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '192.167.255.255',
    '192.169.0.0',
    '223.255.255.255',
    '2606:4700:4700::1111',
    '2a00:1450:4001:81c::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808', // NAT64 of 8.8.8.8
    '2002:808:808::1', // 6to4 of 8.8.8.8
  ])('allows %s', (ip) => {
    expect(classifyAddress(ip)).toBeNull();
    expect(isPublicAddress(ip)).toBe(true);
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['fc00::1', 'unique local'],
    ['fdff:ffff::1', 'unique local'],
    ['169.254.169.254', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['224.0.0.251', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.10', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['2001:db8::1', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['::ffff:127.0.0.1', 'IPv4-mapped form of a loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped form of a loopback'],
    ['::ffff:10.0.0.1', 'IPv4-mapped form of a private'],
    ['::ffff:169.254.169.254', 'IPv4-mapped form of a link-local'],
    ['::ffff:0.0.0.0', 'IPv4-mapped form of an unspecified'],
    ['64:ff9b::7f00:1', 'NAT64 form of a loopback'],
    ['64:ff9b::169.254.169.254', 'NAT64 form of a link-local'],
    ['2002:7f00:1::', '6to4 form of a loopback'],
    ['2002:c0a8:101::1', '6to4 form of a private'],
    ['::127.0.0.1', 'IPv4-compatible'],
    ['2001::1', 'Teredo'],
    ['fec0::1', 'site-local'],
    ['100::1', 'reserved'],
    ['4000::1', 'reserved'],
  ])('refuses %s (%s)', (ip, reason) => {
    expect(isPublicAddress(ip)).toBe(false);
    expect(classifyAddress(ip)).toContain(reason);
  });

  it.each(['localhost', '', '2130706433', '127.1', '1.2.3.4.5', '::ffff::1', 'example.com'])(
    'treats %j, which is not a canonical IP address, as not public',
    (value) => {
      expect(isPublicAddress(value)).toBe(false);
      expect(classifyAddress(value)).toBe('not an IP address');
    },
  );
});

describe('AddressAllowList (MAILBOX_PRIVATE_HOSTS)', () => {
  const list = new AddressAllowList(['10.0.0.0/8', '127.0.0.1', 'fd00::/8']);

  it.each(['10.0.0.1', '10.255.255.255', '127.0.0.1', '::ffff:127.0.0.1', '::ffff:10.1.2.3', 'fd12::1', '[fd00::5]'])('allows %s', (ip) => {
    expect(list.allows(ip)).toBe(true);
  });

  it.each(['11.0.0.1', '127.0.0.2', '169.254.169.254', '::1', 'fe80::1', 'localhost', ''])('does not allow %s', (ip) => {
    expect(list.allows(ip)).toBe(false);
  });

  it('allows nothing when empty', () => {
    expect(new AddressAllowList().allows('127.0.0.1')).toBe(false);
  });

  it('parses a comma list and names each bad entry', () => {
    expect(parseAddressList(' 10.0.0.0/8 , ::1,,')).toEqual({ entries: ['10.0.0.0/8', '::1'], problems: [] });
    expect(parseAddressList('corp-relay, 10.0.0.0/40, ::/129, 1.2.3.4/8/1, 10.0.0.0/x').problems).toEqual([
      '"corp-relay" is not an IP address or CIDR range (e.g. 10.0.0.0/8, 127.0.0.1, fd00::/8)',
      '"10.0.0.0/40" has an invalid prefix length',
      '"::/129" has an invalid prefix length',
      '"1.2.3.4/8/1" is not an IP address or CIDR range (e.g. 10.0.0.0/8, 127.0.0.1, fd00::/8)',
      '"10.0.0.0/x" has an invalid prefix length',
    ]);
  });
});
