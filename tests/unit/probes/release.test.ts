import { describe, expect, it } from 'vitest';
import { CENTOS_STREAM_8_OS_RELEASE, CENTOS_STREAM_8_RELEASE } from '../../../lab/scenarios.ts';
import { parseCentosRelease, parseOsRelease, releaseProbe } from '../../../probes/release.ts';
import { corpus, corpusFiles, debianHost, expectUnparsable, HOSTILE, ok, run } from './fixtures.ts';

type OsRelease = {
  id: string;
  name: string | null;
  idLike: string[];
  versionId: string | null;
  prettyName: string | null;
};
type ReleaseLine = { text: string; name: string; version: string | null };
type Expected = { os: OsRelease } | { line: ReleaseLine } | 'neither';

const missing = (path: string) => run('', `cat: ${path}: No such file or directory\n`, 1);

/** Every file of corpus/release: what it parses to as os-release or as a "<name> release <v>" file. */
const TABLE: Array<[string, Expected]> = [
  [
    'ansible-fixture__almalinux_8_3_beta__etc_centos-release',
    { line: { text: 'AlmaLinux release 8.3 Beta (Purple Manul)', name: 'AlmaLinux', version: '8.3' } },
  ],
  [
    'ansible-fixture__almalinux_8_3_beta__etc_os-release',
    {
      os: {
        id: 'almalinux',
        name: 'AlmaLinux',
        idLike: ['rhel', 'centos', 'fedora'],
        versionId: '8.3',
        prettyName: 'AlmaLinux 8.3 Beta (Purple Manul)',
      },
    },
  ],
  [
    'ansible-fixture__almalinux_8_3_beta__etc_redhat-release',
    { line: { text: 'AlmaLinux release 8.3 Beta (Purple Manul)', name: 'AlmaLinux', version: '8.3' } },
  ],
  [
    'ansible-fixture__almalinux_8_3_beta__usr_lib_os-release',
    {
      os: {
        id: 'almalinux',
        name: 'AlmaLinux',
        idLike: ['rhel', 'centos', 'fedora'],
        versionId: '8.3',
        prettyName: 'AlmaLinux 8.3 Beta (Purple Manul)',
      },
    },
  ],
  [
    'ansible-fixture__amazon_linux_2__etc_os-release',
    {
      os: {
        id: 'amzn',
        name: 'Amazon Linux',
        idLike: ['centos', 'rhel', 'fedora'],
        versionId: '2',
        prettyName: 'Amazon Linux 2',
      },
    },
  ],
  [
    'ansible-fixture__amazon_linux_2__etc_system-release',
    { line: { text: 'Amazon Linux release 2 (Karoo)', name: 'Amazon Linux', version: '2' } },
  ],
  [
    'ansible-fixture__centos_6.7__etc_redhat-release',
    { line: { text: 'CentOS release 6.7 (Final)', name: 'CentOS', version: '6.7' } },
  ],
  [
    'ansible-fixture__centos_6.7__etc_system-release',
    { line: { text: 'CentOS release 6.7 (Final)', name: 'CentOS', version: '6.7' } },
  ],
  [
    'ansible-fixture__centos_8_1__etc_centos-release',
    { line: { text: 'CentOS Linux release 8.1.1911 (Core)', name: 'CentOS Linux', version: '8.1.1911' } },
  ],
  [
    'ansible-fixture__centos_8_1__etc_redhat-release',
    { line: { text: 'CentOS Linux release 8.1.1911 (Core)', name: 'CentOS Linux', version: '8.1.1911' } },
  ],
  [
    'ansible-fixture__centos_8_1__etc_system-release',
    { line: { text: 'CentOS Linux release 8.1.1911 (Core)', name: 'CentOS Linux', version: '8.1.1911' } },
  ],
  [
    'ansible-fixture__centos_stream_8__etc_centos-release',
    { line: { text: 'CentOS Stream release 8', name: 'CentOS Stream', version: '8' } },
  ],
  [
    'ansible-fixture__centos_stream_8__etc_redhat-release',
    { line: { text: 'CentOS Stream release 8', name: 'CentOS Stream', version: '8' } },
  ],
  [
    'ansible-fixture__centos_stream_8__etc_system-release',
    { line: { text: 'CentOS Stream release 8', name: 'CentOS Stream', version: '8' } },
  ],
  [
    'ansible-fixture__centos_stream_8__usr_lib_os-release',
    {
      os: {
        id: 'centos',
        name: 'CentOS Stream',
        idLike: ['rhel', 'fedora'],
        versionId: '8',
        prettyName: 'CentOS Stream 8',
      },
    },
  ],
  [
    'ansible-fixture__debian_10__etc_os-release',
    {
      os: {
        id: 'debian',
        name: 'Debian GNU/Linux',
        idLike: [],
        versionId: '10',
        prettyName: 'Debian GNU/Linux 10 (buster)',
      },
    },
  ],
  [
    'ansible-fixture__debian_10__usr_lib_os-release',
    {
      os: {
        id: 'debian',
        name: 'Debian GNU/Linux',
        idLike: [],
        versionId: '10',
        prettyName: 'Debian GNU/Linux 10 (buster)',
      },
    },
  ],
  [
    'ansible-fixture__eurolinux_8.5__etc_os-release',
    {
      os: {
        id: 'eurolinux',
        name: 'EuroLinux',
        idLike: ['rhel', 'fedora', 'centos'],
        versionId: '8.5',
        prettyName: 'EuroLinux 8.5 (Tirana)',
      },
    },
  ],
  [
    'ansible-fixture__eurolinux_8.5__etc_system-release',
    { line: { text: 'EuroLinux release 8.5 (Tirana)', name: 'EuroLinux', version: '8.5' } },
  ],
  [
    'ansible-fixture__eurolinux_8.5__usr_lib_os-release',
    {
      os: {
        id: 'eurolinux',
        name: 'EuroLinux',
        idLike: ['rhel', 'fedora', 'centos'],
        versionId: '8.5',
        prettyName: 'EuroLinux 8.5 (Tirana)',
      },
    },
  ],
  [
    'ansible-fixture__fedora_31__etc_os-release',
    {
      os: { id: 'fedora', name: 'Fedora', idLike: [], versionId: '31', prettyName: 'Fedora 31 (Workstation Edition)' },
    },
  ],
  [
    'ansible-fixture__fedora_31__etc_system-release',
    { line: { text: 'Fedora release 31 (Thirty One)', name: 'Fedora', version: '31' } },
  ],
  [
    'ansible-fixture__fedora_31__usr_lib_os-release',
    {
      os: { id: 'fedora', name: 'Fedora', idLike: [], versionId: '31', prettyName: 'Fedora 31 (Workstation Edition)' },
    },
  ],
  ['ansible-fixture__kylin_linux_advanced_server_v10__etc_lsb-release', 'neither'],
  [
    'ansible-fixture__kylin_linux_advanced_server_v10__etc_system-release',
    {
      line: {
        text: 'Kylin Linux Advanced Server release V10 (Sword)',
        name: 'Kylin Linux Advanced Server',
        version: null,
      },
    },
  ],
  [
    'ansible-fixture__miracle_linux_9__etc_miraclelinux-release',
    { line: { text: 'MIRACLE LINUX release 9.2 (Feige)', name: 'MIRACLE LINUX', version: '9.2' } },
  ],
  [
    'ansible-fixture__miracle_linux_9__etc_os-release',
    {
      os: {
        id: 'miraclelinux',
        name: 'MIRACLE LINUX',
        idLike: ['rhel', 'fedora'],
        versionId: '9.2',
        prettyName: 'MIRACLE LINUX 9.2 (Feige)',
      },
    },
  ],
  [
    'ansible-fixture__miracle_linux_9__etc_system-release',
    { line: { text: 'MIRACLE LINUX release 9.2 (Feige)', name: 'MIRACLE LINUX', version: '9.2' } },
  ],
  [
    'ansible-fixture__openeuler_20.03__etc_os-release',
    { os: { id: 'openEuler', name: 'openEuler', idLike: [], versionId: '20.03', prettyName: 'openEuler 20.03 (LTS)' } },
  ],
  [
    'ansible-fixture__openeuler_20.03__etc_system-release',
    { line: { text: 'openEuler release 20.03 (LTS)', name: 'openEuler', version: '20.03' } },
  ],
  [
    'ansible-fixture__redhat_6.7__etc_redhat-release',
    {
      line: {
        text: 'Red Hat Enterprise Linux Server release 6.7 (Santiago)',
        name: 'Red Hat Enterprise Linux Server',
        version: '6.7',
      },
    },
  ],
  [
    'ansible-fixture__redhat_6.7__etc_system-release',
    {
      line: {
        text: 'Red Hat Enterprise Linux Server release 6.7 (Santiago)',
        name: 'Red Hat Enterprise Linux Server',
        version: '6.7',
      },
    },
  ],
  [
    'ansible-fixture__redhat_7.2__etc_os-release',
    {
      os: {
        id: 'rhel',
        name: 'Red Hat Enterprise Linux Server',
        idLike: ['fedora'],
        versionId: '7.2',
        prettyName: 'Red Hat Enterprise Linux Server 7.2 (Maipo)',
      },
    },
  ],
  [
    'ansible-fixture__redhat_7.2__etc_system-release',
    {
      line: {
        text: 'Red Hat Enterprise Linux Server release 7.2 (Maipo)',
        name: 'Red Hat Enterprise Linux Server',
        version: '7.2',
      },
    },
  ],
  [
    'ansible-fixture__redhat_7.7__etc_os-release',
    {
      os: {
        id: 'rhel',
        name: 'Red Hat Enterprise Linux Server',
        idLike: ['fedora'],
        versionId: '7.7',
        prettyName: 'Red Hat Enterprise Linux Server 7.7 (Maipo)',
      },
    },
  ],
  [
    'ansible-fixture__redhat_7.7__etc_redhat-release',
    {
      line: {
        text: 'Red Hat Enterprise Linux Server release 7.7 (Maipo)',
        name: 'Red Hat Enterprise Linux Server',
        version: '7.7',
      },
    },
  ],
  [
    'ansible-fixture__rockylinux_8_3__etc_os-release',
    {
      os: {
        id: 'rocky',
        name: 'Rocky Linux',
        idLike: ['rhel', 'fedora'],
        versionId: '8.3',
        prettyName: 'Rocky Linux 8.3',
      },
    },
  ],
  [
    'ansible-fixture__rockylinux_8_3__etc_redhat-release',
    { line: { text: 'Rocky Linux release 8.3', name: 'Rocky Linux', version: '8.3' } },
  ],
  [
    'ansible-fixture__rockylinux_8_3__etc_rocky-release',
    { line: { text: 'Rocky Linux release 8.3', name: 'Rocky Linux', version: '8.3' } },
  ],
  [
    'ansible-fixture__rockylinux_8_3__usr_lib_os-release',
    {
      os: {
        id: 'rocky',
        name: 'Rocky Linux',
        idLike: ['rhel', 'fedora'],
        versionId: '8.3',
        prettyName: 'Rocky Linux 8.3',
      },
    },
  ],
  [
    'ansible-fixture__tencentos_3_1__etc_centos-release',
    {
      os: {
        id: 'tencentos',
        name: 'TencentOS Server',
        idLike: ['rhel', 'fedora', 'centos'],
        versionId: '3.1',
        prettyName: 'TencentOS Server 3.1 (Final)',
      },
    },
  ],
  [
    'ansible-fixture__tencentos_3_1__etc_os-release',
    {
      os: {
        id: 'tencentos',
        name: 'TencentOS Server',
        idLike: ['rhel', 'fedora', 'centos'],
        versionId: '3.1',
        prettyName: 'TencentOS Server 3.1 (Final)',
      },
    },
  ],
  [
    'ansible-fixture__tencentos_3_1__etc_system-release',
    {
      os: {
        id: 'tencentos',
        name: 'TencentOS Server',
        idLike: ['rhel', 'fedora', 'centos'],
        versionId: '3.1',
        prettyName: 'TencentOS Server 3.1 (Final)',
      },
    },
  ],
  [
    'ansible-fixture__tencentos_3_1__usr_lib_os-release',
    {
      os: {
        id: 'centos',
        name: 'CentOS Linux',
        idLike: ['rhel', 'fedora'],
        versionId: '8',
        prettyName: 'CentOS Linux 8',
      },
    },
  ],
  ['ansible-fixture__ubuntu_12.04__etc_lsb-release', 'neither'],
  ['ansible-fixture__ubuntu_14.04__etc_lsb-release', 'neither'],
  [
    'ansible-fixture__ubuntu_14.04__etc_os-release',
    { os: { id: 'ubuntu', name: 'Ubuntu', idLike: ['debian'], versionId: '14.04', prettyName: 'Ubuntu 14.04.4 LTS' } },
  ],
  ['ansible-fixture__ubuntu_16.04__etc_lsb-release', 'neither'],
  ['ansible-fixture__ubuntu_18.04__etc_lsb-release', 'neither'],
  [
    'ansible-fixture__ubuntu_18.04__etc_os-release',
    { os: { id: 'ubuntu', name: 'Ubuntu', idLike: ['debian'], versionId: '18.04', prettyName: 'Ubuntu 18.04.3 LTS' } },
  ],
  [
    'ansible-fixture__ubuntu_18.04__usr_lib_os-release',
    { os: { id: 'ubuntu', name: 'Ubuntu', idLike: ['debian'], versionId: '18.04', prettyName: 'Ubuntu 18.04.3 LTS' } },
  ],
  [
    'ansible-fixture__virtuozzo_7.3__etc_redhat-release',
    { line: { text: 'Virtuozzo Linux release 7.3', name: 'Virtuozzo Linux', version: '7.3' } },
  ],
  [
    'ansible-fixture__virtuozzo_7.3__etc_system-release',
    { line: { text: 'Virtuozzo release 7.0.3 (640)', name: 'Virtuozzo', version: '7.0.3' } },
  ],
  [
    'centos-release__centos7.9.2009-docker__22570915607.txt',
    { line: { text: 'CentOS Linux release 7.9.2009 (Core)', name: 'CentOS Linux', version: '7.9.2009' } },
  ],
  [
    'os-release__almalinux-9.3__hpc-816098349.txt',
    {
      os: {
        id: 'almalinux',
        name: 'AlmaLinux',
        idLike: ['rhel', 'centos', 'fedora'],
        versionId: '9.3',
        prettyName: 'AlmaLinux 9.3 (Shamrock Pampas Cat)',
      },
    },
  ],
  [
    'os-release__ubuntu-20.04.6__56154409354.txt',
    { os: { id: 'ubuntu', name: 'Ubuntu', idLike: ['debian'], versionId: '20.04', prettyName: 'Ubuntu 20.04.6 LTS' } },
  ],
  [
    'os-release__ubuntu-22.04.3__2546255092.txt',
    { os: { id: 'ubuntu', name: 'Ubuntu', idLike: ['debian'], versionId: '22.04', prettyName: 'Ubuntu 22.04.3 LTS' } },
  ],
  [
    'os-release__ubuntu-22.04.5__40849670137.txt',
    { os: { id: 'ubuntu', name: 'Ubuntu', idLike: ['debian'], versionId: '22.04', prettyName: 'Ubuntu 22.04.5 LTS' } },
  ],
  [
    'python-distro__almalinux10__usr_lib_almalinux-release',
    { line: { text: 'AlmaLinux release 10.0 (Purple Lion)', name: 'AlmaLinux', version: '10.0' } },
  ],
  [
    'python-distro__almalinux10__usr_lib_os-release',
    {
      os: {
        id: 'almalinux',
        name: 'AlmaLinux',
        idLike: ['rhel', 'centos', 'fedora'],
        versionId: '10.0',
        prettyName: 'AlmaLinux 10.0 (Purple Lion)',
      },
    },
  ],
  [
    'python-distro__centos5__etc_centos-release',
    { line: { text: 'CentOS release 5.11 (Final)', name: 'CentOS', version: '5.11' } },
  ],
  [
    'python-distro__centos7__etc_os-release',
    {
      os: {
        id: 'centos',
        name: 'CentOS Linux',
        idLike: ['rhel', 'fedora'],
        versionId: '7',
        prettyName: 'CentOS Linux 7 (Core)',
      },
    },
  ],
  [
    'python-distro__centosstream10__etc_os-release',
    {
      os: {
        id: 'centos',
        name: 'CentOS Stream',
        idLike: ['rhel', 'fedora'],
        versionId: '10',
        prettyName: 'CentOS Stream 10',
      },
    },
  ],
  [
    'python-distro__centosstream8__etc_os-release',
    {
      os: {
        id: 'centos',
        name: 'CentOS Stream',
        idLike: ['rhel', 'fedora'],
        versionId: '8',
        prettyName: 'CentOS Stream 8',
      },
    },
  ],
  [
    'python-distro__centosstream9__etc_os-release',
    {
      os: {
        id: 'centos',
        name: 'CentOS Stream',
        idLike: ['rhel', 'fedora'],
        versionId: '9',
        prettyName: 'CentOS Stream 9',
      },
    },
  ],
  [
    'python-distro__cloudlinux7__etc_os-release',
    {
      os: {
        id: 'cloudlinux',
        name: 'CloudLinux',
        idLike: ['rhel', 'fedora', 'centos'],
        versionId: '7.3',
        prettyName: 'CloudLinux 7.3 (Yury Malyshev)',
      },
    },
  ],
  [
    'python-distro__cloudlinux7__etc_redhat-release',
    { line: { text: 'CloudLinux release 7.3 (Yury Malyshev)', name: 'CloudLinux', version: '7.3' } },
  ],
  [
    'python-distro__oracle7__etc_os-release',
    {
      os: {
        id: 'ol',
        name: 'Oracle Linux Server',
        idLike: [],
        versionId: '7.5',
        prettyName: 'Oracle Linux Server 7.5',
      },
    },
  ],
  [
    'python-distro__rhel10__etc_os-release',
    {
      os: {
        id: 'rhel',
        name: 'Red Hat Enterprise Linux',
        idLike: ['centos', 'fedora'],
        versionId: '10.0',
        prettyName: 'Red Hat Enterprise Linux 10.0 (Coughlan)',
      },
    },
  ],
  [
    'python-distro__rhel6__etc_redhat-release',
    {
      line: {
        text: 'Red Hat Enterprise Linux Server release 6.5 (Santiago)',
        name: 'Red Hat Enterprise Linux Server',
        version: '6.5',
      },
    },
  ],
  [
    'python-distro__rhel7__etc_redhat-release',
    {
      line: {
        text: 'Red Hat Enterprise Linux Server release 7.0 (Maipo)',
        name: 'Red Hat Enterprise Linux Server',
        version: '7.0',
      },
    },
  ],
  [
    'python-distro__rhel9__etc_os-release',
    {
      os: {
        id: 'rhel',
        name: 'Red Hat Enterprise Linux',
        idLike: ['fedora'],
        versionId: '9.6',
        prettyName: 'Red Hat Enterprise Linux 9.6 (Plow)',
      },
    },
  ],
  [
    'python-distro__rocky10__etc_os-release',
    {
      os: {
        id: 'rocky',
        name: 'Rocky Linux',
        idLike: ['rhel', 'centos', 'fedora'],
        versionId: '10.0',
        prettyName: 'Rocky Linux 10.0 (Red Quartz)',
      },
    },
  ],
  [
    'python-distro__rocky9__usr_lib_os-release',
    {
      os: {
        id: 'rocky',
        name: 'Rocky Linux',
        idLike: ['rhel', 'centos', 'fedora'],
        versionId: '9.3',
        prettyName: 'Rocky Linux 9.3 (Blue Onyx)',
      },
    },
  ],
  [
    'python-distro__rocky9__usr_lib_rocky-release',
    { line: { text: 'Rocky Linux release 9.3 (Blue Onyx)', name: 'Rocky Linux', version: '9.3' } },
  ],
  [
    'python-distro__rocky__etc_rocky-release',
    { line: { text: 'Rocky Linux release 8.4 (Green Obsidian)', name: 'Rocky Linux', version: '8.4' } },
  ],
  [
    'python-distro__scientific7__etc_os-release',
    {
      os: {
        id: 'rhel',
        name: 'Scientific Linux',
        idLike: ['fedora'],
        versionId: '7.2',
        prettyName: 'Scientific Linux 7.2 (Nitrogen)',
      },
    },
  ],
  [
    'python-distro__scientific7__etc_redhat-release',
    { line: { text: 'Scientific Linux release 7.2 (Nitrogen)', name: 'Scientific Linux', version: '7.2' } },
  ],
  [
    'python-distro__scientific7__etc_sl-release',
    { line: { text: 'Scientific Linux release 7.2 (Nitrogen)', name: 'Scientific Linux', version: '7.2' } },
  ],
  ['python-distro__ubuntu24__etc_debian_version', 'neither'],
  ['python-distro__ubuntu24__etc_lsb-release', 'neither'],
  [
    'python-distro__ubuntu24__etc_os-release',
    { os: { id: 'ubuntu', name: 'Ubuntu', idLike: ['debian'], versionId: '24.04', prettyName: 'Ubuntu 24.04.3 LTS' } },
  ],
  [
    'redhat-release__redhat_release10__insights.txt',
    {
      line: {
        text: 'Red Hat Enterprise Linux Server release 6.10(Santiago)',
        name: 'Red Hat Enterprise Linux Server',
        version: '6.10',
      },
    },
  ],
  [
    'redhat-release__redhat_release2__insights.txt',
    {
      line: {
        text: 'Red Hat Enterprise Linux Server release 7.2 (Maipo)',
        name: 'Red Hat Enterprise Linux Server',
        version: '7.2',
      },
    },
  ],
  [
    'redhat-release__redhat_release8__insights.txt',
    {
      line: { text: 'Red Hat Enterprise Linux release 8.2 (Ootpa)', name: 'Red Hat Enterprise Linux', version: '8.2' },
    },
  ],
  [
    'redhat-release__redhat_release_beta__insights.txt',
    {
      line: {
        text: 'Red Hat Enterprise Linux Server release 8.5 Beta (Ootpa)',
        name: 'Red Hat Enterprise Linux Server',
        version: '8.5',
      },
    },
  ],
];

