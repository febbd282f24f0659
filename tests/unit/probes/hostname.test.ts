import { describe, expect, it } from 'vitest';
import { hostnameProbe, parseEtcHostname, parseStaticHostname } from '../../../probes/hostname.ts';
import { corpus, corpusFiles, debianHost, expectUnparsable, HOSTILE, ok, run } from './fixtures.ts';

const missing = run('', 'cat: /etc/hostname: No such file or directory\n', 1);

/** Every file of corpus/hostnamectl: what hostnamectl's Static hostname line says. */
const TABLE: Array<[string, ReturnType<typeof parseStaticHostname>]> = [
  ['hostnamectl__centos7-aliyun-kvm__4572149931.txt', { state: 'set', name: 'iZwz95v28cjpudhp2sikufZ' }],
  ['hostnamectl__centos7.5-kvm__18735020720.txt', { state: 'set', name: 'h105' }],
  [
    'hostnamectl__debian12-systemd252-nspawn-unset__labspec-lab.txt',
    { state: 'unset', shown: 'Static hostname: (unset)' },
  ],
  [
    'hostnamectl__fedora37-systemd251-static-unset-na-padded__17817535175.txt',
    { state: 'unset', shown: 'Static hostname: n/a' },
  ],
  ['hostnamectl__rhel7.0-static-unset-na__24236747490.txt', { state: 'unset', shown: 'Static hostname: n/a' }],
  ['hostnamectl__rocky9.4-virtualbox-systemd252__37540012707.txt', { state: 'set', name: 'Brazilia' }],
];

describe('hostname: every corpus hostnamectl output', () => {
  it('covers the whole hostnamectl category', () => {
    expect(TABLE.map(([file]) => file)).toEqual(corpusFiles('hostnamectl'));
  });

  it.each(TABLE)('%s', (file, reading) => {
    expect(parseStaticHostname(ok(corpus('hostnamectl', file)))).toEqual(reading);
  });
});

