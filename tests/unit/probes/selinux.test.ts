import { describe, expect, it } from 'vitest';
import { effectiveSelinux, selinuxProbe } from '../../../probes/selinux.ts';
import { corpus, debianHost, expectUnparsable, HOSTILE, ok, run } from './fixtures.ts';

const noConfig = run('', 'cat: /etc/selinux/config: No such file or directory\n', 1);
/** selinuxfs not mounted: SELinux is off in the kernel (cat's own message, as on this Debian 12 machine). */
const noSelinuxfs = run('', 'cat: /sys/fs/selinux/enforce: No such file or directory\n', 1);
/** The kernel's answer, exactly as selinuxfs prints it ("%d", no newline; security/selinux/selinuxfs.c). */
const kernelSays = (value: '0' | '1') => ok(value);

describe('selinux: getenforce', () => {
  it.each([
    ['getenforce__disabled__insights.txt', 'disabled'],
    ['getenforce__enforcing__selinux-notes-host1.txt', 'enforcing'],
    ['getenforce__permissive__insights.txt', 'permissive'],
  ])('%s → %s', (file, runtime) => {
    expect(
      selinuxProbe.parse({ kernel: noSelinuxfs, getenforce: ok(corpus('selinux', file)), config: noConfig }),
    ).toEqual({
      runtime,
      config: null,
    });
  });

  it('getenforce missing (127) → absent; this Debian 12 machine has neither getenforce nor the config', () => {
    expect(selinuxProbe.parse(debianHost('selinux'))).toEqual({ runtime: 'absent', config: null });
  });

  it.each([
    'sestatus__centos8-enforcing-policy33__31210597274.txt',
    'sestatus__el9-permissive__24428477578.txt',
    'sestatus__el9-runtime-enforcing-config-permissive-LASTLINE-CUT__24428477578.txt',
    'sestatus__rhel7-enforcing__selinux-notes-host1.txt',
    'sestatus-b__rhel-enforcing-with-booleans-no-fs-lines__insights.txt',
    'sestatus-b__rhel7-permissive-with-booleans__insights.txt',
  ])('sestatus output %s is not getenforce output → Unparsable', (file) => {
    expectUnparsable(() =>
      selinuxProbe.parse({ kernel: noSelinuxfs, getenforce: ok(corpus('selinux', file)), config: noConfig }),
    );
  });

  it('getenforce failing otherwise is Unparsable', () => {
    expectUnparsable(() =>
      selinuxProbe.parse({ kernel: noSelinuxfs, getenforce: run('', 'getenforce: error\n', 1), config: noConfig }),
    );
  });
});

