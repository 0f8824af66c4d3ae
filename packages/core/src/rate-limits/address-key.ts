import { isIPv4, isIPv6 } from 'node:net';

/**
 * The key a per-address limit counts under. One machine usually holds a whole IPv6 /64 (or
 * more), so IPv6 addresses count by their first `ipv6PrefixBits` bits; IPv4 addresses, and IPv4
 * carried in IPv6 (::ffff:a.b.c.d), count one by one.
 */
export function addressKey(ip: string | null, ipv6PrefixBits: number): string {
  if (!ip) return 'unknown';
  const address = ip.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped && isIPv4(mapped)) return mapped;
  if (!isIPv6(address)) return address;
  return `${maskedGroups(address, ipv6PrefixBits).join(':')}/${ipv6PrefixBits}`;
}

/** The eight 16-bit groups of an IPv6 address, with the bits past the prefix cleared. */
function maskedGroups(address: string, prefixBits: number): string[] {
  return expand(address).map((group, index) => {
    const kept = Math.min(16, Math.max(0, prefixBits - index * 16));
    const mask = kept === 0 ? 0 : (0xffff << (16 - kept)) & 0xffff;
    return (group & mask).toString(16);
  });
}

function expand(address: string): number[] {
  const [head = '', tail] = address.split('::');
  const parse = (part: string) => (part ? part.split(':').flatMap(groupsOf) : []);
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** A hex group, or a dotted IPv4 tail worth two groups. */
function groupsOf(part: string): number[] {
  if (!part.includes('.')) return [Number.parseInt(part, 16)];
  const [a = 0, b = 0, c = 0, d = 0] = part.split('.').map(Number);
  return [(a << 8) | b, (c << 8) | d];
}
