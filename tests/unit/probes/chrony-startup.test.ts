import { describe, expect, it } from 'vitest';
import { chronyStartupProbe, readEnvironmentFile } from '../../../probes/chrony-startup.ts';
import { UnparsableOutput } from '../../../probes/probe.ts';
import { corpus, debianHost, expectUnparsable, HOSTILE } from './fixtures.ts';

const parse = (stdout: string, stderr = '') => chronyStartupProbe.parse({ units: { stdout, stderr, exitCode: 0 } });
const lab = (name: string) => corpus('chrony', `chrony-startup__labspec-lab-debian12-systemd252-${name}.txt`);
const hex = (text: string) =>
  [...Buffer.from(text)]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join(' ')
    .replace(/((?:\S+ ){15}\S+) /g, '$1\n')
    .split('\n')
    .map((l) => ` ${l}\n`)
    .join('');

describe('chrony-startup on real captures from the local lab (systemd 252, chrony 4.3)', () => {
  it('running from the unit with DAEMON_OPTS="-F 1": now and after a reboot, no -f; the alias block read once', () => {
    expect(parse(lab('running-F1-x'))).toEqual({
      commandLines: [
        {
          origin: 'running chronyd (pid 34)',
          argv: ['/usr/sbin/chronyd', '-F', '1', '-x'],
          configFile: null,
          directives: [],
        },
        {
          origin: 'chronyd.service ExecStart with /etc/default/chrony',
          argv: ['/usr/sbin/chronyd', '-F', '1', '-x'],
          configFile: null,
          directives: [],
        },
      ],
    });
  });

  it('stopped: only how systemd would start it', () => {
    expect(parse(lab('stopped')).commandLines.map((l) => l.origin)).toEqual([
      'chronyd.service ExecStart with /etc/default/chrony',
    ]);
  });

  it('-f in the environment file: the running chronyd and the next start both read /etc/chrony/alt.conf', () => {
    expect(parse(lab('f-alt-conf-running-and-at-boot')).commandLines.map((l) => l.configFile)).toEqual([
      '/etc/chrony/alt.conf',
      '/etc/chrony/alt.conf',
    ]);
  });

  it('the file restored but chronyd not restarted: now -f, after a reboot not', () => {
    expect(parse(lab('f-alt-conf-running-only')).commandLines.map((l) => [l.origin, l.configFile])).toEqual([
      ['running chronyd (pid 69)', '/etc/chrony/alt.conf'],
      ['chronyd.service ExecStart with /etc/default/chrony', null],
    ]);
  });

  it('an EnvironmentFile without "-" that is missing: chronyd would not start, so not understood', () => {
    expect(expectUnparsable(() => parse(lab('required-envfile-missing'))).message).toBe(
      'chronyd.service: EnvironmentFile=/etc/sysconfig/chronyd is missing, so chronyd would not start',
    );
  });

  it('a machine without systemd (the development machine): systemctl complains, nothing is guessed', () => {
    const { units } = debianHost('chronyStartup');
    expect(expectUnparsable(() => chronyStartupProbe.parse({ units: units! })).message).toBe(
      "unexpected stderr: System has not been booted with systemd as init system (PID 1). Can't operate.",
    );
  });
});

/**
 * CentOS 7 (systemd 219): ExecStart as RHEL 7.9 prints it (tests/fixtures/corpus/systemd, mondoohq/mql's capture),
 * OPTIONS from /etc/sysconfig/chronyd as Rocky 9 ships it (corpus chrony/sysconfig-chronyd…), framed as the reader
 * frames them.
 */
describe('chrony-startup on CentOS 7 lines', () => {
  const execStart = corpus('systemd', 'systemctl-show-all-excerpt__rhel7.9-chronyd-and-sshd__mql.txt')
    .split('\n')
    .find((l) => l.startsWith('ExecStart={ path=/usr/sbin/chronyd'))!;
  const centos = (sysconfig: string) =>
    [
      'Id=chronyd.service',
      'LoadState=loaded',
      'ActiveState=inactive',
      'MainPID=0',
      execStart,
      'EnvironmentFiles=/etc/sysconfig/chronyd (ignore_errors=yes)',
      '@@ read /etc/sysconfig/chronyd',
      hex(sysconfig).trimEnd(),
      '@@ exit 0',
      'Environment=',
      '',
      'Id=chrony.service',
      'LoadState=not-found',
      'ActiveState=inactive',
      'MainPID=0',
      'Environment=',
      '',
    ].join('\n');

  it('OPTIONS="-F 2" ($OPTIONS split into words): no -f', () => {
    const options = corpus('chrony', 'sysconfig-chronyd__rocky9-OPTIONS-F2__12573135921.txt');
    expect(parse(centos(`# Command-line options for chronyd\n${options}`)).commandLines).toEqual([
      {
        origin: 'chronyd.service ExecStart with /etc/sysconfig/chronyd',
        argv: ['/usr/sbin/chronyd', '-F', '2'],
        configFile: null,
        directives: [],
      },
    ]);
  });

  it.each([
    ['OPTIONS="-f /etc/chrony.lab.conf"', '/etc/chrony.lab.conf', []],
    ["OPTIONS='-u chrony -f/etc/other.conf'", '/etc/other.conf', []],
    ['OPTIONS="-nf /etc/x.conf"', '/etc/x.conf', []],
    ['OPTIONS="-d server 10.0.0.100"', null, ['server', '10.0.0.100']],
    ['OPTIONS=', null, []],
  ])('%s → -f %s, directives %j', (line, configFile, directives) => {
    const [commandLine] = parse(centos(`${line}\n`)).commandLines;
    expect(commandLine).toMatchObject({ configFile, directives });
  });

  it.each([
    ['OPTIONS="-f"', '-f without its value'],
    ['OPTIONS="-k 1"', 'no option -k'],
    ['OPTIONS="a \\" b"', 'not understood'],
    ['export OPTIONS=-x', 'not understood'],
    ['OPTIONS=-x \\', 'not understood'],
  ])('%s: not understood, never a guess', (line, reason) => {
    expect(expectUnparsable(() => parse(centos(`${line}\n`))).message).toContain(reason);
  });

  it('an expansion labspec does not model in ExecStart is refused', () => {
    const text = centos('OPTIONS=\n').replace('$OPTIONS', '${OPTIONS:-x}');
    expect(expectUnparsable(() => parse(text)).message).toContain('an expansion labspec does not model');
  });

  it('a file record nobody asked for, a cut hex dump or a missing block is refused', () => {
    const good = centos('OPTIONS=\n');
    expectUnparsable(() => parse(good.replace('Environment=\n\n', 'Environment=\n@@ missing /etc/passwd\n\n')));
    expectUnparsable(() => parse(good.replace('@@ exit 0', '@@ exit 1')));
    expectUnparsable(() => parse(good.split('\n\n')[0]!));
  });

  it.each(Object.entries(HOSTILE))('hostile output (%s): refused, not crashed', (_, text) => {
    expect(() => parse(text)).toThrow(UnparsableOutput);
  });
});

describe('readEnvironmentFile', () => {
  const fail = (reason: string) => new Error(reason);
  it('comments, blank lines, quotes', () => {
    expect(readEnvironmentFile('/e', '# c\n; c\n\nA=1\n B = "x y" \nC=\'z\'\n', fail)).toEqual([
      ['A', '1'],
      ['B', 'x y'],
      ['C', 'z'],
    ]);
  });
});
