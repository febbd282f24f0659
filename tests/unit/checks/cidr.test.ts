import { describe, expect, it } from 'vitest';
import {
  contains,
  formatNet,
  makeNet,
  overlaps,
  parseChronySubnet,
  parseCidr,
  parseIpv4,
} from '../../../checks/cidr.ts';

const net = (text: string) => {
  const parsed = parseCidr(text);
  if (!parsed) throw new Error(`bad test CIDR ${text}`);
  return parsed;
};

describe('parseIpv4 / parseCidr / formatNet', () => {
  it('dotted quads as unsigned 32-bit numbers, high octets included', () => {
    expect(parseIpv4('10.0.0.1')).toBe(0x0a000001);
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    expect(parseIpv4('0.0.0.0')).toBe(0);
    expect(parseIpv4('10.0.0')).toBeNull();
    expect(parseIpv4('10.0.0.256')).toBeNull();
    expect(parseIpv4('::1')).toBeNull();
    expect(parseIpv4('controller')).toBeNull();
  });

  it('CIDRs are normalised to their network address; a bare address is /32', () => {
    expect(parseCidr('10.0.0.0/24')).toEqual({ base: 0x0a000000, prefix: 24 });
    expect(formatNet(net('10.0.0.77/24'))).toBe('10.0.0.0/24');
    expect(formatNet(net('10.0.0.5'))).toBe('10.0.0.5/32');
    expect(formatNet(net('192.168.255.1/17'))).toBe('192.168.128.0/17');
    expect(formatNet(net('200.1.2.3/0'))).toBe('0.0.0.0/0');
    expect(formatNet(net('255.255.255.255/32'))).toBe('255.255.255.255/32');
  });

  it('rejects what is not a full IPv4 CIDR', () => {
    for (const bad of [
      '10.0.0/24',
      '10/8',
      '10.0.0.0/33',
      '10.0.0.0/',
      '10.0.0.0/24/1',
      '10.0.0.0/-1',
      '10.0.0.0/008',
      'controller/24',
      '',
    ]) {
      expect(parseCidr(bad), bad).toBeNull();
    }
  });

  it('makeNet masks host bits', () => {
    expect(makeNet(0x0a0000ff, 25)).toEqual({ base: 0x0a000080, prefix: 25 });
    expect(makeNet(0xffffffff, 0)).toEqual({ base: 0, prefix: 0 });
  });
});

describe("parseChronySubnet: chrony's allow/deny subnet syntax", () => {
  const chrony = (text: string) => {
    const parsed = parseChronySubnet(text);
    return parsed && formatNet(parsed);
  };

  it('full CIDR and bare addresses', () => {
    expect(chrony('10.0.0.0/24')).toBe('10.0.0.0/24');
    expect(chrony('10.0.0.5')).toBe('10.0.0.5/32');
    expect(chrony('1.2.3.4/28')).toBe('1.2.3.0/28');
  });

  it('short forms: the missing octets are zero, the prefix is as written', () => {
    expect(chrony('10.0.0/24')).toBe('10.0.0.0/24');
    expect(chrony('10/8')).toBe('10.0.0.0/8');
    expect(chrony('192.168/16')).toBe('192.168.0.0/16');
    expect(chrony('10/24')).toBe('10.0.0.0/24');
  });

  it('short forms without a prefix cover exactly the octets written', () => {
    expect(chrony('10.0.0')).toBe('10.0.0.0/24');
    expect(chrony('192.168')).toBe('192.168.0.0/16');
    expect(chrony('10')).toBe('10.0.0.0/8');
  });

  it('rejects host names, IPv6, bad octets and prefixes', () => {
    for (const bad of [
      'controller',
      'fe80::/10',
      '10.0.0.256',
      '10.0.0.0.0',
      '10..0',
      '10.0.0.0/33',
      '10.0.0.0/x',
      '10/8/1',
    ]) {
      expect(parseChronySubnet(bad), bad).toBeNull();
    }
  });
});

describe('contains / overlaps', () => {
  it('a subnet contains itself, smaller subnets inside it and its addresses', () => {
    expect(contains(net('10.0.0.0/24'), net('10.0.0.0/24'))).toBe(true);
    expect(contains(net('10.0.0.0/8'), net('10.0.0.0/24'))).toBe(true);
    expect(contains(net('10.0.0.0/24'), net('10.0.0.255'))).toBe(true);
    expect(contains(net('0.0.0.0/0'), net('255.255.255.255'))).toBe(true);
  });

  it('a smaller subnet does not contain a larger one; neighbours are disjoint', () => {
    expect(contains(net('10.0.0.0/25'), net('10.0.0.0/24'))).toBe(false);
    expect(contains(net('10.0.0.0/24'), net('10.0.1.0/24'))).toBe(false);
    expect(contains(net('10.0.0.128/25'), net('10.0.0.5'))).toBe(false);
    expect(contains(net('192.168.0.0/16'), net('10.0.0.0/24'))).toBe(false);
  });

  it('overlaps is symmetric containment', () => {
    expect(overlaps(net('10.0.0.0/24'), net('10.0.0.0/8'))).toBe(true);
    expect(overlaps(net('10.0.0.0/8'), net('10.0.0.128/25'))).toBe(true);
    expect(overlaps(net('10.0.0.0/25'), net('10.0.0.128/25'))).toBe(false);
  });
});
