import { describe, expect, it } from 'vitest';
import { packagesProbe } from '../../../probes/packages.ts';
import { corpus, debianHost, expectUnparsable, HOSTILE, ok, run } from './fixtures.ts';

const noRpm = run('', 'sh: 1: rpm: not found\n', 127);
const noDpkg = run('', 'sh: 1: dpkg-query: not found\n', 127);
const dpkgNotFound = run('', 'dpkg-query: no packages found matching chrony\n', 1);
const rpmNotInstalled = () => run(corpus('packages', 'rpm-q-chrony__rhel-not-installed__satellite-lab.txt'), '', 1);

describe('packages: rpm', () => {
  it.each([
    ['rpm-q-chrony__el8.10-chrony-4.5-2.el8_10__rocky-docs.txt', '4.5-2.el8_10'],
    ['rpm-q-chrony__rocky8-chrony-4.2-1.el8.rocky.1.0__31312097203.txt', '4.2-1.el8.rocky.1.0'],
  ])('%s → installed %s', (file, version) => {
    expect(packagesProbe.parse({ rpm: ok(corpus('packages', file)), dpkg: noDpkg })).toEqual({
      chrony: { installed: true, version, manager: 'rpm' },
    });
  });

  it('"package chrony is not installed" on stdout, exit 1 (RHEL 8)', () => {
    expect(packagesProbe.parse({ rpm: rpmNotInstalled(), dpkg: noDpkg })).toEqual({
      chrony: { installed: false, version: null, manager: 'rpm' },
    });
  });

  it('NVR without arch (old rpm query format)', () => {
    expect(packagesProbe.parse({ rpm: ok('chrony-3.4-1.el7\n'), dpkg: noDpkg }).chrony.version).toBe('3.4-1.el7');
  });
});

describe('packages: dpkg', () => {
  it('this Debian 12 machine: rpm missing, dpkg says "un" → not installed, dpkg', () => {
    expect(packagesProbe.parse(debianHost('packages'))).toEqual({
      chrony: { installed: false, version: null, manager: 'dpkg' },
    });
  });

  it.each([
    ['ii  4.3-2+deb12u1\n', true, '4.3-2+deb12u1'],
    ['hi  4.2-2ubuntu2\n', true, '4.2-2ubuntu2'],
    ['rc  4.2-2\n', false, null],
    ['un  \n', false, null],
  ])('%j → installed %s', (line, installed, version) => {
    expect(packagesProbe.parse({ rpm: noRpm, dpkg: ok(line) })).toEqual({
      chrony: { installed, version, manager: 'dpkg' },
    });
  });

  it('"no packages found matching chrony" (stderr, exit 1) → not installed', () => {
    expect(packagesProbe.parse({ rpm: noRpm, dpkg: dpkgNotFound })).toEqual({
      chrony: { installed: false, version: null, manager: 'dpkg' },
    });
  });

  it.each(['iU  4.3-2\n', 'iF  4.3-2\n', 'iiR 4.3-2\n', 'ii  \n', 'ii  4.3-2\nii  4.3-2\n'])(
    '%j → Unparsable',
    (line) => {
      expectUnparsable(() => packagesProbe.parse({ rpm: noRpm, dpkg: ok(line) }));
    },
  );
});

describe('packages: which manager answers', () => {
  it('Debian host with an empty rpm db: dpkg says installed → dpkg wins', () => {
    expect(packagesProbe.parse({ rpm: rpmNotInstalled(), dpkg: ok('ii  4.3-2+deb12u1\n') })).toEqual({
      chrony: { installed: true, version: '4.3-2+deb12u1', manager: 'dpkg' },
    });
  });

  it('both exist, neither has chrony → rpm answers', () => {
    expect(packagesProbe.parse({ rpm: rpmNotInstalled(), dpkg: dpkgNotFound }).chrony).toEqual({
      installed: false,
      version: null,
      manager: 'rpm',
    });
  });

  it('neither rpm nor dpkg-query → Unparsable', () => {
    expectUnparsable(() => packagesProbe.parse({ rpm: noRpm, dpkg: noDpkg }));
  });

  it.each([
    ['rpm db error', run('', 'error: rpmdb: BDB0113 Thread/process 1/2 failed\n', 1)],
    ['two versions installed', ok('chrony-3.4-1.el7.x86_64\nchrony-3.2-2.el7.x86_64\n')],
    ['another package', ok('chronyd-3.4-1.el7.x86_64\n')],
  ])('rpm: %s → Unparsable', (_why, rpm) => {
    expectUnparsable(() => packagesProbe.parse({ rpm, dpkg: noDpkg }));
  });

  it.each(Object.entries(HOSTILE))('hostile %s → Unparsable from either manager', (_name, text) => {
    expectUnparsable(() => packagesProbe.parse({ rpm: ok(text), dpkg: noDpkg }));
    expectUnparsable(() => packagesProbe.parse({ rpm: noRpm, dpkg: ok(text) }));
  });
});
