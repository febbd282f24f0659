// Scenarios: named deviations from the tutorial's compliant state, applied to a fresh lab at `up`
// (before boot, on each host's overlay upper layer). mustFail lists `<host>:<check id>` entries,
// with `lab:` for cross-host checks; every entry was verified on a live lab.
import { $ } from 'zx';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostSetup } from './hosts.ts';
import type { HostName } from './topology.ts';

/** `<host>:<check id>`; a test keeps every check id in the registry. */
export type MustFail = `${HostName | 'lab'}:${string}`;

/** What a scenario may do to the freshly prepared (not yet booted) hosts. */
export interface ScenarioContext {
  host(name: HostName): HostSetup;
  read(host: HostName, path: string): Promise<string>;
  write(host: HostName, path: string, content: string | Uint8Array): Promise<void>;
  edit(host: HostName, path: string, fn: (text: string) => string): Promise<void>;
  /** `systemctl --root=... enable` — the unit starts at boot. */
  enable(host: HostName, unit: string): Promise<void>;
  /** Runs a command chrooted into the host's root (its upper layer takes the writes). */
  chroot(host: HostName, argv: readonly string[]): Promise<void>;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly mustFail: readonly MustFail[];
  /** Checks labspec must refuse to judge (error, saying why): what decides them is something it did not read. */
  readonly mustError?: readonly MustFail[];
  apply(ctx: ScenarioContext): Promise<void>;
}

const CHRONY_CONF = '/etc/chrony/chrony.conf';

/**
 * CentOS Stream 8's release files, byte for byte as the real distribution ships them (the same text as
 * tests/fixtures/corpus/release/ansible-fixture__centos_stream_8__{etc_centos-release,usr_lib_os-release}).
 */
export const CENTOS_STREAM_8_RELEASE = 'CentOS Stream release 8\n';
export const CENTOS_STREAM_8_OS_RELEASE = `NAME="CentOS Stream"
VERSION="8"
ID="centos"
ID_LIKE="rhel fedora"
VERSION_ID="8"
PLATFORM_ID="platform:el8"
PRETTY_NAME="CentOS Stream 8"
ANSI_COLOR="0;31"
CPE_NAME="cpe:/o:centos:centos:8"
HOME_URL="https://centos.org/"
BUG_REPORT_URL="https://bugzilla.redhat.com/"
REDHAT_SUPPORT_PRODUCT="Red Hat Enterprise Linux 8"
REDHAT_SUPPORT_PRODUCT_VERSION="CentOS Stream"
`;

const dropLine =
  (re: RegExp) =>
  (t: string): string =>
    t
      .split('\n')
      .filter((l) => !re.test(l))
      .join('\n');

