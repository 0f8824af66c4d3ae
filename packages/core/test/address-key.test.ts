import { describe, expect, it } from 'vitest';
import { addressKey } from '../src/rate-limits/address-key.js';

describe('addressKey', () => {
  it('counts every address of one IPv6 /64 as one', () => {
    const keys = [
      '2001:db8:1:2::1',
      '2001:db8:1:2:ffff:ffff:ffff:ffff',
      '2001:0db8:0001:0002:abcd::7',
      '2001:db8:1:2::1%eth0',
    ];
    expect(new Set(keys.map((ip) => addressKey(ip, 64)))).toEqual(new Set(['2001:db8:1:2:0:0:0:0/64']));
    expect(addressKey('2001:db8:1:3::1', 64)).not.toBe(addressKey('2001:db8:1:2::1', 64));
  });

  it('honours other prefix lengths, including ones inside a group', () => {
    expect(addressKey('2001:db8:1:2::1', 48)).toBe('2001:db8:1:0:0:0:0:0/48');
    expect(addressKey('2001:db8:1:2::1', 56)).toBe(addressKey('2001:db8:1:ff::1', 56));
    expect(addressKey('2001:db8:1:100::1', 56)).not.toBe(addressKey('2001:db8:1:ff::1', 56));
    expect(addressKey('2001:db8::1', 128)).toBe('2001:db8:0:0:0:0:0:1/128');
    expect(addressKey('::1', 64)).toBe('0:0:0:0:0:0:0:0/64');
  });

  it('leaves IPv4 alone, also when carried in IPv6, and names a missing address', () => {
    expect(addressKey('203.0.113.7', 64)).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7', 64)).toBe('203.0.113.7');
    expect(addressKey('203.0.113.8', 64)).not.toBe(addressKey('203.0.113.7', 64));
    expect(addressKey(null, 64)).toBe('unknown');
  });
});
