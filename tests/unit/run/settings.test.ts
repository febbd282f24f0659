import { describe, expect, it } from 'vitest';
import {
  colorOf,
  DEFAULTS,
  resolveRunSettings,
  UsageError,
  type SettingFlags,
  type SettingSources,
} from '../../../run/settings.ts';

const CWD = '/home/student/lab';

function resolve(
  flags: SettingFlags = {},
  env: Record<string, string | undefined> = {},
  more: Partial<SettingSources> = {},
) {
  return resolveRunSettings({ flags, env, cwd: CWD, isTTY: false, ...more });
}

/** The UsageError a setting is refused with (fails the test when none is thrown). */
function usageError(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  expect.fail('expected a UsageError');
}

describe('resolveRunSettings: defaults', () => {
  it('with nothing set: the defaults, every path absolute under cwd', () => {
    expect(resolve()).toEqual({
      inventory: `${CWD}/inventory/lab.yaml`,
      targets: null,
      checks: { profile: null, only: null, skip: [] },
      replayFrom: null,
      captures: null,
      reports: `${CWD}/reports`,
      concurrency: 16,
      filter: null,
      shard: null,
      quiet: false,
      color: false,
      rubricFile: null,
      gradeScale: null,
      labs: null,
      lang: 'en',
      disclose: 'full',
    });
    expect(DEFAULTS).toEqual({
      inventory: 'inventory/lab.yaml',
      reports: 'reports',
      concurrency: 16,
      lang: 'en',
      disclose: 'full',
    });
  });

  it('empty environment variables count as unset', () => {
    const settings = resolve(
      {},
      { LABSPEC_INVENTORY: '', LABSPEC_REPORTS: '', LABSPEC_REPLAY: '', LABSPEC_CONCURRENCY: '' },
    );
    expect(settings).toMatchObject({
      inventory: `${CWD}/inventory/lab.yaml`,
      reports: `${CWD}/reports`,
      replayFrom: null,
      concurrency: 16,
    });
  });
});

describe('resolveRunSettings: precedence flags > environment > defaults', () => {
  const ENV = {
    LABSPEC_INVENTORY: 'env/inventory.yaml',
    LABSPEC_REPORTS: 'env-reports',
    LABSPEC_REPLAY: 'env-replay',
    LABSPEC_CONCURRENCY: '4',
  };

  it('the environment overrides the defaults', () => {
    expect(resolve({}, ENV)).toMatchObject({
      inventory: `${CWD}/env/inventory.yaml`,
      reports: `${CWD}/env-reports`,
      replayFrom: `${CWD}/env-replay`,
      concurrency: 4,
    });
  });

  it('flags override the environment', () => {
    const flags = { inventory: 'flag.yaml', reports: 'flag-reports', replayFrom: 'flag-replay', concurrency: '2' };
    expect(resolve(flags, ENV)).toMatchObject({
      inventory: `${CWD}/flag.yaml`,
      reports: `${CWD}/flag-reports`,
      replayFrom: `${CWD}/flag-replay`,
      concurrency: 2,
    });
  });

  it('each setting independently: a flag for one, the environment for another, the default for the rest', () => {
    expect(resolve({ reports: 'r' }, { LABSPEC_INVENTORY: 'i.yaml' })).toMatchObject({
      inventory: `${CWD}/i.yaml`,
      reports: `${CWD}/r`,
      replayFrom: null,
      concurrency: 16,
    });
  });

  it('--quiet and --filter come from flags only', () => {
    expect(resolve({ quiet: true, filter: 'selinux' })).toMatchObject({ quiet: true, filter: { source: 'selinux' } });
    expect(resolve({}, { LABSPEC_QUIET: '1', LABSPEC_FILTER: 'x' })).toMatchObject({ quiet: false, filter: null });
  });
});