describe('release: every corpus release file', () => {
  it('covers the whole release category', () => {
    expect(TABLE.map(([file]) => file)).toEqual(corpusFiles('release'));
  });

  it.each(TABLE)('%s', (file, expected) => {
    const text = corpus('release', file);
    if (expected !== 'neither' && 'os' in expected) {
      const fact = releaseProbe.parse({
        osRelease: ok(text),
        centosRelease: missing('/etc/centos-release'),
        centosReleasePath: run('', '', 1),
      });
      expect(fact).toEqual({ osRelease: expected.os, centosRelease: null, centosReleasePath: null });
      expectUnparsable(() => parseCentosRelease(ok(text)));
    } else if (expected !== 'neither') {
      const fact = releaseProbe.parse({
        osRelease: missing('/usr/lib/os-release'),
        centosRelease: ok(text),
        centosReleasePath: ok('/etc/centos-release\n'),
      });
      expect(fact).toEqual({ osRelease: null, centosRelease: expected.line, centosReleasePath: '/etc/centos-release' });
      expectUnparsable(() => parseOsRelease(ok(text)));
    } else {
      expectUnparsable(() => parseOsRelease(ok(text)));
      expectUnparsable(() => parseCentosRelease(ok(text)));
    }
  });
});

describe('release: hosts', () => {
  it('Rocky 8.4: /etc/centos-release is a link to rocky-release, os-release ID says rocky', () => {
    const fact = releaseProbe.parse({
      osRelease: ok(corpus('release', 'ansible-fixture__rockylinux_8_3__etc_os-release')),
      centosRelease: ok(corpus('release', 'python-distro__rocky__etc_rocky-release')),
      centosReleasePath: ok('/etc/rocky-release\n'),
    });
    expect(fact.osRelease?.id).toBe('rocky');
    expect(fact.centosRelease).toEqual({
      text: 'Rocky Linux release 8.4 (Green Obsidian)',
      name: 'Rocky Linux',
      version: '8.4',
    });
    expect(fact.centosReleasePath).toBe('/etc/rocky-release');
  });

  it('CentOS Linux 7 and CentOS Stream 8/9 share ID=centos; NAME, VERSION_ID and the release file tell them apart', () => {
    const centos7 = releaseProbe.parse({
      osRelease: ok(corpus('release', 'python-distro__centos7__etc_os-release')),
      centosRelease: ok(corpus('release', 'centos-release__centos7.9.2009-docker__22570915607.txt')),
      centosReleasePath: ok('/etc/centos-release\n'),
    });
    const stream8 = releaseProbe.parse({
      osRelease: ok(corpus('release', 'ansible-fixture__centos_stream_8__usr_lib_os-release')),
      centosRelease: ok(corpus('release', 'ansible-fixture__centos_stream_8__etc_centos-release')),
      centosReleasePath: ok('/etc/centos-release\n'),
    });
    const stream9 = parseOsRelease(ok(corpus('release', 'python-distro__centosstream9__etc_os-release')));
    expect([centos7.osRelease!.id, stream8.osRelease!.id, stream9.id]).toEqual(['centos', 'centos', 'centos']);
    expect([centos7.osRelease!.name, stream8.osRelease!.name, stream9.name]).toEqual([
      'CentOS Linux',
      'CentOS Stream',
      'CentOS Stream',
    ]);
    expect([centos7.osRelease!.versionId, stream8.osRelease!.versionId, stream9.versionId]).toEqual(['7', '8', '9']);
    expect([centos7.centosRelease!.name, stream8.centosRelease!.name]).toEqual(['CentOS Linux', 'CentOS Stream']);
  });

  it("the local lab's os-release-centos-stream scenario writes CentOS Stream 8's real files", () => {
    expect(CENTOS_STREAM_8_RELEASE).toBe(corpus('release', 'ansible-fixture__centos_stream_8__etc_centos-release'));
    expect(CENTOS_STREAM_8_OS_RELEASE).toBe(corpus('release', 'ansible-fixture__centos_stream_8__usr_lib_os-release'));
  });

  it('CentOS 8.1: the trailing space of centos-release is stripped', () => {
    expect(corpus('release', 'ansible-fixture__centos_8_1__etc_centos-release')).toContain('(Core) \n');
    expect(parseCentosRelease(ok(corpus('release', 'ansible-fixture__centos_8_1__etc_centos-release'))).text).toBe(
      'CentOS Linux release 8.1.1911 (Core)',
    );
  });

  it('AlmaLinux 8.3 beta: trailing blanks after quoted values are ignored', () => {
    expect(parseOsRelease(ok(corpus('release', 'ansible-fixture__almalinux_8_3_beta__etc_os-release'))).id).toBe(
      'almalinux',
    );
  });

  it('this Debian 12 machine', () => {
    expect(releaseProbe.parse(debianHost('release'))).toEqual({
      osRelease: {
        id: 'debian',
        name: 'Debian GNU/Linux',
        idLike: [],
        versionId: '12',
        prettyName: 'Debian GNU/Linux 12 (bookworm)',
      },
      centosRelease: null,
      centosReleasePath: null,
    });
  });

  it('neither os-release file exists → osRelease null', () => {
    const fact = releaseProbe.parse({
      osRelease: missing('/usr/lib/os-release'),
      centosRelease: missing('/etc/centos-release'),
      centosReleasePath: run('', '', 1),
    });
    expect(fact).toEqual({ osRelease: null, centosRelease: null, centosReleasePath: null });
  });
});