describe('hostname: hosts', () => {
  it('CentOS 7.5 (h105): the running name, and the static one from both sources', () => {
    const fact = hostnameProbe.parse({
      uname: ok('h105\n'),
      hostnamectl: ok(corpus('hostnamectl', 'hostnamectl__centos7.5-kvm__18735020720.txt')),
      etcHostname: ok('h105\n'),
    });
    expect(fact).toEqual({
      hostname: 'h105',
      staticHostname: { hostnamectl: { state: 'set', name: 'h105' }, etcHostname: { state: 'set', name: 'h105' } },
    });
  });

  it('the local lab, /etc/hostname emptied (systemd 252): "(unset)" and an empty file are both `unset`', () => {
    const fact = hostnameProbe.parse({
      uname: ok('compute1\n'),
      hostnamectl: ok(corpus('hostnamectl', 'hostnamectl__debian12-systemd252-nspawn-unset__labspec-lab.txt')),
      etcHostname: ok(''),
    });
    expect(fact).toEqual({
      hostname: 'compute1',
      staticHostname: {
        hostnamectl: { state: 'unset', shown: 'Static hostname: (unset)' },
        etcHostname: { state: 'unset', shown: 'empty' },
      },
    });
  });

  it('EL7 "n/a" with no /etc/hostname: `unset` from both, not "unavailable"', () => {
    const fact = hostnameProbe.parse({
      uname: ok('host.example.com\n'),
      hostnamectl: ok(corpus('hostnamectl', 'hostnamectl__rhel7.0-static-unset-na__24236747490.txt')),
      etcHostname: missing,
    });
    expect(fact.staticHostname).toEqual({
      hostnamectl: { state: 'unset', shown: 'Static hostname: n/a' },
      etcHostname: { state: 'unset', shown: 'missing' },
    });
  });

  it('this Debian 12 machine: no systemd, hostnamectl exits 1 → unread with its words; /etc/hostname names vm', () => {
    expect(hostnameProbe.parse(debianHost('hostname'))).toEqual({
      hostname: 'vm',
      staticHostname: {
        hostnamectl: {
          state: 'unread',
          reason:
            "hostnamectl status exited 1: System has not been booted with systemd as init system (PID 1). Can't operate.",
        },
        etcHostname: { state: 'set', name: 'vm' },
      },
    });
  });

  it('hostnamectl missing (127) or timed out (124), /etc/hostname unreadable → all unread, each with why', () => {
    const fact = hostnameProbe.parse({
      uname: ok('c1\n'),
      hostnamectl: run('', 'sh: hostnamectl: not found\n', 127),
      etcHostname: run('', 'cat: /etc/hostname: Permission denied\n', 1),
    });
    expect(fact.staticHostname).toEqual({
      hostnamectl: { state: 'unread', reason: 'hostnamectl status exited 127: sh: hostnamectl: not found' },
      etcHostname: { state: 'unread', reason: 'cat /etc/hostname exited 1: cat: /etc/hostname: Permission denied' },
    });
    expect(
      hostnameProbe.parse({ uname: ok('c1\n'), hostnamectl: run('', '', 124), etcHostname: ok('c1\n') }).staticHostname
        .hostnamectl,
    ).toEqual({ state: 'unread', reason: 'hostnamectl status timed out' });
  });

  it('CRLF output', () => {
    expect(parseStaticHostname(ok('   Static hostname: controller\r\n         Icon name: computer-vm\r\n'))).toEqual({
      state: 'set',
      name: 'controller',
    });
    expect(parseEtcHostname(ok('controller\r\n'))).toEqual({ state: 'set', name: 'controller' });
  });

  it.each([
    ['uname with two words', ok('a b\n'), ok(''), ok('a\n')],
    ['uname empty', ok(''), run('', '', 1), ok('a\n')],
    ['uname failed', run('', 'uname: error\n', 1), run('', '', 1), ok('a\n')],
    ['hostnamectl exit 0 without a Static hostname line', ok('a\n'), ok('       Icon name: computer-vm\n'), ok('a\n')],
    ['/etc/hostname with a name that is not one hostname', ok('a\n'), run('', '', 1), ok('a b\n')],
  ])('%s → Unparsable', (_why, uname, hostnamectl, etcHostname) => {
    expectUnparsable(() => hostnameProbe.parse({ uname, hostnamectl, etcHostname }));
  });

  it.each(Object.entries(HOSTILE))('hostile hostnamectl %s → Unparsable', (_name, text) => {
    expectUnparsable(() => parseStaticHostname(ok(text)));
  });
});

describe('/etc/hostname as systemd reads it', () => {
  it.each([
    ['one name', 'controller\n', { state: 'set', name: 'controller' }],
    ['no final newline, surrounding blanks', '  controller  ', { state: 'set', name: 'controller' }],
    ['comments and blank lines first', '# managed by hand\n\ncompute1\n', { state: 'set', name: 'compute1' }],
    ['the first name wins, as at boot', 'compute1\ncompute-01\n', { state: 'set', name: 'compute1' }],
    ['a fully qualified name', 'controller.lab.example.com\n', { state: 'set', name: 'controller.lab.example.com' }],
    ['empty', '', { state: 'unset', shown: 'empty' }],
    ['only blank lines', '\n\n', { state: 'unset', shown: 'no name, only blank lines or comments' }],
    ['only a comment', '# no name yet\n', { state: 'unset', shown: 'no name, only blank lines or comments' }],
  ] as const)('%s', (_why, text, reading) => {
    expect(parseEtcHostname(ok(text))).toEqual(reading);
  });

  it.each([
    ['blanks inside', 'compute 1\n'],
    ['a character no hostname has', 'compute/1\n'],
    ['longer than 64 characters', `${'a'.repeat(65)}\n`],
  ])('%s → Unparsable', (_why, text) => {
    expectUnparsable(() => parseEtcHostname(ok(text)));
  });

  it.each(Object.entries(HOSTILE))(
    'hostile /etc/hostname %s: a name, nothing, or Unparsable — never a crash',
    (_name, text) => {
      try {
        const reading = parseEtcHostname(ok(text));
        if (reading.state === 'set') expect(reading.name).toMatch(/^[A-Za-z0-9_.-]{1,64}$/);
      } catch {
        expectUnparsable(() => parseEtcHostname(ok(text)));
      }
    },
  );
});
