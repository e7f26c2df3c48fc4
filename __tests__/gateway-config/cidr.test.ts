import { parseCidr } from '../../gateway-config/cidr';

describe('parseCidr', () => {
  test.each([
    ['203.0.113.0/24', 'IPV4', 24, '203.0.113.0'],
    ['198.51.100.7/32', 'IPV4', 32, '198.51.100.7'],
    ['10.0.0.0/8', 'IPV4', 8, '10.0.0.0'],
    ['2001:db8::/32', 'IPV6', 32, '2001:db8::'],
    ['2001:DB8:0:0::/48', 'IPV6', 48, '2001:db8::'],
    ['2001:db8:1:2:3:4:5:6/128', 'IPV6', 128, '2001:db8:1:2:3:4:5:6'],
    ['::ffff:192.0.2.0/120', 'IPV6', 120, '::ffff:c000:200'],
  ])('%s is an %s block of prefix %i (network %s)', (text, version, prefix, network) => {
    expect(parseCidr(text)).toEqual({ ok: true, cidr: { version, address: text.split('/')[0], prefix, network, text } });
  });

  test.each([
    ['10.1.2.3/8', 'has host bits set; the block is 10.0.0.0/8'],
    ['192.0.2.128/24', 'has host bits set; the block is 192.0.2.0/24'],
    ['2001:db8::1/64', 'has host bits set; the block is 2001:db8::/64'],
    ['2001:db8:abcd:12::/56', 'has host bits set; the block is 2001:db8:abcd::/56'],
    ['10.0.0.0/0', 'prefix length must be between 1 and 32 for IPv4'],
    ['::/0', 'prefix length must be between 1 and 128 for IPv6'],
    ['10.0.0.0/33', 'prefix length must be between 1 and 32 for IPv4'],
    ['10.0.0.0', 'must be an IPv4 or IPv6 CIDR block such as 203.0.113.0/24 or 2001:db8::/32'],
    ['10.0.0/24', 'must be an IPv4 or IPv6 CIDR block such as 203.0.113.0/24 or 2001:db8::/32'],
    ['2001:db8::g/32', 'must be an IPv4 or IPv6 CIDR block such as 203.0.113.0/24 or 2001:db8::/32'],
    ['10.0.0.0/24/8', 'must be an IPv4 or IPv6 CIDR block such as 203.0.113.0/24 or 2001:db8::/32'],
    [' 10.0.0.0/24', 'must be an IPv4 or IPv6 CIDR block such as 203.0.113.0/24 or 2001:db8::/32'],
  ])('%s: %s', (text, problem) => {
    expect(parseCidr(text)).toEqual({ ok: false, problem });
  });
});