describe('release: rejects what it does not understand', () => {
  it('cat and readlink disagree on existence', () => {
    expectUnparsable(() =>
      releaseProbe.parse({
        osRelease: missing('/usr/lib/os-release'),
        centosRelease: missing('/etc/centos-release'),
        centosReleasePath: ok('/etc/rocky-release\n'),
      }),
    );
  });

  it('permission denied is not "missing"', () => {
    expectUnparsable(() =>
      releaseProbe.parse({
        osRelease: run('', 'cat: /usr/lib/os-release: Permission denied\n', 1),
        centosRelease: missing('/etc/centos-release'),
        centosReleasePath: run('', '', 1),
      }),
    );
  });

  it('unquoted value with blanks, unterminated quote', () => {
    expectUnparsable(() => parseOsRelease(ok('ID=centos linux\n')));
    expectUnparsable(() => parseOsRelease(ok('ID="centos\n')));
  });

  it('CRLF os-release and release file parse like LF', () => {
    expect(parseOsRelease(ok('ID="rocky"\r\nVERSION_ID="9.3"\r\n'))).toEqual({
      id: 'rocky',
      name: null,
      idLike: [],
      versionId: '9.3',
      prettyName: null,
    });
    expect(parseCentosRelease(ok('CentOS Linux release 7.9.2009 (Core)\r\n')).version).toBe('7.9.2009');
  });

  it.each(Object.entries(HOSTILE))('hostile input %s is rejected by both parsers', (_name, text) => {
    expectUnparsable(() => parseOsRelease(ok(text)));
    expectUnparsable(() => parseCentosRelease(ok(text)));
  });
});