describe('selinux: /etc/selinux/config', () => {
  it.each([
    ['selinux-config__centos7-disabled-selinuxtype-commented__tar_iso_centos7.txt', 'disabled', 7],
    ['selinux-config__centos7-enforcing-three-two-values__selinux-notes-host1.txt', 'enforcing', 7],
    ['selinux-config__centos7-stock-disabled-trailing-spaces__wangyonglin-CentOS7.txt', 'disabled', 8],
    ['selinux-config__el9-permissive-with-minimum-line__indonesian-notes.txt', 'permissive', 21],
    ['selinux-config__rhel8-stock-enforcing__rhcsa-notes.txt', 'enforcing', 7],
    ['selinux-config__rhel9-enforcing-no-minimum-line__selinux-debug-notes.txt', 'enforcing', 22],
  ])('%s → SELINUX=%s on line %i', (file, value, line) => {
    const fact = selinuxProbe.parse({
      kernel: noSelinuxfs,
      getenforce: ok('Enforcing\n'),
      config: ok(corpus('selinux', file)),
    });
    expect(fact).toEqual({ runtime: 'enforcing', config: { selinux: { value, line } } });
  });

  it('inline comment, trailing blanks, capitals and CRLF are stripped', () => {
    expect(effectiveSelinux(ok('# x\r\nSELINUX=Enforcing   # set by ops  \r\nSELINUXTYPE=targeted \r\n'))).toEqual({
      value: 'enforcing',
      line: 2,
    });
  });

  it('the same value assigned twice → the last line', () => {
    expect(effectiveSelinux(ok('SELINUX=disabled\n#SELINUX=enforcing\nSELINUX=disabled\n'))).toEqual({
      value: 'disabled',
      line: 3,
    });
  });

  it('no assignment → selinux null; empty file too', () => {
    expect(effectiveSelinux(ok('#SELINUX=enforcing\nSELINUXTYPE=targeted\n'))).toBeNull();
    expect(selinuxProbe.parse({ kernel: noSelinuxfs, getenforce: ok('Disabled\n'), config: ok('') })).toEqual({
      runtime: 'disabled',
      config: { selinux: null },
    });
  });

  it.each([
    ['different values: libselinux takes the first, the schema the last', 'SELINUX=enforcing\nSELINUX=disabled\n'],
    ['indented assignment (libselinux skips it)', '  SELINUX=disabled\n'],
    ['blanks around =', 'SELINUX = disabled\n'],
    ['lower-case key', 'selinux=disabled\n'],
    ['unknown value', 'SELINUX=enforced\n'],
    ['empty value', 'SELINUX=\n'],
  ])('%s → Unparsable', (_why, text) => {
    expectUnparsable(() => effectiveSelinux(ok(text)));
  });

  it('permission denied on the config is Unparsable, not "no config"', () => {
    expectUnparsable(() =>
      selinuxProbe.parse({
        getenforce: ok('Enforcing\n'),
        kernel: kernelSays('1'),
        config: run('', 'cat: /etc/selinux/config: Permission denied\n', 1),
      }),
    );
  });

  it.each(Object.entries(HOSTILE))('hostile config %s has no assignment and does not crash', (_name, text) => {
    expect(effectiveSelinux(ok(text))).toBeNull();
  });

  it('hostile getenforce output is Unparsable', () => {
    for (const text of Object.values(HOSTILE))
      expectUnparsable(() => selinuxProbe.parse({ kernel: noSelinuxfs, getenforce: ok(text), config: noConfig }));
  });
});

describe('selinux: the kernel decides when getenforce is missing', () => {
  const noGetenforce = run('', 'sh: 1: getenforce: not found\n', 127);

  it('getenforce removed while the kernel enforces: enforcing, never absent', () => {
    expect(selinuxProbe.parse({ getenforce: noGetenforce, kernel: kernelSays('1'), config: noConfig })).toEqual({
      runtime: 'enforcing',
      config: null,
    });
  });

  it('getenforce removed, kernel permissive: permissive', () => {
    expect(selinuxProbe.parse({ getenforce: noGetenforce, kernel: kernelSays('0'), config: noConfig }).runtime).toBe(
      'permissive',
    );
  });

  it('neither getenforce nor selinuxfs: absent', () => {
    expect(selinuxProbe.parse({ getenforce: noGetenforce, kernel: noSelinuxfs, config: noConfig }).runtime).toBe(
      'absent',
    );
  });

  it('getenforce and the kernel disagree: Unparsable, never a guess', () => {
    expectUnparsable(() =>
      selinuxProbe.parse({ getenforce: ok('Permissive\n'), kernel: kernelSays('1'), config: noConfig }),
    );
    expectUnparsable(() =>
      selinuxProbe.parse({ getenforce: ok('Disabled\n'), kernel: kernelSays('0'), config: noConfig }),
    );
  });

  it('anything else in the kernel file is Unparsable', () => {
    for (const kernel of [ok('2'), ok(''), run('', 'cat: /sys/fs/selinux/enforce: Permission denied\n', 1)]) {
      expectUnparsable(() => selinuxProbe.parse({ getenforce: noGetenforce, kernel, config: noConfig }));
    }
  });
});