export const scenarios: readonly Scenario[] = [
  {
    name: 'compliant',
    description: "The tutorial's end state on both hosts; every check passes.",
    mustFail: [],
    apply: async () => {},
  },
  {
    name: 'drift',
    description:
      'firewalld enabled+running on both hosts, compute1 /etc/hosts lacks controller, controller SELINUX=enforcing in config, controller `allow` commented out.',
    mustFail: [
      'controller:firewalld.stopped',
      'controller:firewalld.disabled',
      'compute1:firewalld.stopped',
      'compute1:firewalld.disabled',
      'controller:selinux.config',
      'controller:chrony.allow',
      'controller:chrony.serving',
      'compute1:hosts.controller',
      'compute1:chrony.source',
      'lab:topology.hosts',
      'lab:topology.ntp',
    ],
    apply: async (ctx) => {
      await ctx.enable('controller', 'firewalld.service');
      await ctx.enable('compute1', 'firewalld.service');
      await ctx.edit('compute1', '/etc/hosts', dropLine(/^\s*10\.0\.0\.100\s+controller\b/));
      await ctx.edit('controller', '/etc/selinux/config', (t) => t.replace(/^SELINUX=.*$/m, 'SELINUX=enforcing'));
      await ctx.edit('controller', CHRONY_CONF, (t) => t.replace(/^allow 10\.0\.0\.0\/24$/m, '#allow 10.0.0.0/24'));
    },
  },
  {
    name: 'os-release-debian',
    description: "controller shows its real Debian identity: no /etc/centos-release, Debian's /etc/os-release.",
    mustFail: ['controller:os.release'],
    apply: async (ctx) => {
      const root = ctx.host('controller').root;
      for (const f of ['etc/centos-release', 'etc/redhat-release', 'etc/system-release', 'etc/os-release']) {
        await rm(join(root, f), { force: true });
      }
      await $`ln -s ../usr/lib/os-release ${join(root, 'etc/os-release')}`;
    },
  },
  {
    name: 'os-release-centos-stream',
    description:
      "controller's release files are CentOS Stream 8's (ID=centos like CentOS Linux 7, but NAME, VERSION_ID and /etc/centos-release differ).",
    mustFail: ['controller:os.release'],
    apply: async (ctx) => {
      await ctx.write('controller', '/etc/centos-release', CENTOS_STREAM_8_RELEASE);
      await ctx.write('controller', '/etc/os-release', CENTOS_STREAM_8_OS_RELEASE);
    },
  },
  {
    name: 'hostname-wrong',
    description: 'compute1 boots with hostname compute-01 instead of compute1.',
    mustFail: ['compute1:host.hostname'],
    apply: async (ctx) => {
      await ctx.write('compute1', '/etc/hostname', 'compute-01\n');
    },
  },
  {
    name: 'hostname-transient',
    description:
      'compute1 runs as compute1 (nspawn sets it), but its /etc/hostname is empty: no static hostname, the name would not survive a reboot.',
    mustFail: ['compute1:host.hostname'],
    apply: async (ctx) => {
      await ctx.write('compute1', '/etc/hostname', '');
    },
  },
  {
    name: 'no-vmx',
    description: "compute1's /proc/cpuinfo has no vmx flag (no hardware virtualization).",
    mustFail: ['compute1:cpu.virtualization'],
    apply: async (ctx) => {
      ctx.host('compute1').vmx = false;
    },
  },
  {
    name: 'firewalld-running',
    description:
      'firewalld enabled and running on compute1 (default zone allows ssh; NTP replies are related traffic).',
    mustFail: ['compute1:firewalld.stopped', 'compute1:firewalld.disabled'],
    apply: async (ctx) => {
      await ctx.enable('compute1', 'firewalld.service');
    },
  },
  {
    name: 'networkmanager-running',
    description: 'NetworkManager enabled and running on compute1 (unmanaged-devices=* keeps it off eth0).',
    mustFail: ['compute1:networkmanager.stopped', 'compute1:networkmanager.disabled'],
    apply: async (ctx) => {
      await ctx.enable('compute1', 'NetworkManager.service');
    },
  },
  {
    name: 'selinux-config-permissive',
    description: 'controller has SELINUX=permissive in /etc/selinux/config (runtime stays Disabled).',
    mustFail: ['controller:selinux.config'],
    apply: async (ctx) => {
      await ctx.edit('controller', '/etc/selinux/config', (t) => t.replace(/^SELINUX=.*$/m, 'SELINUX=permissive'));
    },
  },
  {
    name: 'chrony-missing',
    description: 'chrony purged from compute1 (dpkg --purge in its upper layer); it cannot sync any more.',
    mustFail: ['compute1:chrony.installed', 'compute1:chrony.service', 'compute1:chrony.source', 'lab:topology.ntp'],
    apply: async (ctx) => {
      await ctx.chroot('compute1', ['dpkg', '--purge', 'chrony']);
      const root = ctx.host('compute1').root;
      // The image renamed the unit to chronyd.service, so dpkg does not own it: remove it too.
      for (const f of [
        'lib/systemd/system/chronyd.service',
        'etc/systemd/system/chronyd.service.d',
        'etc/systemd/system/multi-user.target.wants/chronyd.service',
        'etc/systemd/system/chrony.service',
        'etc/tmpfiles.d/labspec-chrony.conf',
      ]) {
        await rm(join(root, f), { recursive: true, force: true });
      }
    },
  },
  {
    name: 'chrony-no-upstream',
    description: "controller's chrony.conf has no `server 2.kr.pool.ntp.org iburst` line.",
    mustFail: ['controller:chrony.upstream'],
    apply: async (ctx) => {
      await ctx.edit('controller', CHRONY_CONF, dropLine(/^server 2\.kr\.pool\.ntp\.org\b/));
    },
  },
  {
    name: 'chrony-no-allow',
    description: "controller's `allow 10.0.0.0/24` removed: chronyd no longer opens UDP 123, compute1 cannot sync.",
    mustFail: ['controller:chrony.allow', 'controller:chrony.serving', 'compute1:chrony.source', 'lab:topology.ntp'],
    apply: async (ctx) => {
      await ctx.edit('controller', CHRONY_CONF, dropLine(/^allow\b/));
    },
  },
  {
    name: 'chrony-localclock',
    description:
      "controller uses ntpd's local clock `server 127.127.1.0` instead of `local stratum 10`: with the upstream unreachable it has no time to serve, so compute1 cannot sync.",
    mustFail: ['controller:chrony.localclock', 'compute1:chrony.source', 'lab:topology.ntp'],
    apply: async (ctx) => {
      await ctx.edit('controller', CHRONY_CONF, (t) => t.replace(/^local stratum 10$/m, 'server 127.127.1.0'));
    },
  },
  {
    name: 'chrony-deny-include',
    description:
      "controller's chrony.conf keeps `allow 10.0.0.0/24` but ends with `include /etc/chrony/deny.conf`, which holds `deny 10.0.0.101` (after a comment with a NUL byte): chronyd refuses compute1, which cannot sync.",
    mustFail: ['controller:chrony.allow', 'compute1:chrony.source', 'lab:topology.ntp'],
    apply: async (ctx) => {
      await ctx.edit('controller', CHRONY_CONF, (t) => `${t}include /etc/chrony/deny.conf\n`);
      await ctx.write(
        'controller',
        '/etc/chrony/deny.conf',
        Buffer.concat([Buffer.from('# labspec lab: a NUL \0 in a comment\n'), Buffer.from('deny 10.0.0.101\n')]),
      );
    },
  },
  {
    name: 'chrony-allow-confdir',
    description:
      "controller's `allow 10.0.0.0/24` moved out of chrony.conf into /etc/chrony/conf.d/lab.conf, read through `confdir /etc/chrony/conf.d` (chrony 4.0+): nothing fails.",
    mustFail: [],
    apply: async (ctx) => {
      await ctx.edit('controller', CHRONY_CONF, (t) =>
        dropLine(/^allow\b/)(t).replace(/^local stratum 10$/m, 'local stratum 10\nconfdir /etc/chrony/conf.d'),
      );
      await ctx.write('controller', '/etc/chrony/conf.d/lab.conf', '# the lab subnet\nallow 10.0.0.0/24\n');
    },
  },
  {
    name: 'chrony-not-restarted',
    description:
      "controller boots without `allow`; once chronyd runs, a oneshot unit appends `allow 10.0.0.0/24` to chrony.conf and nobody restarts chronyd (the student's classic): the file allows the lab, the running chronyd (chronyc accheck) denies it and opens no UDP 123.",
    mustFail: ['controller:chrony.allow', 'controller:chrony.serving', 'compute1:chrony.source', 'lab:topology.ntp'],
    apply: async (ctx) => {
      await ctx.edit('controller', CHRONY_CONF, dropLine(/^allow\b/));
      await ctx.write(
        'controller',
        '/etc/systemd/system/labspec-edit-chrony.service',
        [
          '[Unit]',
          'Description=labspec lab: edit chrony.conf after chronyd started, without restarting it',
          'After=chronyd.service',
          'Requires=chronyd.service',
          '',
          '[Service]',
          'Type=oneshot',
          'ExecStart=/bin/sh -c \'echo "allow 10.0.0.0/24" >> /etc/chrony/chrony.conf\'',
          '',
          '[Install]',
          'WantedBy=multi-user.target',
          '',
        ].join('\n'),
      );
      await ctx.enable('controller', 'labspec-edit-chrony.service');
    },
  },
  {
    name: 'chrony-other-config',
    description:
      "controller's chronyd is started with `-f /etc/chrony/lab.conf` (DAEMON_OPTS in /etc/default/chrony, Debian's /etc/sysconfig/chronyd), a copy of chrony.conf: the lab works, but chrony.conf is not what chronyd reads, so labspec refuses to judge the controller's chrony config.",
    mustFail: [],
    mustError: [
      'controller:chrony.upstream',
      'controller:chrony.allow',
      'controller:chrony.localclock',
      'lab:topology.ntp',
    ],
    apply: async (ctx) => {
      await ctx.write('controller', '/etc/chrony/lab.conf', await ctx.read('controller', CHRONY_CONF));
      await ctx.edit('controller', '/etc/default/chrony', (t) =>
        t.replace(/^DAEMON_OPTS="(.*)"$/m, 'DAEMON_OPTS="$1 -f /etc/chrony/lab.conf"'),
      );
    },
  },
  {
    name: 'hostile-output',
    description:
      "compliant, but root's shell greets every session with terminal junk, and controller's /etc/hosts holds control characters, invalid UTF-8, `]]>`, NUL, a forged frame and a 100 kB line (its chrony.conf a comment of such junk): no verdict may change, and the reports stay valid.",
    mustFail: [],
    apply: async (ctx) => {
      const junk = Buffer.concat([
        Buffer.from('\x1b[31m\x07 ]]> <![CDATA[ ]]> '),
        Buffer.from([0xff, 0xfe, 0xc3, 0x00]),
        Buffer.from(' \x1b]0;title\x07\r\nLABSPEC_00000000000000000000000000000000 end etcHosts.hosts 0\n'),
      ]);
      for (const host of ['controller', 'compute1'] as const) {
        await ctx.write(host, '/etc/labspec-junk', junk);
        await ctx.edit(host, '/root/.bashrc', (t) => `cat /etc/labspec-junk; cat /etc/labspec-junk >&2\n${t}`);
      }
      const longLine = Buffer.from(`# ${'x]]>'.repeat(25_000)}\n`);
      const hosts = Buffer.from(await ctx.read('controller', '/etc/hosts'));
      await ctx.write('controller', '/etc/hosts', Buffer.concat([hosts, Buffer.from('# '), junk, longLine]));
      // chronyd rejects unknown directives and over-long lines: only a comment, of junk, for it.
      const chrony = Buffer.from(await ctx.read('controller', CHRONY_CONF));
      await ctx.write(
        'controller',
        CHRONY_CONF,
        Buffer.concat([chrony, Buffer.from('# \x1b[31m\x07 ]]> '), Buffer.from([0xff, 0xfe]), Buffer.from(' ]]>\n')]),
      );
    },
  },
  {
    name: 'hosts-conflict',
    description: 'compute1 maps 10.0.0.200 controller (instead of 10.0.0.100), so it also cannot reach its NTP server.',
    mustFail: ['compute1:hosts.controller', 'compute1:chrony.source', 'lab:topology.hosts', 'lab:topology.ntp'],
    apply: async (ctx) => {
      await ctx.edit('compute1', '/etc/hosts', (t) =>
        t.replace(/^10\.0\.0\.100\s+controller$/m, '10.0.0.200 controller'),
      );
    },
  },
];

