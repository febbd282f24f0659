import { describe, expect, it } from 'vitest';
import { hostnameProbe, parseStaticHostname } from '../../../probes/hostname.ts';
import { corpus, debianHost, expectUnparsable, HOSTILE, ok, run } from './fixtures.ts';

describe('hostname', () => {
  it.each([
    ['hostnamectl__centos7-aliyun-kvm__4572149931.txt', 'iZwz95v28cjpudhp2sikufZ'],
    ['hostnamectl__centos7.5-kvm__18735020720.txt', 'h105'],
    ['hostnamectl__rocky9.4-virtualbox-systemd252__37540012707.txt', 'Brazilia'],
  ])('%s → static hostname %s', (file, name) => {
    expect(hostnameProbe.parse({ uname: ok(`${name}\n`), hostnamectl: ok(corpus('hostnamectl', file)) })).toEqual({
      hostname: name,
      staticHostname: name,
    });
  });

  it('systemd 252 "Static hostname: (unset)" → null', () => {
    const text = ' Static hostname: (unset)\nTransient hostname: localhost\n       Icon name: computer-vm\n';
    expect(hostnameProbe.parse({ uname: ok('localhost\n'), hostnamectl: ok(text) })).toEqual({
      hostname: 'localhost',
      staticHostname: null,
    });
  });

  it('this Debian 12 machine: no systemd, hostnamectl exits 1 → staticHostname null', () => {
    expect(hostnameProbe.parse(debianHost('hostname'))).toEqual({ hostname: 'vm', staticHostname: null });
  });

  it('hostnamectl missing (127) or timed out (124) → null', () => {
    expect(
      hostnameProbe.parse({ uname: ok('c1\n'), hostnamectl: run('', 'sh: hostnamectl: not found\n', 127) })
        .staticHostname,
    ).toBeNull();
    expect(hostnameProbe.parse({ uname: ok('c1\n'), hostnamectl: run('', '', 124) }).staticHostname).toBeNull();
  });

  it('CRLF output', () => {
    expect(parseStaticHostname(ok('   Static hostname: controller\r\n         Icon name: computer-vm\r\n'))).toBe(
      'controller',
    );
  });

  it.each([
    ['uname with two words', ok('a b\n'), ok('')],
    ['uname empty', ok(''), run('', '', 1)],
    ['uname failed', run('', 'uname: error\n', 1), run('', '', 1)],
  ])('%s → Unparsable', (_why, uname, hostnamectl) => {
    expectUnparsable(() => hostnameProbe.parse({ uname, hostnamectl }));
  });

  it('hostnamectl exit 0 without a Static hostname line → Unparsable', () => {
    expectUnparsable(() => parseStaticHostname(ok('       Icon name: computer-vm\n')));
  });

  it.each(Object.entries(HOSTILE))('hostile hostnamectl %s → Unparsable', (_name, text) => {
    expectUnparsable(() => parseStaticHostname(ok(text)));
  });
});
