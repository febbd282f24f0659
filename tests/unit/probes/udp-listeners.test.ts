import { describe, expect, it } from 'vitest';
import { udpListenersProbe } from '../../../probes/udp-listeners.ts';
import { corpus, debianHost, expectUnparsable, HOSTILE, ok, run } from './fixtures.ts';

const parse = (text: string) => udpListenersProbe.parse({ sockets: ok(text) }).sockets;
const s = (localAddress: string, port: number, process: string | null) => ({ localAddress, port, process });

describe('udp-listeners: ss', () => {
  it('ALT Linux, iproute2 6.x, -u only (no Netid), headerless grep line: chronyd on 0.0.0.0:123', () => {
    expect(parse(corpus('network', 'ss-ulnp-grep-123__altlinux-chronyd-on-0.0.0.0-123__53025777401.txt'))).toEqual([
      s('0.0.0.0', 123, 'chronyd'),
    ]);
  });

  it('EL8 ss -nutlp: %iface suffix and [::1] brackets dropped, tcp rows skipped', () => {
    expect(parse(corpus('network', 'ss-nutlp__el8-chronyd-323-v4-v6__41716299580.txt'))).toEqual([
      s('127.0.0.1', 323, 'chronyd'),
      s('10.0.3.15', 68, 'NetworkManager'),
      s('::1', 323, 'chronyd'),
    ]);
  });

  it('CentOS 7 old iproute: "*" wildcard kept as "*"', () => {
    expect(parse(corpus('network', 'ss-4nlp__centos7-iproute-old-star-wildcards__11059773548.txt'))).toEqual([
      s('*', 68, 'dhclient'),
      s('127.0.0.1', 323, 'chronyd'),
    ]);
  });

  it('this Debian 12 machine: header only ("Peer Address:PortProcess"), no UDP sockets', () => {
    expect(udpListenersProbe.parse(debianHost('udpListeners'))).toEqual({ sockets: [] });
  });

  it('very old users:(("name",N,N)), no users column (not root), CRLF', () => {
    const text =
      'State      Recv-Q Send-Q Local Address:Port Peer Address:Port\r\nUNCONN     0      0      *:123   *:*   users:(("chronyd",1234,5))\r\nUNCONN 0 0 [fe80::1]%eth0:546 [::]:*\r\n';
    expect(parse(text)).toEqual([s('*', 123, 'chronyd'), s('fe80::1', 546, null)]);
  });
});

describe('udp-listeners: netstat', () => {
  it('CentOS 7 netstat -tulnpe: empty UDP State column, User/Inode columns, tcp skipped', () => {
    expect(parse(corpus('network', 'netstat-tulnpe__centos7-chronyd-323-user-inode-columns__35312114945.txt'))).toEqual(
      [s('127.0.0.1', 323, 'chronyd'), s('::1', 323, 'chronyd')],
    );
  });

  it('CentOS netstat -anup with title and header', () => {
    expect(parse(corpus('network', 'netstat-anup__centos-ipmi-node-chronyd-first-rows__25051125260.txt'))).toEqual([
      s('0.0.0.0', 68, 'dhclient'),
      s('0.0.0.0', 111, 'rpcbind'),
      s('127.0.0.1', 323, 'chronyd'),
      s('0.0.0.0', 722, 'rpcbind'),
    ]);
  });

  it('CentOS 7 netstat -apn | grep udp: headerless, udp6 ":::6607"', () => {
    const sockets = parse(corpus('network', 'netstat-apn-grep-udp__centos7-named-chronyd__60801715865.txt'));
    expect(sockets).toHaveLength(6);
    expect(sockets.at(-2)).toEqual(s('::1', 323, 'chronyd'));
    expect(sockets.at(-1)).toEqual(s('::', 6607, 'java'));
  });

  it('"-" program (not root) → null; a program name with a blank', () => {
    const text =
      'Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name    \nudp        0      0 0.0.0.0:123             0.0.0.0:*                           -                   \nudp        0      0 0.0.0.0:5353            0.0.0.0:*                           812/avahi-daemon: r \n';
    expect(parse(text)).toEqual([s('0.0.0.0', 123, null), s('0.0.0.0', 5353, 'avahi-daemon: r')]);
  });
});

describe('udp-listeners: rejects', () => {
  it('empty output (both tools always print a header), or neither tool (127)', () => {
    expectUnparsable(() => parse(''));
    expectUnparsable(() => udpListenersProbe.parse({ sockets: run('', 'sh: netstat: not found\n', 127) }));
  });

  it.each([
    ['ip -o addr output', corpus('network', 'ip-o-a__centos7-contrail-vrouter-aws__5669487633.txt')],
    ['a row without port', 'UNCONN 0 0 0.0.0.0 0.0.0.0:*\n'],
    ['a garbled users column', 'UNCONN 0 0 0.0.0.0:123 0.0.0.0:* users:chronyd\n'],
    ['a netstat row without program column', 'udp 0 0 0.0.0.0:123 0.0.0.0:*\n'],
  ])('%s', (_why, text) => {
    expectUnparsable(() => parse(text));
  });

  it.each(Object.entries(HOSTILE))('hostile %s', (_name, text) => {
    expectUnparsable(() => parse(text));
  });
});