describe('resolveRunSettings: paths', () => {
  it('relative paths are made absolute against cwd, not the process folder', () => {
    const settings = resolve({ inventory: '../other/lab.yaml', reports: './out', replayFrom: 'old/runs/r1' });
    expect(settings.inventory).toBe('/home/student/other/lab.yaml');
    expect(settings.reports).toBe(`${CWD}/out`);
    expect(settings.replayFrom).toBe(`${CWD}/old/runs/r1`);
    expect(resolve({}, { LABSPEC_REPORTS: '../shared' }, { cwd: '/srv/ci/job' }).reports).toBe('/srv/ci/shared');
  });

  it('absolute paths are kept as given', () => {
    expect(resolve({ inventory: '/etc/labspec/lab.yaml', reports: '/var/tmp/reports' })).toMatchObject({
      inventory: '/etc/labspec/lab.yaml',
      reports: '/var/tmp/reports',
    });
    expect(resolve({}, { LABSPEC_REPLAY: '/var/tmp/reports' }).replayFrom).toBe('/var/tmp/reports');
  });

  it('every path in the result is absolute', () => {
    const settings = resolve({ replayFrom: 'x' }, { LABSPEC_INVENTORY: 'y', LABSPEC_REPORTS: 'z' });
    for (const path of [settings.inventory, settings.reports, settings.replayFrom]) expect(path).toMatch(/^\//);
  });
});

describe('resolveRunSettings: concurrency', () => {
  it('a whole number ≥ 1 from the flag or the environment', () => {
    expect(resolve({ concurrency: '1' }).concurrency).toBe(1);
    expect(resolve({}, { LABSPEC_CONCURRENCY: '64' }).concurrency).toBe(64);
  });

  it.each(['0', '-1', '1.5', 'four', ' 4', '4 ', '1e3', '0x10', '', '99999999999999999999'])(
    '--concurrency %j is refused, naming the flag and the value',
    (value) => {
      const error = usageError(() => resolve({ concurrency: value }));
      expect(error.message).toBe(`--concurrency: expected a whole number ≥ 1, got ${JSON.stringify(value)}`);
    },
  );

  it('an invalid LABSPEC_CONCURRENCY is refused, naming the variable', () => {
    const error = usageError(() => resolve({}, { LABSPEC_CONCURRENCY: 'many' }));
    expect(error.message).toBe('LABSPEC_CONCURRENCY: expected a whole number ≥ 1, got "many"');
    expect(error.name).toBe('UsageError');
  });

  it('a valid flag wins over an invalid environment value, which is then not looked at', () => {
    expect(resolve({ concurrency: '3' }, { LABSPEC_CONCURRENCY: 'many' }).concurrency).toBe(3);
  });
});

describe('resolveRunSettings: filter', () => {
  it('a regular expression over the full test name, keeping its source', () => {
    const { filter } = resolve({ filter: 'Disable SELinux > .* › selinux\\.' });
    expect(filter!.source).toBe('Disable SELinux > .* › selinux\\.');
    expect(filter!.pattern.test('Disable SELinux > controller › selinux.runtime')).toBe(true);
    expect(filter!.pattern.test('The host > controller › os.release')).toBe(false);
  });

  it('an invalid regular expression is a UsageError naming --filter', () => {
    const error = usageError(() => resolve({ filter: 'selinux(' }));
    expect(error.message).toMatch(/^--filter: not a valid regular expression: /);
    expect(error.message).toContain('selinux(');
  });
});

describe('resolveRunSettings: shard', () => {
  it('K/N from the flag or LABSPEC_SHARD, the flag first', () => {
    expect(resolve({ shard: '2/3' }).shard).toEqual({ index: 2, count: 3 });
    expect(resolve({}, { LABSPEC_SHARD: '1/1' }).shard).toEqual({ index: 1, count: 1 });
    expect(resolve({ shard: '3/3' }, { LABSPEC_SHARD: 'bad' }).shard).toEqual({ index: 3, count: 3 });
    expect(resolve({}, { LABSPEC_SHARD: '' }).shard).toBeNull();
  });

  it.each(['0/3', '4/3', '1/0', '3', '1/3/5', 'a/b', ' 1/3', '1 / 3', '-1/3', '1.5/3', '', '1/9999999'])(
    '--shard %j is refused, naming the flag and the value',
    (value) => {
      const error = usageError(() => resolve({ shard: value }));
      expect(error.message).toBe(
        `--shard: expected K/N, shard K of N with 1 ≤ K ≤ N (e.g. 2/3), got ${JSON.stringify(value)}`,
      );
    },
  );

  it('an invalid LABSPEC_SHARD is refused, naming the variable', () => {
    expect(usageError(() => resolve({}, { LABSPEC_SHARD: '0/2' })).message).toMatch(/^LABSPEC_SHARD: expected K\/N/);
  });
});

describe('resolveRunSettings: --target', () => {
  const target = { target: 'ssh://root@10.0.0.100', role: 'controller', name: 'controller' };

  it('the targets as given; the connection options with their paths absolute', () => {
    const settings = resolve({
      targets: [target],
      targetConnection: { identity: 'keys/ci', knownHosts: '/tmp/build/known_hosts', acceptNewHostKey: true },
    });
    expect(settings.targets).toEqual({
      hosts: [target],
      connection: { identity: `${CWD}/keys/ci`, knownHosts: '/tmp/build/known_hosts', acceptNewHostKey: true },
    });
    expect(resolve({ targets: [target], targetConnection: { identityEnv: 'CI_KEY' } }).targets!.connection).toEqual({
      identityEnv: 'CI_KEY',
      acceptNewHostKey: false,
    });
  });

  it('--target replaces LABSPEC_INVENTORY, but not --inventory: both flags are a usage error', () => {
    expect(resolve({ targets: [target] }, { LABSPEC_INVENTORY: 'lab.yaml' }).targets!.hosts).toEqual([target]);
    expect(usageError(() => resolve({ targets: [target], inventory: 'lab.yaml' })).message).toBe(
      '--inventory and --target are two ways to name the hosts: give one of them',
    );
  });

  it('connection options without a --target are a usage error naming the option', () => {
    for (const [flags, name] of [
      [{ identity: 'k' }, '--identity'],
      [{ identityEnv: 'K' }, '--identity-env'],
      [{ passwordEnv: 'P' }, '--password-env'],
      [{ knownHosts: 'kh' }, '--known-hosts'],
      [{ acceptNewHostKey: true }, '--accept-new-host-key'],
    ] as const) {
      expect(usageError(() => resolve({ targetConnection: flags })).message).toMatch(new RegExp(`^${name} describes`));
    }
  });

  it('--accept-new-host-key needs the --known-hosts file it records into; one private key, not two', () => {
    expect(
      usageError(() => resolve({ targets: [target], targetConnection: { acceptNewHostKey: true } })).message,
    ).toMatch(/^--accept-new-host-key records the key it accepts: give the file .* with --known-hosts FILE/);
    expect(
      usageError(() => resolve({ targets: [target], targetConnection: { identity: 'k', identityEnv: 'K' } })).message,
    ).toBe('--identity and --identity-env both name the private key: give one of them');
  });
});

describe('resolveRunSettings: choosing checks', () => {
  it('--profile, else LABSPEC_PROFILE; no profile: the inventory decides', () => {
    expect(resolve({ profile: 'image' }).checks.profile).toBe('image');
    expect(resolve({}, { LABSPEC_PROFILE: 'image' }).checks.profile).toBe('image');
    expect(resolve({ profile: 'full' }, { LABSPEC_PROFILE: 'image' }).checks.profile).toBe('full');
    expect(resolve({}, { LABSPEC_PROFILE: '' }).checks.profile).toBeNull();
    expect(usageError(() => resolve({ profile: 'golden' })).message).toBe(
      '--profile: expected full | image, got "golden"',
    );
    expect(usageError(() => resolve({}, { LABSPEC_PROFILE: 'Image' })).message).toBe(
      'LABSPEC_PROFILE: expected full | image, got "Image"',
    );
  });

  it('--only: repeated and comma-separated, replacing LABSPEC_ONLY', () => {
    expect(resolve({ only: ['chrony.*, host.hostname', 'cpu.count'] }).checks.only).toEqual([
      { pattern: 'chrony.*', where: '--only' },
      { pattern: 'host.hostname', where: '--only' },
      { pattern: 'cpu.count', where: '--only' },
    ]);
    expect(resolve({ only: ['cpu.count'] }, { LABSPEC_ONLY: 'chrony.*' }).checks.only).toEqual([
      { pattern: 'cpu.count', where: '--only' },
    ]);
    expect(resolve({}, { LABSPEC_ONLY: 'chrony.*,os.release' }).checks.only).toEqual([
      { pattern: 'chrony.*', where: 'LABSPEC_ONLY' },
      { pattern: 'os.release', where: 'LABSPEC_ONLY' },
    ]);
  });

  it('skips add up, LABSPEC_SKIP and every --skip, each saying where it came from', () => {
    expect(resolve({ skip: ['firewalld.*', 'host.address'] }, { LABSPEC_SKIP: 'topology.*' }).checks.skip).toEqual([
      { pattern: 'topology.*', where: 'LABSPEC_SKIP', reason: 'skipped with LABSPEC_SKIP topology.*' },
      { pattern: 'firewalld.*', where: '--skip', reason: 'skipped with --skip firewalld.*' },
      { pattern: 'host.address', where: '--skip', reason: 'skipped with --skip host.address' },
    ]);
  });

  it('a pattern that is no ID or glob, or nothing at all, is a usage error naming the option', () => {
    expect(usageError(() => resolve({ skip: ['chrony.[a-z]'] })).message).toBe(
      '--skip chrony.[a-z]: expected a check ID or a glob such as chrony.* (see labspec checks)',
    );
    expect(usageError(() => resolve({ only: [' , '] })).message).toBe(
      '--only: expected a check ID or a glob such as chrony.*',
    );
    expect(usageError(() => resolve({}, { LABSPEC_ONLY: 'a b' })).message).toMatch(/^LABSPEC_ONLY a b: expected/);
  });
});

describe('resolveRunSettings: the language and disclosure of class reports', () => {
  it('flag, else LABSPEC_LANG / LABSPEC_DISCLOSE, else en and full', () => {
    expect(resolve({ lang: 'ko', disclose: 'hints' }, { LABSPEC_LANG: 'en', LABSPEC_DISCLOSE: 'score' })).toMatchObject(
      { lang: 'ko', disclose: 'hints' },
    );
    expect(resolve({}, { LABSPEC_LANG: 'ko', LABSPEC_DISCLOSE: 'score' })).toMatchObject({
      lang: 'ko',
      disclose: 'score',
    });
    expect(resolve({}, { LABSPEC_LANG: '', LABSPEC_DISCLOSE: '' })).toMatchObject({ lang: 'en', disclose: 'full' });
  });

  it('another value is refused, naming the flag or the variable and the values it takes', () => {
    expect(usageError(() => resolve({ lang: 'kr' })).message).toBe('--lang: expected en | ko, got "kr"');
    expect(usageError(() => resolve({ disclose: 'all' })).message).toBe(
      '--disclose: expected full | hints | score, got "all"',
    );
    expect(usageError(() => resolve({}, { LABSPEC_LANG: 'ko_KR.UTF-8' })).message).toBe(
      'LABSPEC_LANG: expected en | ko, got "ko_KR.UTF-8"',
    );
  });
});

describe('resolveRunSettings: captures (labspec grade)', () => {
  const capture = (over: Partial<Record<'file' | 'name' | 'role' | 'address' | 'lab', string>> = {}) => ({
    file: 'out/controller.txt',
    name: undefined,
    role: undefined,
    address: undefined,
    lab: undefined,
    hostname: undefined,
    ...over,
  });

  it('each capture file absolute, with what the command line says of its host (checked when read); an inventory only when --inventory is given', () => {
    const settings = resolve(
      { captures: [capture({ name: 'controller', role: 'controller', address: '10.0.0.100', lab: 'student3' })] },
      { LABSPEC_INVENTORY: 'class.yaml' },
    );
    expect(settings.captures).toEqual({
      sources: [
        {
          file: `${CWD}/out/controller.txt`,
          name: 'controller',
          role: 'controller',
          address: '10.0.0.100',
          lab: 'student3',
        },
      ],
      inventory: null,
    });
    expect(resolve({ captures: [capture()], inventory: 'lab.yaml' }).captures).toEqual({
      sources: [{ file: `${CWD}/out/controller.txt` }],
      inventory: `${CWD}/lab.yaml`,
    });
  });
});

describe('colorOf', () => {
  it('NO_COLOR with any non-empty value turns colour off, even on a terminal or with FORCE_COLOR', () => {
    for (const value of ['1', '0', 'false', 'yes', 'anything']) {
      expect(colorOf({ NO_COLOR: value }, true), value).toBe(false);
      expect(colorOf({ NO_COLOR: value, FORCE_COLOR: '1' }, true), value).toBe(false);
    }
  });

  it('FORCE_COLOR=0 or false (any case) turns it off, even on a terminal', () => {
    for (const value of ['0', 'false', 'FALSE', 'False'])
      expect(colorOf({ FORCE_COLOR: value }, true), value).toBe(false);
  });

  it('FORCE_COLOR=1 (or another value) turns it on without a terminal', () => {
    for (const value of ['1', '2', '3', 'true']) expect(colorOf({ FORCE_COLOR: value }, false), value).toBe(true);
  });

  it('otherwise: on a terminal only', () => {
    expect(colorOf({}, true)).toBe(true);
    expect(colorOf({}, false)).toBe(false);
    // An empty NO_COLOR is unset (no-color.org); an empty FORCE_COLOR counts as set.
    expect(colorOf({ NO_COLOR: '' }, true)).toBe(true);
    expect(colorOf({ FORCE_COLOR: '' }, false)).toBe(true);
  });

  it('resolveRunSettings uses the same rules with the environment and isTTY it is given', () => {
    expect(resolve({}, {}, { isTTY: true }).color).toBe(true);
    expect(resolve({}, { NO_COLOR: '1' }, { isTTY: true }).color).toBe(false);
    expect(resolve({}, { FORCE_COLOR: '1' }, { isTTY: false }).color).toBe(true);
  });
});

describe('resolveRunSettings: grading a class', () => {
  it('--rubric (or LABSPEC_RUBRIC) is a path from cwd; --grade-scale a number; --lab repeated, duplicates once', () => {
    expect(
      resolve({ rubric: 'rubric.yaml', gradeScale: '20', labs: ['2024-0001', 'jdoe_22', '2024-0001'] }),
    ).toMatchObject({ rubricFile: `${CWD}/rubric.yaml`, gradeScale: 20, labs: ['2024-0001', 'jdoe_22'] });
    expect(resolve({}, { LABSPEC_RUBRIC: '/etc/rubric.yaml' }).rubricFile).toBe('/etc/rubric.yaml');
    expect(resolve({ rubric: 'mine.yaml' }, { LABSPEC_RUBRIC: '/etc/rubric.yaml' }).rubricFile).toBe(
      `${CWD}/mine.yaml`,
    );
    expect(resolve({ gradeScale: '12.5' }).gradeScale).toBe(12.5);
  });

  it('a grade scale that is no number above 0 is refused', () => {
    for (const text of ['0', '-5', 'ten', '', '1e3'])
      expect(usageError(() => resolve({ gradeScale: text })).message).toMatch(
        /^--grade-scale: expected a number above 0/,
      );
  });
});
