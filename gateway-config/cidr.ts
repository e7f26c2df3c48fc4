/**
 * CIDR blocks as WAF IP sets take them: IPv4 or IPv6, always with a prefix length, and no
 * host bits set (so what AWS stores is what config says, and a plan never shows a rewrite).
 * AWS WAF accepts every prefix length except /0, and up to 10,000 blocks per IP set (AWS WAF
 * Developer Guide, "IP set match rule statement").
 */
import { isIPv4, isIPv6 } from 'node:net';

export interface Cidr {
  readonly version: 'IPV4' | 'IPV6';
  readonly address: string;
  readonly prefix: number;
  /** The network address in canonical form (RFC 5952 for IPv6), for comparing blocks. */
  readonly network: string;
  /** As written in config. */
  readonly text: string;
}

export type CidrResult = { readonly ok: true; readonly cidr: Cidr } | { readonly ok: false; readonly problem: string };

const EXAMPLE = 'an IPv4 or IPv6 CIDR block such as 203.0.113.0/24 or 2001:db8::/32';

/** Parses `text`; a failure says what is wrong with it. */
export function parseCidr(text: string): CidrResult {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!match) return { ok: false, problem: `must be ${EXAMPLE}` };
  const [, address, prefixText] = match;
  const version = isIPv4(address) ? 'IPV4' : isIPv6(address) ? 'IPV6' : undefined;
  if (!version) return { ok: false, problem: `must be ${EXAMPLE}` };
  const bits = version === 'IPV4' ? 32 : 128;
  const prefix = Number(prefixText);
  if (prefix < 1 || prefix > bits) return { ok: false, problem: `prefix length must be between 1 and ${bits} for ${version === 'IPV4' ? 'IPv4' : 'IPv6'}` };
  const value = version === 'IPV4' ? ipv4ToBigInt(address) : ipv6ToBigInt(address);
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  if ((value & hostMask) !== 0n) {
    const network = value & ~hostMask & ((1n << BigInt(bits)) - 1n);
    return { ok: false, problem: `has host bits set; the block is ${formatAddress(network, version)}/${prefix}` };
  }
  return { ok: true, cidr: { version, address, prefix, network: formatAddress(value, version), text } };
}

function ipv4ToBigInt(address: string): bigint {
  return address.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6ToBigInt(address: string): bigint {
  let text = address;
  // An embedded IPv4 tail (::ffff:192.0.2.1) becomes two hextets.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipv4ToBigInt(v4[1]);
    text = `${text.slice(0, -v4[1].length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const headParts = head ? head.split(':') : [];
  const tailParts = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const missing = 8 - headParts.length - tailParts.length;
  const parts = tail !== undefined ? [...headParts, ...Array(missing).fill('0'), ...tailParts] : headParts;
  return parts.reduce((acc, hextet) => (acc << 16n) | BigInt(parseInt(hextet, 16)), 0n);
}

function formatAddress(value: bigint, version: Cidr['version']): string {
  if (version === 'IPV4') return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
  const hextets = Array.from({ length: 8 }, (_, i) => ((value >> BigInt((7 - i) * 16)) & 0xffffn).toString(16));
  // Compress the longest run of zero hextets (RFC 5952).
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (hextets[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && hextets[j] === '0') j++;
    if (j - i > best.length && j - i > 1) best = { start: i, length: j - i };
    i = j;
  }
  if (best.start < 0) return hextets.join(':');
  return `${hextets.slice(0, best.start).join(':')}::${hextets.slice(best.start + best.length).join(':')}`;
}
