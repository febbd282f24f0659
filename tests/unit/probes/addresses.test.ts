import { describe, expect, it } from 'vitest';
import { addressesProbe } from '../../../probes/addresses.ts';
import { corpus, debianHost, expectUnparsable, HOSTILE, ok, run } from './fixtures.ts';

const parse = (text: string) => addressesProbe.parse({ addr: ok(text) }).addresses;
const a = (iface: string, family: 'inet' | 'inet6', address: string, prefixLength: number) => ({
  interface: iface,
  family,
  address,
  prefixLength,
});

describe('addresses: ip -o addr show', () => {
  it('CentOS 7 Contrail lab: secondary /32 on eth1', () => {
    expect(parse(corpus('network', 'ip-o-a__centos7-contrail-openstack-lab-secondary-32__29155103013.txt'))).toEqual([
      a('lo', 'inet', '127.0.0.1', 8),
      a('lo', 'inet6', '::1', 128),
      a('eth0', 'inet', '192.168.120.202', 24),
      a('eth0', 'inet6', 'fe80::5054:ff:fef1:5155', 64),
      a('eth1', 'inet', '172.27.116.93', 23),
      a('eth1', 'inet', '172.27.116.120', 32),
      a('eth1', 'inet6', 'fe80::5054:ff:fe36:2650', 64),
    ]);
  });

  it('CentOS 7 vRouter on AWS: dynamic flag, IPv6-only NIC', () => {
    const addresses = parse(corpus('network', 'ip-o-a__centos7-contrail-vrouter-aws__5669487633.txt'));
    expect(addresses).toHaveLength(7);
    expect(addresses.filter((x) => x.interface === 'ens3')).toEqual([
      a('ens3', 'inet6', 'fe80::46c:bff:fec8:dd64', 64),
    ]);
    expect(addresses.find((x) => x.interface === 'vhost0' && x.family === 'inet')).toEqual(
      a('vhost0', 'inet', '172.31.12.55', 20),
    );
  });

  it('NetworkManager: dynamic noprefixroute flags', () => {
    expect(parse(corpus('network', 'ip-o-f-inet-a__networkmanager-dynamic-noprefixroute__19086554836.txt'))).toEqual([
      a('lo', 'inet', '127.0.0.1', 8),
      a('ens33', 'inet', '192.168.136.129', 24),
    ]);
  });

  it('this Debian 12 machine (nodad flag)', () => {
    expect(addressesProbe.parse(debianHost('addresses')).addresses).toEqual([
      a('lo', 'inet', '127.0.0.1', 8),
      a('lo', 'inet6', '::1', 128),
      a('eth0', 'inet', '192.0.2.2', 24),
      a('eth0', 'inet6', 'fd00::2', 64),
      a('eth0', 'inet6', 'fe80::fc:ff:fe00:1', 64),
    ]);
  });

  it('point-to-point "peer" address, CRLF, no final newline, no addresses at all', () => {
    expect(
      parse(
        '5: tun0    inet 10.8.0.1 peer 10.8.0.2/32 scope global tun0\\       valid_lft forever preferred_lft forever\r\n6: wg0    inet 10.9.0.1/24 scope global wg0',
      ),
    ).toEqual([a('tun0', 'inet', '10.8.0.1', 32), a('wg0', 'inet', '10.9.0.1', 24)]);
    expect(parse('')).toEqual([]);
  });
});

describe('addresses: rejects', () => {
  it('ip -d -j JSON is not ip -o', () => {
    expectUnparsable(() => parse(corpus('network', 'ip-d-j-addr__ubuntu-netplan-laptop-one-line__netplan-tests.json')));
  });

  it.each([
    ['a link line', '2: eth0    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff'],
    ['family/address mismatch', '2: eth0    inet fe80::1/64 scope link'],
    ['prefix out of range', '2: eth0    inet 10.0.0.1/33 scope global eth0'],
    ['ip failed', null],
  ])('%s', (_why, line) => {
    if (line === null)
      expectUnparsable(() => addressesProbe.parse({ addr: run('', 'Cannot open netlink socket\n', 255) }));
    else expectUnparsable(() => parse(`${line}\n`));
  });

  it.each(Object.entries(HOSTILE).filter(([name]) => name !== 'empty'))('hostile %s', (_name, text) => {
    expectUnparsable(() => parse(text));
  });
});