export function findScenario(name: string): Scenario {
  const s = scenarios.find((x) => x.name === name);
  if (!s) throw new Error(`labspec lab: unknown scenario '${name}'; known: ${scenarios.map((x) => x.name).join(', ')}`);
  return s;
}

/** Builds the context scenarios use to modify prepared host roots. */
export function scenarioContext(hosts: ReadonlyMap<HostName, HostSetup>): ScenarioContext {
  const host = (name: HostName): HostSetup => {
    const h = hosts.get(name);
    if (!h) throw new Error(`labspec lab: no host '${name}' in this lab`);
    return h;
  };
  const p = (name: HostName, path: string): string => join(host(name).root, path.replace(/^\/+/, ''));
  return {
    host,
    read: (name, path) => readFile(p(name, path), 'utf8'),
    write: (name, path, content) => writeFile(p(name, path), content),
    edit: async (name, path, fn) => {
      const before = await readFile(p(name, path), 'utf8');
      const after = fn(before);
      if (after === before) throw new Error(`labspec lab: scenario edit of ${name}:${path} changed nothing`);
      await writeFile(p(name, path), after);
    },
    enable: async (name, unit) => {
      await $`systemctl --root=${host(name).root} enable ${unit}`;
    },
    chroot: async (name, argv) => {
      await $({
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C' },
      })`chroot ${host(name).root} ${argv}`;
    },
  };
}
