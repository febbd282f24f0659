import { describe, expect, it } from 'vitest';
import { parse as parseShell } from 'shell-quote';
import { fact, type HostCheck, type LabView, type ObservedHost, type Verdict } from '../../../checks/check.ts';
import {
  chronyAllow,
  chronyInstalled,
  chronyLocalClock,
  chronyServing,
  chronyService,
  chronySource,
  chronyUpstream,
  describeWait,
} from '../../../checks/chrony.ts';
import { hostsEntryCheck } from '../../../checks/hosts.ts';
import { selinuxConfig, selinuxRuntime } from '../../../checks/selinux.ts';
import {
  firewalldDisabled,
  firewalldStopped,
  networkManagerDisabled,
  networkManagerStopped,
} from '../../../checks/services.ts';
import { cpuCount, cpuVirtualization, diskRoot, hostAddress, hostHostname, osRelease } from '../../../checks/system.ts';
import { topologyHosts, topologyNtp } from '../../../checks/topology.ts';
import { evaluateHostCheck, evaluateLabCheck } from '../../../checks/evaluate.ts';
import { checksForLab } from '../../../checks/registry.ts';
import { parseFacts } from '../../../facts/host-facts.ts';
import { InventoryError, parseInventory } from '../../../inventory/load.ts';
import type { HostIdentity } from '../../../inventory/schema.ts';
import type { ProbeName } from '../../../probes/index.ts';
import type { CommandOutput } from '../../../probes/probe.ts';
import { observeLabs } from '../../../run/judge.ts';
import { corpus, debianOutputs, gatheredHost, grepHnZ, labChronydStartup, sentCommands } from './support.ts';

// ---------------------------------------------------------------------------------------------
// A lab shaped like the OpenStack install guide's (controller 10.0.0.11, compute1 10.0.0.31),
// read by the real inventory parser; facts come from the real probe parsers over real outputs.
// ---------------------------------------------------------------------------------------------

function labOf(yaml: string): LabView {
  return parseInventory(yaml, 'lab.yaml').labs[0]!;
}
const LAB = labOf(`hosts:
  - name: controller
    address: 10.0.0.11
    role: controller
  - name: compute1
    address: 10.0.0.31
    role: compute
`);
const CONTROLLER: HostIdentity = LAB.hosts[0]!;
const COMPUTE: HostIdentity = LAB.hosts[1]!;

const ok = (stdout: string, stderr = ''): CommandOutput => ({ stdout, stderr, exitCode: 0 });
const exited = (exitCode: number, stdout: string, stderr = ''): CommandOutput => ({ stdout, stderr, exitCode });

/** Every probe output captured on a real Debian 12 machine (no systemd, no chrony, no SELinux). */
const DEBIAN = JSON.parse(corpus('debian12-this-host', 'probe-outputs.json')) as Record<
  string,
  Record<string, CommandOutput>
>;

/** The commands the real bundle sends this host for one probe: what a verdict's `source` names. */
function sent(spec: HostIdentity, probe: ProbeName, lab: LabView = LAB): string {
  return sentCommands({ role: spec.role, chronySyncWaitSeconds: lab.settings.chronySyncWaitSeconds })[probe];
}

/** The Debian capture with some parts replaced ("probe.part" → output), parsed by the real probes. */
function observe(spec: HostIdentity, overrides: Record<string, CommandOutput> = {}, lab: LabView = LAB): ObservedHost {
  const outputs = new Map<string, CommandOutput>();
  for (const [probe, parts] of Object.entries(DEBIAN))
    for (const [part, output] of Object.entries(parts)) outputs.set(`${probe}.${part}`, output);
  // This machine has no systemd (chrony-startup cannot read how chronyd starts): the lab host's answer stands in.
  outputs.set('chronyStartup.units', labChronydStartup());
  for (const [key, output] of Object.entries(overrides)) outputs.set(key, output);
  const commands = sentCommands({ role: spec.role, chronySyncWaitSeconds: lab.settings.chronySyncWaitSeconds });
  return { spec, facts: parseFacts(outputs), commands, unreachable: null };
}

function check(
  c: HostCheck,
  spec: HostIdentity,
  overrides: Record<string, CommandOutput> = {},
  lab: LabView = LAB,
): Verdict {
  return evaluateHostCheck(c, { lab, host: observe(spec, overrides, lab) });
}

/** A failure must say how to fix it; nothing else carries a fix. */
function expectFix(verdict: Verdict, fix?: string): void {
  if (verdict.status === 'fail') {
    expect(verdict.fix).not.toBe('');
    if (fix !== undefined) expect(verdict.fix).toBe(fix);
  } else {
    expect(verdict.fix).toBe('');
  }
}

// --- systemctl show: the corpus multi-unit sample's three block shapes, renamed to our units ---
const SHOW_SAMPLE = corpus(
  'systemd',
  'systemctl-show-multi-unit__THIRD-PARTY-HANDWRITTEN-not-found-shape__63604033285.txt',
)
  .trim()
  .split('\n\n');
const BLOCK = {
  running: SHOW_SAMPLE[0]!, // loaded active running enabled
  notFound: SHOW_SAMPLE[1]!, // not-found inactive dead ''
  stopped: SHOW_SAMPLE[2]!, // loaded inactive dead disabled
  masked: SHOW_SAMPLE[2]!
    .replace('LoadState=loaded', 'LoadState=masked')
    .replace(
      'UnitFileState=disabled',
      `UnitFileState=${corpus('systemd', 'is-enabled-firewalld__masked__3760043943.txt').trim()}`,
    ),
};
type Shape = keyof typeof BLOCK;
function show(
  firewalld: Shape,
  networkManager: Shape,
  chronyd: Shape,
  chrony: Shape = 'notFound',
): Record<string, CommandOutput> {
  const units: Array<[string, Shape]> = [
    ['firewalld.service', firewalld],
    ['NetworkManager.service', networkManager],
    ['chronyd.service', chronyd],
    ['chrony.service', chrony],
  ];
  return {
    'services.show': ok(`${units.map(([id, shape]) => BLOCK[shape].replace(/^Id=.*$/m, `Id=${id}`)).join('\n\n')}\n`),
  };
}
const SYSTEMCTL = sent(CONTROLLER, 'services');
const FIREWALL_NOT_RUNNING = {
  'firewallState.state': exited(252, '', corpus('firewall', 'firewall-cmd-state__centos7-not-running__7091394582.txt')),
};
const FIREWALL_RUNNING = {
  'firewallState.state': ok(corpus('firewall', 'firewall-cmd-state__centos7-running__7091394582.txt')),
};

// --- chrony ---
const chronyConf = (text: string, path = '/etc/chrony.conf') => ({ 'chronyConfig.files': grepHnZ({ [path]: text }) });
const CENTOS_STOCK = corpus('chrony', 'chrony.conf__centos7.7+-chrony3.4-stock__20642411258.conf');
const GUIDE_CONTROLLER = corpus('chrony', 'chrony.conf-snippet__openstack-install-guide-controller-rdo.txt');
const CENTOS_STOCK_LINES = CENTOS_STOCK.split('\n').length - 1;
const chronySources = (file: string) => ({ 'chronySources.sources': ok(corpus('chrony', file)) });
const COMPUTE_SOURCES_CMD = sent(COMPUTE, 'chronySources');

// --- release ---
const release = (osRelease: CommandOutput, centosRelease: CommandOutput, centosReleasePath: CommandOutput) => ({
  'release.osRelease': osRelease,
  'release.centosRelease': centosRelease,
  'release.centosReleasePath': centosReleasePath,
});
const RELEASE_SOURCE = sent(CONTROLLER, 'release');
const CENTOS_LINK = ok('/etc/centos-release\n');
const NO_CENTOS_RELEASE = {
  'release.centosRelease': exited(1, '', 'cat: /etc/centos-release: No such file or directory\n'),
  'release.centosReleasePath': exited(1, ''),
};
const NO_OS_RELEASE = {
  'release.osRelease': exited(
    1,
    '',
    'cat: /etc/os-release: No such file or directory\ncat: /usr/lib/os-release: No such file or directory\n',
  ),
};
const OS_RELEASE = {
  centos7: ok(corpus('release', 'python-distro__centos7__etc_os-release')),
  centosLinux8: ok(corpus('release', 'ansible-fixture__tencentos_3_1__usr_lib_os-release')),
  stream8: ok(corpus('release', 'python-distro__centosstream8__etc_os-release')),
  stream9: ok(corpus('release', 'python-distro__centosstream9__etc_os-release')),
  stream10: ok(corpus('release', 'python-distro__centosstream10__etc_os-release')),
  rocky83: ok(corpus('release', 'ansible-fixture__rockylinux_8_3__etc_os-release')),
};
const CENTOS_RELEASE = {
  centos79: ok(corpus('release', 'centos-release__centos7.9.2009-docker__22570915607.txt')),
  centos81: ok(corpus('release', 'ansible-fixture__centos_8_1__etc_centos-release')),
  stream8: ok(corpus('release', 'ansible-fixture__centos_stream_8__etc_centos-release')),
  centos67: ok(corpus('release', 'ansible-fixture__centos_6.7__etc_redhat-release')),
};
/** A CentOS 7.9.2009 host: the tutorial's release. */
const CENTOS_7 = release(OS_RELEASE.centos7, CENTOS_RELEASE.centos79, CENTOS_LINK);
const CENTOS_STREAM_8 = release(
  ok(corpus('release', 'ansible-fixture__centos_stream_8__usr_lib_os-release')),
  CENTOS_RELEASE.stream8,
  CENTOS_LINK,
);
/** Rocky 8.3: /etc/centos-release is a symlink to /etc/rocky-release. */
const ROCKY_8_3 = release(
  OS_RELEASE.rocky83,
  ok(corpus('release', 'ansible-fixture__rockylinux_8_3__etc_rocky-release')),
  ok('/etc/rocky-release\n'),
);
const releaseLab = (setting: string) =>
  labOf(`lab:\n  release: ${setting}\nhosts:\n  - name: controller\n    address: 10.0.0.11\n    role: controller\n`);
const inventoryProblems = (yaml: string): string[] => {
  try {
    parseInventory(yaml, 'lab.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(InventoryError);
    return (error as InventoryError).problems;
  }
  throw new Error('expected InventoryError, but the inventory was accepted');
};
const RELEASE_FIX_HINT = ', or, if the lab is meant to run what it runs, set lab.release: ';

describe('os.release (lab.release, default CentOS Linux 7)', () => {
  it('CentOS Linux 7.9.2009 (centos-release and os-release agree): pass, both files shown', () => {
    const v = check(osRelease, CONTROLLER, CENTOS_7);
    expect(LAB.settings.release).toEqual({ name: 'CentOS Linux', major: 7 });
    expect(v).toMatchObject({
      status: 'pass',
      expected: 'CentOS Linux 7',
      actual:
        '/etc/centos-release: CentOS Linux release 7.9.2009 (Core); os-release: NAME=CentOS Linux VERSION_ID=7 ID=centos',
      source: RELEASE_SOURCE,
    });
    expectFix(v);
  });

  it('CentOS Stream 8 (ID=centos like CentOS Linux): fail, saying what was found and what was expected', () => {
    const v = check(osRelease, CONTROLLER, CENTOS_STREAM_8);
    expect(v).toMatchObject({
      status: 'fail',
      expected: 'CentOS Linux 7',
      actual: '/etc/centos-release: CentOS Stream release 8; os-release: NAME=CentOS Stream VERSION_ID=8 ID=centos',
      source: RELEASE_SOURCE,
      message: 'found CentOS Stream release 8: /etc/centos-release names CentOS Stream; expected CentOS Linux 7',
    });
    expectFix(v, `install CentOS Linux 7 on controller${RELEASE_FIX_HINT}{ name: CentOS Stream, major: 8 }`);
  });

  it.each([
    ['Stream 8', OS_RELEASE.stream8, 'NAME=CentOS Stream'],
    ['Stream 9', OS_RELEASE.stream9, 'NAME=CentOS Stream'],
    ['Stream 10', OS_RELEASE.stream10, 'NAME=CentOS Stream'],
    ['CentOS Linux 8', OS_RELEASE.centosLinux8, 'VERSION_ID=8'],
  ])('a CentOS 7 centos-release, but the os-release of %s: fail on the os-release', (_name, os, says) => {
    const v = check(osRelease, CONTROLLER, release(os, CENTOS_RELEASE.centos79, CENTOS_LINK));
    expect(v).toMatchObject({
      status: 'fail',
      message: `found CentOS Linux release 7.9.2009 (Core), but os-release says ${says}; expected CentOS Linux 7`,
    });
    expectFix(v);
  });

  it('CentOS Linux 8.1 (the right name, another major version): fail', () => {
    const v = check(osRelease, CONTROLLER, release(OS_RELEASE.centosLinux8, CENTOS_RELEASE.centos81, CENTOS_LINK));
    expect(v).toMatchObject({
      status: 'fail',
      message:
        'found CentOS Linux release 8.1.1911 (Core): /etc/centos-release says version 8.1.1911; expected CentOS Linux 7',
    });
    expectFix(v, `install CentOS Linux 7 on controller${RELEASE_FIX_HINT}{ name: CentOS Linux, major: 8 }`);
  });

  it('CentOS 6.7 ("CentOS release 6.7", no os-release): fail', () => {
    const v = check(osRelease, CONTROLLER, {
      ...release(ok(''), CENTOS_RELEASE.centos67, CENTOS_LINK),
      ...NO_OS_RELEASE,
    });
    expect(v).toMatchObject({
      status: 'fail',
      actual: '/etc/centos-release: CentOS release 6.7 (Final); no os-release',
      message: 'found CentOS release 6.7 (Final): /etc/centos-release names CentOS; expected CentOS Linux 7',
    });
    expectFix(v, 'install CentOS Linux 7 on controller');
  });

  it('a CentOS 7 centos-release without any os-release: fail, nothing confirms it', () => {
    const v = check(osRelease, CONTROLLER, { ...CENTOS_7, ...NO_OS_RELEASE });
    expect(v).toMatchObject({
      status: 'fail',
      message:
        'found CentOS Linux release 7.9.2009 (Core), but no os-release (every CentOS since 7 has one) to confirm it; expected CentOS Linux 7',
    });
  });

  it('an os-release without NAME=: fail, it cannot tell CentOS Linux from CentOS Stream', () => {
    const noName = corpus('release', 'python-distro__centos7__etc_os-release').replace(/^NAME=.*\n/m, '');
    const v = check(osRelease, CONTROLLER, { ...CENTOS_7, 'release.osRelease': ok(noName) });
    expect(v).toMatchObject({
      status: 'fail',
      actual:
        '/etc/centos-release: CentOS Linux release 7.9.2009 (Core); os-release: NAME=(none) VERSION_ID=7 ID=centos',
      message: 'found CentOS Linux release 7.9.2009 (Core), but os-release says NAME=(none); expected CentOS Linux 7',
    });
  });

  it('an os-release without VERSION_ID, or a centos-release with no version: fail', () => {
    const noVersion = corpus('release', 'python-distro__centos7__etc_os-release').replace(/^VERSION_ID=.*\n/m, '');
    expect(check(osRelease, CONTROLLER, { ...CENTOS_7, 'release.osRelease': ok(noVersion) })).toMatchObject({
      status: 'fail',
      message:
        'found CentOS Linux release 7.9.2009 (Core), but os-release says VERSION_ID=(none); expected CentOS Linux 7',
    });
    // Not a real file: a centos-release whose word after "release" is not a number (as Kylin's "V10").
    expect(
      check(osRelease, CONTROLLER, { ...CENTOS_7, 'release.centosRelease': ok('CentOS Linux release Core\n') }),
    ).toMatchObject({
      status: 'fail',
      message: 'found CentOS Linux release Core: /etc/centos-release names no version; expected CentOS Linux 7',
    });
  });

  it('cat and readlink disagree on whether /etc/centos-release exists: error, never a pass', () => {
    const v = check(osRelease, CONTROLLER, { ...CENTOS_7, 'release.centosReleasePath': exited(1, '') });
    expect(v).toMatchObject({
      status: 'error',
      message: 'probe release: cat and readlink -e disagree on whether /etc/centos-release exists',
    });
  });

  it('Rocky 8.3, whose /etc/centos-release is a symlink to rocky-release: fail, the link is shown', () => {
    const v = check(osRelease, CONTROLLER, ROCKY_8_3);
    expect(v).toMatchObject({
      status: 'fail',
      expected: 'CentOS Linux 7',
      actual:
        '/etc/centos-release: Rocky Linux release 8.3 (-> /etc/rocky-release); os-release: NAME=Rocky Linux VERSION_ID=8.3 ID=rocky',
      source: RELEASE_SOURCE,
      message:
        "found Rocky Linux release 8.3: /etc/centos-release links to /etc/rocky-release, another distribution's release file; expected CentOS Linux 7",
    });
    expectFix(v, `install CentOS Linux 7 on controller${RELEASE_FIX_HINT}{ name: EL, major: 8 }`);
  });

  it('a centos-release that says CentOS Linux 7 but resolves to another file: fail', () => {
    const v = check(osRelease, CONTROLLER, { ...CENTOS_7, 'release.centosReleasePath': ok('/etc/rocky-release\n') });
    expect(v).toMatchObject({
      status: 'fail',
      message:
        "found CentOS Linux release 7.9.2009 (Core): /etc/centos-release links to /etc/rocky-release, another distribution's release file; expected CentOS Linux 7",
    });
  });

  it('CentOS Linux 7 release text but os-release ID=rocky: fail', () => {
    const v = check(osRelease, CONTROLLER, { ...CENTOS_7, 'release.osRelease': OS_RELEASE.rocky83 });
    expect(v).toMatchObject({
      status: 'fail',
      message: 'found CentOS Linux release 7.9.2009 (Core), but os-release says ID=rocky; expected CentOS Linux 7',
    });
  });

  it('Debian (no /etc/centos-release): fail', () => {
    const v = check(osRelease, CONTROLLER);
    expect(v).toMatchObject({
      status: 'fail',
      actual: 'no /etc/centos-release; os-release: NAME=Debian GNU/Linux VERSION_ID=12 ID=debian',
      message: 'found Debian GNU/Linux 12 (bookworm): /etc/centos-release does not exist; expected CentOS Linux 7',
    });
    expectFix(v, 'install CentOS Linux 7 on controller');
  });

  it('lab.release CentOS Stream 8: Stream 8 passes; CentOS Linux 7 and Stream 9 do not', () => {
    const stream8 = releaseLab('{ name: CentOS Stream, major: 8 }');
    expect(check(osRelease, CONTROLLER, CENTOS_STREAM_8, stream8)).toMatchObject({
      status: 'pass',
      expected: 'CentOS Stream 8',
    });
    expect(
      check(osRelease, CONTROLLER, release(OS_RELEASE.stream8, CENTOS_RELEASE.stream8, CENTOS_LINK), stream8),
    ).toMatchObject({ status: 'pass' });
    expect(check(osRelease, CONTROLLER, CENTOS_7, stream8)).toMatchObject({
      status: 'fail',
      message:
        'found CentOS Linux release 7.9.2009 (Core): /etc/centos-release names CentOS Linux; expected CentOS Stream 8',
    });
    const stream9 = releaseLab('{ name: CentOS Stream, major: 9 }');
    expect(check(osRelease, CONTROLLER, CENTOS_STREAM_8, stream9)).toMatchObject({
      status: 'fail',
      message: 'found CentOS Stream release 8: /etc/centos-release says version 8; expected CentOS Stream 9',
    });
  });

  it('lab.release CentOS Linux 8: CentOS Linux 8.1 passes', () => {
    const linux8 = releaseLab('{ name: CentOS Linux, major: 8 }');
    const v = check(
      osRelease,
      CONTROLLER,
      release(OS_RELEASE.centosLinux8, CENTOS_RELEASE.centos81, CENTOS_LINK),
      linux8,
    );
    expect(v).toMatchObject({ status: 'pass', expected: 'CentOS Linux 8' });
  });

  it('lab.release EL 8: Rocky 8.3 and CentOS Stream 8 pass; Debian, Rocky under EL 9 and a centos-release of 7 fail', () => {
    const el8 = releaseLab('{ name: EL, major: 8 }');
    const expected = 'RHEL or a distribution of its family (Rocky, AlmaLinux, Oracle Linux, CentOS …), major version 8';
    expect(check(osRelease, CONTROLLER, ROCKY_8_3, el8)).toMatchObject({ status: 'pass', expected });
    expect(check(osRelease, CONTROLLER, CENTOS_STREAM_8, el8)).toMatchObject({ status: 'pass' });
    expect(check(osRelease, CONTROLLER, {}, el8)).toMatchObject({
      status: 'fail',
      message: `found Debian GNU/Linux 12 (bookworm): os-release ID=debian is not RHEL's family; expected ${expected}`,
    });
    expect(check(osRelease, CONTROLLER, ROCKY_8_3, releaseLab('{ name: EL, major: 9 }'))).toMatchObject({
      status: 'fail',
      message:
        'found Rocky Linux release 8.3: os-release VERSION_ID=8.3; expected RHEL or a distribution of its family (Rocky, AlmaLinux, Oracle Linux, CentOS …), major version 9',
    });
    expect(
      check(osRelease, CONTROLLER, { ...ROCKY_8_3, 'release.centosRelease': CENTOS_RELEASE.centos79 }, el8),
    ).toMatchObject({
      status: 'fail',
      message: `found CentOS Linux release 7.9.2009 (Core): /etc/centos-release says CentOS Linux release 7.9.2009 (Core); expected ${expected}`,
    });
  });

  it('lab.release EL: no os-release, or one without VERSION_ID: fail', () => {
    const el8 = releaseLab('{ name: EL, major: 8 }');
    expect(check(osRelease, CONTROLLER, { ...NO_OS_RELEASE, ...NO_CENTOS_RELEASE }, el8)).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/^found no release file, and no os-release to tell its family; expected RHEL/),
    });
    const noVersion = corpus('release', 'ansible-fixture__rockylinux_8_3__etc_os-release').replace(
      /^VERSION_ID=.*\n/m,
      '',
    );
    expect(check(osRelease, CONTROLLER, { ...ROCKY_8_3, 'release.osRelease': ok(noVersion) }, el8)).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/^found Rocky Linux release 8.3: os-release has no numeric VERSION_ID; expected/),
    });
  });

  it("TencentOS's os-release-shaped centos-release is unparsable: error with the raw text, never a pass", () => {
    const tencent = corpus('release', 'ansible-fixture__tencentos_3_1__etc_centos-release');
    const v = check(
      osRelease,
      CONTROLLER,
      release(ok(corpus('release', 'ansible-fixture__tencentos_3_1__etc_os-release')), ok(tencent), CENTOS_LINK),
    );
    expect(v.status).toBe('error');
    expect(v.message).toBe('probe release: expected one line, got 17');
    expect(v.actual).toContain('[centosRelease] exit 0\nNAME="TencentOS Server"');
    expect(v.actual).toContain('NAME_ORIG="CentOS Linux"');
    expect(v.source).toBe(
      'cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release ; cat /etc/centos-release ; readlink -e /etc/centos-release',
    );
    expectFix(v);
  });

  it('an os-release that cannot be read (permission denied) or has a line in an unknown shape: error, never a pass', () => {
    const denied = check(osRelease, CONTROLLER, {
      ...CENTOS_7,
      'release.osRelease': exited(1, '', 'cat: /usr/lib/os-release: Permission denied\n'),
    });
    expect(denied).toMatchObject({ status: 'error', message: 'probe release: cat os-release exited 1' });
    const shape = check(osRelease, CONTROLLER, {
      ...CENTOS_7,
      'release.osRelease': ok(`${corpus('release', 'python-distro__centos7__etc_os-release')}NAME=CentOS Stream 8\n`),
    });
    expect(shape).toMatchObject({
      status: 'error',
      message: 'probe release: os-release value in an unknown quoting: CentOS Stream 8',
    });
  });
});

describe('lab.release in the inventory', () => {
  const HOSTS = 'hosts:\n  - name: controller\n    address: 10.0.0.11\n    role: controller\n';

  it('defaults to CentOS Linux 7; a class lab may set its own', () => {
    expect(LAB.settings.release).toEqual({ name: 'CentOS Linux', major: 7 });
    expect(releaseLab('{ name: EL, major: 9 }').settings.release).toEqual({ name: 'EL', major: 9 });
  });

  it('acceptRebuilds, its old key, is one located line saying what to write instead', () => {
    expect(inventoryProblems(`lab:\n  subnet: 10.0.0.0/24\n  acceptRebuilds: true\n${HOSTS}`)).toEqual([
      'lab.yaml:3 lab.acceptRebuilds: acceptRebuilds was replaced by lab.release: write `release: { name: EL, major: N }` instead, N the major version your hosts run (EL accepts RHEL and its rebuilds: Rocky, AlmaLinux, Oracle Linux, CentOS)',
    ]);
    expect(inventoryProblems(`lab:\n  acceptRebuilds: false\n${HOSTS}`)).toEqual([
      'lab.yaml:2 lab.acceptRebuilds: acceptRebuilds was replaced by lab.release: remove the line (the default is `release: { name: CentOS Linux, major: 7 }`)',
    ]);
  });

  it('an unknown name, a missing or fractional major, a string, an unknown key: one located line each', () => {
    expect(inventoryProblems(`lab:\n  release: { name: Rocky, major: 9 }\n${HOSTS}`)).toEqual([
      'lab.yaml:2 lab.release.name: expected CentOS Linux | CentOS Stream | EL',
    ]);
    expect(inventoryProblems(`lab:\n  release:\n    name: CentOS Stream\n${HOSTS}`)).toEqual([
      'lab.yaml:3 lab.release.major: expected the major version, a whole number such as 7',
    ]);
    expect(inventoryProblems(`lab:\n  release: { name: CentOS Linux, major: 7.9 }\n${HOSTS}`)).toEqual([
      'lab.yaml:2 lab.release.major: expected the major version, a whole number such as 7',
    ]);
    expect(inventoryProblems(`lab:\n  release: CentOS 7\n${HOSTS}`)).toEqual([
      'lab.yaml:2 lab.release: expected { name: CentOS Linux | CentOS Stream | EL, major: <number> }, e.g. { name: CentOS Linux, major: 7 }',
    ]);
    expect(inventoryProblems(`lab:\n  release:\n    name: CentOS Linux\n    major: 7\n    minor: 9\n${HOSTS}`)).toEqual(
      ['lab.yaml:5 lab.release.minor: unknown key'],
    );
  });
});

// --- hostname ---
const HOSTNAMECTL = {
  centos75: ok(corpus('hostnamectl', 'hostnamectl__centos7.5-kvm__18735020720.txt')),
  rocky94: ok(corpus('hostnamectl', 'hostnamectl__rocky9.4-virtualbox-systemd252__37540012707.txt')),
  /** Captured on the local lab: compute1 with an empty /etc/hostname, systemd 252. */
  unset252: ok(corpus('hostnamectl', 'hostnamectl__debian12-systemd252-nspawn-unset__labspec-lab.txt')),
  /** RHEL 7.0 (EL7's systemd) with no static hostname. */
  naEl7: ok(corpus('hostnamectl', 'hostnamectl__rhel7.0-static-unset-na__24236747490.txt')),
  /** Fedora 37 (systemd 251): "n/a" padded with blanks. */
  naPadded: ok(corpus('hostnamectl', 'hostnamectl__fedora37-systemd251-static-unset-na-padded__17817535175.txt')),
  /** This Debian 12 machine: not booted with systemd. */
  unavailable: DEBIAN['hostname']!['hostnamectl']!,
};
const ETC_HOSTNAME = {
  missing: exited(1, '', 'cat: /etc/hostname: No such file or directory\n'),
  empty: ok(''),
  denied: exited(1, '', 'cat: /etc/hostname: Permission denied\n'),
  of: (text: string) => ok(text),
};
const hostnameOf = (uname: string, hostnamectl: CommandOutput, etcHostname: CommandOutput) => ({
  'hostname.uname': ok(`${uname}\n`),
  'hostname.hostnamectl': hostnamectl,
  'hostname.etcHostname': etcHostname,
});

describe('host.hostname', () => {
  const SOURCE = sent(CONTROLLER, 'hostname');

  it('the three commands it reads are the sources it names', () => {
    expect(SOURCE).toBe('uname -n ; timeout 5 hostnamectl status ; cat /etc/hostname');
  });

  it('running "vm" on the Debian capture (hostnamectl unavailable, /etc/hostname vm): fail with hostnamectl set-hostname', () => {
    const v = check(hostHostname, CONTROLLER);
    expect(v).toMatchObject({
      status: 'fail',
      expected: 'controller',
      actual:
        "running vm; hostnamectl: not read (hostnamectl status exited 1: System has not been booted with systemd as init system (PID 1). Can't operate.); /etc/hostname: vm",
      source: SOURCE,
      message: 'the running hostname is vm',
    });
    expectFix(v, 'hostnamectl set-hostname controller');
  });

  it('running and static hostname right in both sources: pass', () => {
    const both = check(
      hostHostname,
      CONTROLLER,
      hostnameOf(
        'controller',
        ok(corpus('hostnamectl', 'hostnamectl__centos7.5-kvm__18735020720.txt').replace('h105', 'controller')),
        ETC_HOSTNAME.of('controller\n'),
      ),
    );
    expect(both).toMatchObject({
      status: 'pass',
      actual: 'running controller; hostnamectl: Static hostname: controller; /etc/hostname: controller',
    });
    expectFix(both);
  });

  it('running hostname right, static one (CentOS 7.5 sample: h105) different: fail', () => {
    const v = check(
      hostHostname,
      CONTROLLER,
      hostnameOf('controller', HOSTNAMECTL.centos75, ETC_HOSTNAME.of('h105\n')),
    );
    expect(v).toMatchObject({
      status: 'fail',
      actual: 'running controller; hostnamectl: Static hostname: h105; /etc/hostname: h105',
      message: 'the static hostname h105 (hostnamectl) takes over at the next boot',
    });
    expectFix(v, 'hostnamectl set-hostname controller');
  });

  it('hostnamectl names the host but /etc/hostname, read at boot, names another: fail', () => {
    const hostnamectl = ok(
      corpus('hostnamectl', 'hostnamectl__centos7.5-kvm__18735020720.txt').replace('h105', 'controller'),
    );
    const v = check(hostHostname, CONTROLLER, hostnameOf('controller', hostnamectl, ETC_HOSTNAME.of('compute-01\n')));
    expect(v).toMatchObject({
      status: 'fail',
      message: 'the static hostname compute-01 (/etc/hostname) takes over at the next boot',
    });
    expectFix(v, 'hostnamectl set-hostname controller');
  });

  it('Rocky 9.4 sample "Brazilia": matches the inventory name case-insensitively', () => {
    const lab = labOf('hosts:\n  - name: brazilia\n    address: 10.0.0.11\n    role: controller\n');
    const v = check(
      hostHostname,
      lab.hosts[0]!,
      hostnameOf('Brazilia', HOSTNAMECTL.rocky94, ETC_HOSTNAME.of('Brazilia\n')),
      lab,
    );
    expect(v).toMatchObject({
      status: 'pass',
      expected: 'brazilia',
      actual: 'running Brazilia; hostnamectl: Static hostname: Brazilia; /etc/hostname: Brazilia',
    });
    expectFix(v);
  });

  it('only a transient name: systemd 252 "Static hostname: (unset)" and an empty /etc/hostname (captured on the lab): fail', () => {
    const v = check(hostHostname, COMPUTE, hostnameOf('compute1', HOSTNAMECTL.unset252, ETC_HOSTNAME.empty));
    expect(v).toMatchObject({
      status: 'fail',
      expected: 'compute1',
      actual: 'running compute1; hostnamectl: Static hostname: (unset); /etc/hostname: empty',
      message:
        'no static hostname (hostnamectl: Static hostname: (unset)): compute1 is only transient and is lost at the next boot',
    });
    expectFix(v, 'hostnamectl set-hostname compute1');
  });

  it.each([
    [
      'EL7 "n/a", no /etc/hostname',
      HOSTNAMECTL.naEl7,
      ETC_HOSTNAME.missing,
      'Static hostname: n/a; /etc/hostname: missing',
    ],
    [
      'systemd 251 "n/a" padded with blanks, /etc/hostname only a comment',
      HOSTNAMECTL.naPadded,
      ETC_HOSTNAME.of('# set by DHCP\n'),
      'Static hostname: n/a; /etc/hostname: no name, only blank lines or comments',
    ],
  ])('only a transient name: %s: fail', (_why, hostnamectl, etcHostname, told) => {
    const v = check(hostHostname, COMPUTE, hostnameOf('compute1', hostnamectl, etcHostname));
    expect(v).toMatchObject({
      status: 'fail',
      actual: `running compute1; hostnamectl: ${told}`,
      message: `no static hostname (hostnamectl: Static hostname: n/a): compute1 is only transient and is lost at the next boot`,
    });
    expectFix(v, 'hostnamectl set-hostname compute1');
  });

  it('hostnamectl unavailable (no systemd or D-Bus): /etc/hostname decides', () => {
    const named = check(
      hostHostname,
      COMPUTE,
      hostnameOf('compute1', HOSTNAMECTL.unavailable, ETC_HOSTNAME.of('# the lab name\n\ncompute1\n')),
    );
    expect(named).toMatchObject({
      status: 'pass',
      actual: expect.stringMatching(
        /^running compute1; hostnamectl: not read \(hostnamectl status exited 1: .*\); \/etc\/hostname: compute1$/,
      ),
    });
    for (const [etcHostname, shown] of [
      [ETC_HOSTNAME.missing, 'missing'],
      [ETC_HOSTNAME.empty, 'empty'],
      [ETC_HOSTNAME.of('# the name is set by DHCP\n'), 'no name, only blank lines or comments'],
    ] as const) {
      const v = check(hostHostname, COMPUTE, hostnameOf('compute1', HOSTNAMECTL.unavailable, etcHostname));
      expect(v).toMatchObject({
        status: 'fail',
        message: `no static hostname (/etc/hostname: ${shown}): compute1 is only transient and is lost at the next boot`,
      });
      expectFix(v, 'hostnamectl set-hostname compute1');
    }
  });

  it('neither hostnamectl nor /etc/hostname could be read: error saying so, never a pass', () => {
    const v = check(
      hostHostname,
      COMPUTE,
      hostnameOf('compute1', exited(127, '', 'sh: 1: hostnamectl: not found\n'), ETC_HOSTNAME.denied),
    );
    expect(v).toMatchObject({
      status: 'error',
      expected: 'compute1',
      source: sent(COMPUTE, 'hostname'),
      message:
        'the static hostname could not be read (hostnamectl: not read (hostnamectl status exited 127: sh: 1: hostnamectl: not found); /etc/hostname: not read (cat /etc/hostname exited 1: cat: /etc/hostname: Permission denied)): compute1 may be only transient',
    });
    expectFix(v);
    const timedOut = check(hostHostname, COMPUTE, hostnameOf('compute1', exited(124, ''), ETC_HOSTNAME.denied));
    expect(timedOut).toMatchObject({
      status: 'error',
      message: expect.stringContaining('hostnamectl status timed out'),
    });
  });

  it('hostnamectl names the host and /etc/hostname cannot be read: hostnamed read it, pass', () => {
    const hostnamectl = ok(
      corpus('hostnamectl', 'hostnamectl__centos7.5-kvm__18735020720.txt').replace('h105', 'compute1'),
    );
    expect(check(hostHostname, COMPUTE, hostnameOf('compute1', hostnamectl, ETC_HOSTNAME.denied))).toMatchObject({
      status: 'pass',
    });
  });

  it('output it does not recognise: error with the raw text, never a pass', () => {
    const noStatic = check(
      hostHostname,
      COMPUTE,
      hostnameOf('compute1', ok('       Icon name: computer-vm\n'), ETC_HOSTNAME.of('compute1\n')),
    );
    expect(noStatic).toMatchObject({
      status: 'error',
      message: 'probe hostname: no Static hostname in hostnamectl output',
    });
    const twoWords = check(
      hostHostname,
      COMPUTE,
      hostnameOf('compute1 x', HOSTNAMECTL.rocky94, ETC_HOSTNAME.of('compute1\n')),
    );
    expect(twoWords).toMatchObject({ status: 'error', message: 'probe hostname: uname -n did not print one hostname' });
    const notAName = check(
      hostHostname,
      COMPUTE,
      hostnameOf('compute1', HOSTNAMECTL.unavailable, ETC_HOSTNAME.of('compute 1\n')),
    );
    expect(notAName).toMatchObject({
      status: 'error',
      message: 'probe hostname: /etc/hostname: not a hostname: compute 1',
    });
    expect(notAName.actual).toContain('[etcHostname] exit 0\ncompute 1');
    // A snapshot gathered before labspec read /etc/hostname: replayed, it errors; it never passes on hostnamectl alone.
    const outputs = new Map(Object.entries(hostnameOf('compute1', HOSTNAMECTL.rocky94, ok(''))));
    outputs.delete('hostname.etcHostname');
    const old = {
      spec: COMPUTE,
      facts: parseFacts(outputs),
      commands: sentCommands({ role: 'compute', chronySyncWaitSeconds: 10 }),
      unreachable: null,
    };
    expect(evaluateHostCheck(hostHostname, { lab: LAB, host: old })).toMatchObject({
      status: 'error',
      message: "probe hostname: part 'etcHostname' is missing",
    });
  });
});

describe('host.address', () => {
  const ADDR = {
    'addresses.addr': ok(corpus('network', 'ip-o-a__centos7-contrail-openstack-lab-secondary-32__29155103013.txt')),
  };

  it('the lab address on eth0 inside the lab subnet: pass', () => {
    const lab = labOf(
      'lab:\n  subnet: 192.168.120.0/24\nhosts:\n  - name: controller\n    address: 172.27.116.93\n    labAddress: 192.168.120.202\n    role: controller\n',
    );
    const v = check(hostAddress, lab.hosts[0]!, ADDR, lab);
    expect(v).toMatchObject({
      status: 'pass',
      expected: '192.168.120.202 on an interface, inside 192.168.120.0/24',
      actual: '192.168.120.202/24 on eth0',
      source: sent(CONTROLLER, 'addresses'),
    });
  });

  it('lab address not configured: fail, listing the IPv4 addresses seen', () => {
    const v = check(hostAddress, CONTROLLER, ADDR);
    expect(v).toMatchObject({
      status: 'fail',
      expected: '10.0.0.11 on an interface, inside 10.0.0.0/24',
      actual: '127.0.0.1/8 (lo), 192.168.120.202/24 (eth0), 172.27.116.93/23 (eth1), 172.27.116.120/32 (eth1)',
      message: '10.0.0.11 is not configured on any interface',
    });
    expectFix(v);
  });

  it('inventory lab address outside lab.subnet: fail, pointing at the inventory', () => {
    const lab = labOf('hosts:\n  - name: controller\n    address: 192.168.120.202\n    role: controller\n');
    const v = check(hostAddress, lab.hosts[0]!, ADDR, lab);
    expect(v).toMatchObject({
      status: 'fail',
      message: "the inventory's lab address 192.168.120.202 is outside 10.0.0.0/24",
    });
    expectFix(v, 'give the host an address inside lab.subnet, or correct labAddress in the inventory');
  });
});

describe('cpu.virtualization and cpu.count', () => {
  const OPTERON = { 'cpuinfo.cpuinfo': ok(corpus('cpu', 'proc-cpuinfo__amd-opteron-2216-svm__ansible.txt')) };
  const KVM_GUEST = {
    'cpuinfo.cpuinfo': ok(corpus('cpu', 'proc-cpuinfo__kvm-guest-xeon-e5-2680v2-no-vmx__ansible.txt')),
  };
  const SOURCE = sent(CONTROLLER, 'cpuinfo');

  it('AMD Opteron with svm: pass', () => {
    const v = check(cpuVirtualization, CONTROLLER, OPTERON);
    expect(v).toMatchObject({
      status: 'pass',
      expected: 'vmx or svm in /proc/cpuinfo flags',
      actual: 'svm',
      source: SOURCE,
    });
  });

  it('KVM guest without vmx (hypervisor flag set): fail', () => {
    const v = check(cpuVirtualization, COMPUTE, KVM_GUEST);
    expect(v).toMatchObject({
      status: 'fail',
      actual: 'neither flag (virtual machine without nested virtualization)',
      source: SOURCE,
      message: 'KVM cannot run instances without hardware virtualization',
    });
    expectFix(v);
  });

  it('cpu.count: 4 Opteron CPUs pass; the 2-CPU guest fails against minCpus 4', () => {
    expect(check(cpuCount, CONTROLLER, OPTERON)).toMatchObject({
      status: 'pass',
      expected: 'at least 2 CPUs',
      actual: '4',
      source: SOURCE,
    });
    const lab = labOf('lab:\n  minCpus: 4\nhosts:\n  - name: compute1\n    address: 10.0.0.31\n    role: compute\n');
    const v = check(cpuCount, lab.hosts[0]!, KVM_GUEST, lab);
    expect(v).toMatchObject({
      status: 'fail',
      expected: 'at least 4 CPUs',
      actual: '2',
      message: '2 CPU(s), fewer than lab.minCpus 4',
    });
    expectFix(v, 'give the host more vCPUs');
  });
});

describe('disk.root', () => {
  it('the Debian capture: 252 GiB root passes', () => {
    expect(check(diskRoot, CONTROLLER)).toMatchObject({
      status: 'pass',
      expected: '/ of at least 60 GiB',
      actual: '252.0 GiB (/dev/vda)',
      source: sent(CONTROLLER, 'disk'),
    });
  });

  it('RHEL 7 VMware df -alP sample: 17 GiB root fails', () => {
    const v = check(diskRoot, CONTROLLER, {
      'disk.df': ok(corpus('storage', 'df-alP__rhel7-vmware-mountpoint-with-spaces__insights.txt')),
    });
    expect(v).toMatchObject({
      status: 'fail',
      actual: '17.0 GiB (/dev/sda2)',
      message: '/ is 17.0 GiB (/dev/sda2), smaller than lab.minRootDiskGiB 60',
    });
    expectFix(v);
  });
});

describe('firewalld and NetworkManager', () => {
  it('firewalld stopped and disabled (systemd and firewall-cmd agree): both pass', () => {
    const facts = { ...show('stopped', 'stopped', 'running'), ...FIREWALL_NOT_RUNNING };
    expect(check(firewalldStopped, CONTROLLER, facts)).toMatchObject({
      status: 'pass',
      expected: 'not active (or not installed)',
      actual: 'ActiveState=inactive SubState=dead UnitFileState=disabled; firewall-cmd: not-running',
      source: `${SYSTEMCTL} ; ${sent(CONTROLLER, 'firewallState')}`,
    });
    expect(check(firewalldDisabled, CONTROLLER, facts)).toMatchObject({
      status: 'pass',
      expected: 'disabled, masked or not installed',
      actual: 'ActiveState=inactive SubState=dead UnitFileState=disabled',
      source: SYSTEMCTL,
    });
  });

  it('firewalld masked: disabled passes', () => {
    const v = check(firewalldDisabled, CONTROLLER, {
      ...show('masked', 'stopped', 'running'),
      ...FIREWALL_NOT_RUNNING,
    });
    expect(v).toMatchObject({ status: 'pass', actual: 'ActiveState=inactive SubState=dead UnitFileState=masked' });
  });

  it('firewalld not installed (LoadState=not-found, firewall-cmd missing): both pass', () => {
    const facts = show('notFound', 'stopped', 'running');
    expect(check(firewalldStopped, CONTROLLER, facts)).toMatchObject({
      status: 'pass',
      actual: 'not installed; firewall-cmd: not-installed',
    });
    expect(check(firewalldDisabled, CONTROLLER, facts)).toMatchObject({ status: 'pass', actual: 'not installed' });
  });

  it('firewalld running and enabled: both fail with the tutorial commands', () => {
    const facts = { ...show('running', 'stopped', 'running'), ...FIREWALL_RUNNING };
    const stopped = check(firewalldStopped, CONTROLLER, facts);
    expect(stopped).toMatchObject({
      status: 'fail',
      actual: 'ActiveState=active SubState=running UnitFileState=enabled',
      source: SYSTEMCTL,
      message: 'firewalld is active',
    });
    expectFix(stopped, 'systemctl stop firewalld');
    const disabled = check(firewalldDisabled, CONTROLLER, facts);
    expect(disabled).toMatchObject({ status: 'fail', message: 'firewalld is enabled and would start at boot' });
    expectFix(disabled, 'systemctl disable --now firewalld');
  });

  it('unit inactive but firewall-cmd --state says running: stopped fails', () => {
    const v = check(firewalldStopped, CONTROLLER, { ...show('stopped', 'stopped', 'running'), ...FIREWALL_RUNNING });
    expect(v).toMatchObject({
      status: 'fail',
      actual: 'ActiveState=inactive SubState=dead UnitFileState=disabled, but firewall-cmd --state says running',
      message: 'firewalld runs outside its systemd unit',
    });
    expectFix(v, 'pkill -f firewalld; systemctl disable --now firewalld');
  });

  it('NetworkManager running and enabled: both fail; stopped/disabled/masked/not-found pass', () => {
    const running = show('notFound', 'running', 'running');
    const v = check(networkManagerStopped, CONTROLLER, running);
    expect(v).toMatchObject({
      status: 'fail',
      message: 'NetworkManager is active',
      actual: 'ActiveState=active SubState=running UnitFileState=enabled',
    });
    expectFix(v, 'systemctl stop NetworkManager');
    expectFix(check(networkManagerDisabled, CONTROLLER, running), 'systemctl disable --now NetworkManager');
    for (const shape of ['stopped', 'masked', 'notFound'] as const) {
      const facts = show('notFound', shape, 'running');
      expect(check(networkManagerStopped, CONTROLLER, facts).status, shape).toBe('pass');
      expect(check(networkManagerDisabled, CONTROLLER, facts).status, shape).toBe('pass');
    }
  });

  it('systemctl show unparsable (the Debian capture: no systemd as PID 1): error with the raw text', () => {
    for (const c of [
      firewalldStopped,
      firewalldDisabled,
      networkManagerStopped,
      networkManagerDisabled,
      chronyService,
    ]) {
      const v = check(c, CONTROLLER);
      expect(v).toEqual({
        status: 'error',
        expected: c.title,
        actual:
          "[show] exit 1\n\n[show stderr]\nSystem has not been booted with systemd as init system (PID 1). Can't operate.\nFailed to connect to bus: Host is down\n",
        source: SYSTEMCTL,
        message: 'probe services: systemctl show exited 1',
        fix: '',
      });
    }
  });
});

describe('selinux.runtime and selinux.config', () => {
  const getenforce = (file: string) => ({ 'selinux.getenforce': ok(corpus('selinux', file)) });
  const config = (file: string) => ({ 'selinux.config': ok(corpus('selinux', file)) });

  it('getenforce Enforcing: runtime fails with setenforce 0', () => {
    const v = check(selinuxRuntime, CONTROLLER, getenforce('getenforce__enforcing__selinux-notes-host1.txt'));
    expect(v).toMatchObject({
      status: 'fail',
      expected: 'Permissive or Disabled',
      actual: 'enforcing',
      source: sent(CONTROLLER, 'selinux'),
      message: 'SELinux enforces now',
    });
    expectFix(v, 'setenforce 0');
  });

  it('Permissive and Disabled pass; no getenforce at all (Debian) passes as "no SELinux"', () => {
    expect(check(selinuxRuntime, CONTROLLER, getenforce('getenforce__permissive__insights.txt'))).toMatchObject({
      status: 'pass',
      actual: 'permissive',
    });
    expect(check(selinuxRuntime, CONTROLLER, getenforce('getenforce__disabled__insights.txt'))).toMatchObject({
      status: 'pass',
      actual: 'disabled',
    });
    expect(check(selinuxRuntime, CONTROLLER)).toMatchObject({
      status: 'pass',
      actual: 'no SELinux (no getenforce, no /sys/fs/selinux)',
    });
  });

  it('getenforce printing sestatus output is unparsable: error, not pass', () => {
    const v = check(selinuxRuntime, CONTROLLER, getenforce('sestatus__rhel7-enforcing__selinux-notes-host1.txt'));
    expect(v.status).toBe('error');
    expect(v.actual).toContain('SELinux status:');
    expect(v.source).toBe(sent(CONTROLLER, 'selinux'));
  });

  it('config: CentOS 7 stock SELINUX=disabled on line 8 passes with file:line', () => {
    const v = check(
      selinuxConfig,
      CONTROLLER,
      config('selinux-config__centos7-stock-disabled-trailing-spaces__wangyonglin-CentOS7.txt'),
    );
    expect(v).toMatchObject({
      status: 'pass',
      expected: 'SELINUX=disabled',
      actual: 'SELINUX=disabled',
      source: '/etc/selinux/config:8',
    });
  });

  it('config: RHEL 8 stock enforcing (line 7) and EL9 permissive (line 21) fail', () => {
    const enforcing = check(
      selinuxConfig,
      CONTROLLER,
      config('selinux-config__rhel8-stock-enforcing__rhcsa-notes.txt'),
    );
    expect(enforcing).toMatchObject({
      status: 'fail',
      actual: 'SELINUX=enforcing',
      source: '/etc/selinux/config:7',
      message: 'SELinux will be enforcing after the next boot',
    });
    expectFix(enforcing, "sed -i 's/^SELINUX=.*/SELINUX=disabled/' /etc/selinux/config");
    expect(
      check(
        selinuxConfig,
        CONTROLLER,
        config('selinux-config__el9-permissive-with-minimum-line__indonesian-notes.txt'),
      ),
    ).toMatchObject({
      status: 'fail',
      actual: 'SELINUX=permissive',
      source: '/etc/selinux/config:21',
    });
  });

  it('config missing (Debian) or without SELINUX=: fail with a precise fix', () => {
    const missing = check(selinuxConfig, CONTROLLER);
    expect(missing).toMatchObject({
      status: 'fail',
      actual: '/etc/selinux/config does not exist',
      source: '/etc/selinux/config',
    });
    expectFix(missing, 'echo SELINUX=disabled > /etc/selinux/config');
    const commented = corpus('selinux', 'selinux-config__rhel8-stock-enforcing__rhcsa-notes.txt').replace(
      'SELINUX=enforcing',
      '#SELINUX=enforcing',
    );
    const none = check(selinuxConfig, CONTROLLER, { 'selinux.config': ok(commented) });
    expect(none).toMatchObject({ status: 'fail', actual: 'no uncommented SELINUX= line' });
    expectFix(none, 'echo SELINUX=disabled >> /etc/selinux/config');
  });
});

describe('chrony.installed and chrony.service', () => {
  const PACKAGES_SOURCE = sent(CONTROLLER, 'packages');
  const rpm = (file: string, exitCode = 0) => ({
    'packages.rpm': exited(exitCode, corpus('packages', file)),
    'packages.dpkg': exited(127, '', 'sh: 1: dpkg-query: not found\n'),
  });

  it('rpm -q chrony on EL 8.10: pass with the version', () => {
    expect(
      check(chronyInstalled, CONTROLLER, rpm('rpm-q-chrony__el8.10-chrony-4.5-2.el8_10__rocky-docs.txt')),
    ).toMatchObject({
      status: 'pass',
      expected: 'chrony installed',
      actual: 'chrony 4.5-2.el8_10 (rpm)',
      source: PACKAGES_SOURCE,
    });
  });

  it('"package chrony is not installed" (rpm) and dpkg "un" (Debian): fail with yum install', () => {
    const v = check(chronyInstalled, CONTROLLER, rpm('rpm-q-chrony__rhel-not-installed__satellite-lab.txt', 1));
    expect(v).toMatchObject({
      status: 'fail',
      actual: 'not installed (rpm)',
      message: 'the chrony package is not installed',
    });
    expectFix(v, 'yum install -y chrony');
    expect(check(chronyInstalled, CONTROLLER)).toMatchObject({ status: 'fail', actual: 'not installed (dpkg)' });
  });

  it('chronyd running and enabled: pass; stopped and disabled: fail; neither unit: fail', () => {
    expect(check(chronyService, CONTROLLER, show('notFound', 'notFound', 'running'))).toMatchObject({
      status: 'pass',
      expected: 'ActiveState=active UnitFileState=enabled',
      actual: 'chronyd.service: ActiveState=active UnitFileState=enabled',
      source: SYSTEMCTL,
    });
    const stopped = check(chronyService, CONTROLLER, show('notFound', 'notFound', 'stopped'));
    expect(stopped).toMatchObject({
      status: 'fail',
      actual: 'chronyd.service: ActiveState=inactive UnitFileState=disabled',
      message: 'chronyd is inactive',
    });
    expectFix(stopped, 'systemctl enable --now chronyd');
    const none = check(chronyService, CONTROLLER, show('notFound', 'notFound', 'notFound'));
    expect(none).toMatchObject({
      status: 'fail',
      actual: 'no chronyd.service or chrony.service unit',
      message: 'chronyd is not installed',
    });
    expectFix(none);
  });

  it("Debian's chrony.service counts when chronyd.service is not found", () => {
    expect(check(chronyService, CONTROLLER, show('notFound', 'notFound', 'notFound', 'running'))).toMatchObject({
      status: 'pass',
      actual: 'chrony.service: ActiveState=active UnitFileState=enabled',
    });
  });
});

describe('chrony.upstream (controller)', () => {
  it('"server 2.kr.pool.ntp.org iburst" appended to the CentOS stock file: pass at its line', () => {
    const v = check(chronyUpstream, CONTROLLER, chronyConf(`${CENTOS_STOCK}server 2.kr.pool.ntp.org iburst\n`));
    expect(v).toMatchObject({
      status: 'pass',
      expected: 'server or pool 2.kr.pool.ntp.org',
      actual: 'server 2.kr.pool.ntp.org iburst',
      source: `/etc/chrony.conf:${CENTOS_STOCK_LINES + 1}`,
    });
  });

  it('the CentOS stock file: fail, listing the servers it does use', () => {
    const v = check(chronyUpstream, CONTROLLER, chronyConf(CENTOS_STOCK));
    expect(v).toMatchObject({
      status: 'fail',
      actual:
        'server 0.centos.pool.ntp.org iburst (/etc/chrony.conf:3); server 1.centos.pool.ntp.org iburst (/etc/chrony.conf:4); server 2.centos.pool.ntp.org iburst (/etc/chrony.conf:5); server 3.centos.pool.ntp.org iburst (/etc/chrony.conf:6)',
      source: '/etc/chrony.conf',
      message: 'chrony does not use 2.kr.pool.ntp.org',
    });
    expectFix(v, "echo 'server 2.kr.pool.ntp.org iburst' >> /etc/chrony.conf && systemctl restart chronyd");
  });

  it('no chrony config at all (Debian capture): fail "no server or pool line"', () => {
    expect(check(chronyUpstream, CONTROLLER)).toMatchObject({
      status: 'fail',
      actual: 'no server or pool line',
      source: sent(CONTROLLER, 'chronyConfig'),
    });
  });

  it('on a compute node: skip, saying why', () => {
    expect(check(chronyUpstream, COMPUTE, chronyConf(CENTOS_STOCK))).toEqual({
      status: 'skip',
      expected: '',
      actual: '',
      source: '',
      message: 'applies to controller hosts; compute1 is compute',
      fix: '',
    });
  });
});

describe('chrony.allow (controller)', () => {
  /** What the message adds when chronyd was not asked (the Debian capture: no compute address to ask about). */
  const NOT_ASKED =
    '; the running chronyd could not be asked (chronyd was not asked about compute1): chrony.conf decided alone';

  it("the install guide's controller snippet: allow 10.0.0.0/24 on line 2 passes", () => {
    const v = check(chronyAllow, CONTROLLER, chronyConf(GUIDE_CONTROLLER));
    expect(v).toMatchObject({
      status: 'pass',
      expected: 'allow rules granting 10.0.0.0/24',
      actual: '/etc/chrony.conf:2 allow 10.0.0.0/24 (allows 10.0.0.0/24)',
      source: '/etc/chrony.conf:2',
    });
  });

  it('stock CentOS file ("#allow 192.168.0.0/16" commented): fail with the allow line to add', () => {
    const v = check(chronyAllow, CONTROLLER, chronyConf(CENTOS_STOCK));
    expect(v).toMatchObject({
      status: 'fail',
      actual: 'no allow rule covers it (chrony denies by default)',
      source: '/etc/chrony.conf',
      message: `10.0.0.0/24 is not allowed${NOT_ASKED}`,
    });
    expectFix(v, "echo 'allow 10.0.0.0/24' >> /etc/chrony.conf && systemctl restart chronyd");
  });

  it('short form allow 10/8 passes; a more specific deny makes it fail naming the deny', () => {
    expect(
      check(chronyAllow, CONTROLLER, chronyConf(CENTOS_STOCK.replace('#allow 192.168.0.0/16', 'allow 10/8'))),
    ).toMatchObject({
      status: 'pass',
      source: '/etc/chrony.conf:26',
    });
    const v = check(
      chronyAllow,
      CONTROLLER,
      chronyConf(`${CENTOS_STOCK.replace('#allow 192.168.0.0/16', 'allow 10/8')}deny 10.0.0.128/25\n`),
    );
    const deny = `/etc/chrony.conf:${CENTOS_STOCK_LINES + 1} deny 10.0.0.128/25 (denies 10.0.0.128/25)`;
    expect(v).toMatchObject({
      status: 'fail',
      actual: `/etc/chrony.conf:26 allow 10/8 (allows 10.0.0.0/8); ${deny}`,
      source: '/etc/chrony.conf:26',
      message: `part of 10.0.0.0/24 is denied by ${deny}${NOT_ASKED}`,
    });
    expectFix(v, `sed -i '${CENTOS_STOCK_LINES + 1}s/^/#/' /etc/chrony.conf && systemctl restart chronyd`);
  });

  it('a deny naming a host labspec cannot resolve: fail, explained', () => {
    const v = check(chronyAllow, CONTROLLER, chronyConf(`${GUIDE_CONTROLLER}deny backup.example.edu\n`));
    expect(v).toMatchObject({
      status: 'fail',
      actual:
        '/etc/chrony.conf:2 allow 10.0.0.0/24 (allows 10.0.0.0/24); /etc/chrony.conf:3 deny backup.example.edu (host name not resolvable offline)',
      message: `/etc/chrony.conf:3 'deny backup.example.edu' names a host labspec cannot resolve offline; it may deny part of the subnet${NOT_ASKED}`,
    });
  });
});

describe('chrony.serving (controller)', () => {
  const SS = sent(CONTROLLER, 'udpListeners');
  const ALT = corpus('network', 'ss-ulnp-grep-123__altlinux-chronyd-on-0.0.0.0-123__53025777401.txt');

  it('chronyd on 0.0.0.0:123 (ALT Linux ss sample): pass', () => {
    expect(check(chronyServing, CONTROLLER, { 'udpListeners.sockets': ok(ALT) })).toMatchObject({
      status: 'pass',
      expected: 'chronyd on UDP 123 (wildcard or 10.0.0.11)',
      actual: '0.0.0.0:123 chronyd',
      source: SS,
    });
  });

  it('chronyd only on 323 (EL8 ss sample): fail "nothing on UDP 123"', () => {
    const v = check(chronyServing, CONTROLLER, {
      'udpListeners.sockets': ok(corpus('network', 'ss-nutlp__el8-chronyd-323-v4-v6__41716299580.txt')),
    });
    expect(v).toMatchObject({ status: 'fail', actual: 'nothing on UDP 123', message: 'nothing serves NTP to the lab' });
    expectFix(v);
  });

  it('ntpd holding UDP 123: fail naming it', () => {
    const v = check(chronyServing, CONTROLLER, { 'udpListeners.sockets': ok(ALT.replace('"chronyd"', '"ntpd"')) });
    expect(v).toMatchObject({
      status: 'fail',
      actual: '0.0.0.0:123 ntpd',
      message: 'UDP 123 belongs to ntpd, not chronyd',
    });
    expectFix(v, 'systemctl disable --now ntpd; systemctl restart chronyd');
  });

  // The same ALT sample as a non-root ss prints it: no users:(...) column.
  const ALT_NO_PROCESS = ALT.replace(/\s+users:\(\(.*\)\)/g, '');

  it('owner hidden (non-root) and chronyd active: error — chronyd running does not say it holds the port', () => {
    const v = check(chronyServing, CONTROLLER, {
      'udpListeners.sockets': ok(ALT_NO_PROCESS),
      ...show('stopped', 'stopped', 'running'),
    });
    expect(v).toMatchObject({
      status: 'error',
      actual: '0.0.0.0:123 (process not shown)',
      source: `${SS} ; ${SYSTEMCTL}`,
      message:
        'the owner of UDP 123 is not shown without root (chronyd.service is active, but another program could hold the port); run labspec as root',
    });
  });

  it('owner hidden and chronyd not running: fail — something else holds UDP 123', () => {
    const v = check(chronyServing, CONTROLLER, {
      'udpListeners.sockets': ok(ALT_NO_PROCESS),
      ...show('stopped', 'stopped', 'stopped'),
    });
    expect(v).toMatchObject({
      status: 'fail',
      actual: '0.0.0.0:123 (process not shown); chronyd is not running',
      message: 'something other than chronyd holds UDP 123',
    });
    expectFix(v);
  });
});

describe('chrony.source: how long the compute node waited for chronyd, and why (captured on the local lab)', () => {
  const LOCAL = labOf(`hosts:
  - name: controller
    address: 10.0.0.100
    role: controller
  - name: compute1
    address: 10.0.0.101
    role: compute
`);
  const COMPUTE1 = LOCAL.hosts[1]!;
  const CONF = chronyConf('server controller iburst\n', '/etc/chrony/chrony.conf');
  const captured = (sources: string, wait: string) => ({
    ...CONF,
    'chronySources.sources': ok(corpus('chrony', `chronyc-n-sources__labspec-lab-debian12-chrony4.3-${sources}.txt`)),
    'chronySources.wait': ok(corpus('chrony', `chrony-wait__labspec-lab-debian12-chrony4.3-${wait}.txt`)),
  });

  it('selected after a restart: pass, saying how long it waited', () => {
    const v = check(chronySource, COMPUTE1, captured('controller-selected', 'restarted-selected-after-4s'), LOCAL);
    expect(v).toMatchObject({ status: 'pass', message: 'waited 4s until a source was selected' });
  });

  it('the controller never answered, chronyd 10s old: fail, not waited, saying why', () => {
    const v = check(
      chronySource,
      COMPUTE1,
      captured('controller-denies-reach-0', 'controller-unsynchronised-no-reply'),
      LOCAL,
    );
    expect(v).toMatchObject({
      status: 'fail',
      message:
        "the controller is listed with state '?' and reach 0 (octal: 0 of the last 8 polls answered) but not selected (not waited: in its 10s of running, chronyd has had no answer from the controller (reach 0))",
    });
  });

  it('chronyd running 143s without a source: fail, not waited', () => {
    const v = check(
      chronySource,
      COMPUTE1,
      captured('controller-denies-reach-0', 'controller-denies-settled-after-143s'),
      LOCAL,
    );
    expect(v.message).toMatch(
      /\(not waited: chronyd has run 143s without selecting a source \(waiting helps in its first 120s\)\)$/,
    );
  });

  it('no server line for the controller: the wait is said too', () => {
    const v = check(
      chronySource,
      COMPUTE1,
      { ...captured('no-sources', 'drift-controller-unresolved-unlisted'), ...chronyConf(CENTOS_STOCK) },
      LOCAL,
    );
    expect(v).toMatchObject({
      status: 'fail',
      message: "chrony.conf does not name controller (not waited: the controller is not among chronyd's sources)",
    });
  });

  it.each([
    ['no-iburst-restarted-timeout', 'waited 10s (chronySyncWaitSeconds) for chronyd, running 11s, to select a source'],
    ['stopped-inactive', 'not waited: chronyd.service is inactive'],
    ['unit-removed-never-active', 'not waited: chronyd.service is inactive'],
  ])('%s: %s', (wait, said) => {
    const { value } = fact(observe(COMPUTE1, captured('controller-denies-reach-0', wait), LOCAL), 'chronySources');
    expect(describeWait(value.wait, 10)).toBe(said);
  });

  it('no wait recorded: chronySyncWaitSeconds 0, or a snapshot from before the wait said why it ended', () => {
    expect(describeWait(undefined, 0)).toBe('not waited: chronySyncWaitSeconds is 0');
    expect(describeWait(undefined, 10)).toBe('waited up to 10s');
  });
});

describe('chrony.source (compute)', () => {
  const HANLEY = chronyConf(
    corpus('chrony', 'chrony.conf__ubuntu-openstack-compute1__hanley-openstack.conf'),
    '/etc/chrony/chrony.conf',
  );

  it('Ubuntu compute1 (server controller on line 64) and chronyc selecting controller: pass', () => {
    const v = check(chronySource, COMPUTE, {
      ...HANLEY,
      ...chronySources('chronyc-sources__openstack-install-guide-other-node-server-controller.txt'),
    });
    expect(v).toMatchObject({
      status: 'pass',
      expected: 'a server line for controller (10.0.0.11), selected (^*) in chronyc sources',
      actual: 'server controller iburst (/etc/chrony/chrony.conf:64); selected: controller',
      source: `/etc/chrony/chrony.conf:64 ; ${COMPUTE_SOURCES_CMD}`,
    });
  });

  it('Ubuntu 22.04 compute: "server 10.0.0.11" names the controller, but chronyc selects an outside source: fail', () => {
    const v = check(chronySource, COMPUTE, {
      ...chronyConf(
        corpus('chrony', 'chrony.conf__ubuntu22.04-openstack-compute__Compute_Config_Files.conf'),
        '/etc/chrony/chrony.conf',
      ),
      ...chronySources('chronyc-sources__openstack-install-guide-controller.txt'),
    });
    expect(v).toMatchObject({
      status: 'fail',
      actual: 'server 10.0.0.11 iburst (/etc/chrony/chrony.conf:25); selected: 192.0.2.12',
      source: COMPUTE_SOURCES_CMD,
      message: 'the controller is not among the sources (waited up to 10s)',
    });
    expectFix(v, 'check that the controller allows this host (chrony.allow) and that UDP 123 is open between them');
  });

  it('no server line for the controller (CentOS stock): fail with the line to add', () => {
    const v = check(chronySource, COMPUTE, chronyConf(CENTOS_STOCK));
    expect(v).toMatchObject({
      status: 'fail',
      actual: 'no server line names the controller',
      source: '/etc/chrony.conf',
      message: 'chrony.conf does not name controller',
    });
    expectFix(v, "echo 'server controller iburst' >> /etc/chrony.conf && systemctl restart chronyd");
  });

  it('chronyd not answering (506): fail', () => {
    const v = check(chronySource, COMPUTE, {
      ...HANLEY,
      'chronySources.sources': exited(1, '506 Cannot talk to daemon\n'),
    });
    expect(v).toMatchObject({
      status: 'fail',
      actual: '506 Cannot talk to daemon',
      message: 'chronyc cannot query chronyd: 506 Cannot talk to daemon (waited up to 10s)',
    });
    expectFix(v, 'systemctl enable --now chronyd');
  });

  it('a lab without a controller cannot be evaluated: error, source inventory', () => {
    const lab = labOf('hosts:\n  - name: compute1\n    address: 10.0.0.31\n    role: compute\n');
    expect(check(chronySource, lab.hosts[0]!, HANLEY, lab)).toEqual({
      status: 'error',
      expected: chronySource.title,
      actual: '',
      source: 'inventory',
      message: 'the inventory has no controller in this lab to sync from',
      fix: '',
    });
  });

  it('on the controller: skip', () => {
    expect(check(chronySource, CONTROLLER, HANLEY)).toMatchObject({
      status: 'skip',
      message: 'applies to compute hosts; controller is controller',
    });
  });
});

describe('chrony.localclock', () => {
  const WITH_NTPD_LINE = `${CENTOS_STOCK}server 127.127.1.0\n`;
  const NTPD_LINE = `/etc/chrony.conf:${CENTOS_STOCK_LINES + 1}`;

  it('controller with "server 127.127.1.0" and no local: fail', () => {
    const v = check(chronyLocalClock, CONTROLLER, chronyConf(WITH_NTPD_LINE));
    expect(v).toMatchObject({
      status: 'fail',
      expected: 'local stratum 10 (chrony syntax), no server 127.127.1.0',
      actual: 'server 127.127.1.0',
      source: NTPD_LINE,
      message: `${NTPD_LINE} 'server 127.127.1.0' is ntpd's local-clock driver; chrony treats it as an ordinary, unreachable NTP server, so with the upstream unreachable the controller has no time to serve`,
    });
    expectFix(
      v,
      "replace 'server 127.127.1.0' with 'local stratum 10' in /etc/chrony.conf, then systemctl restart chronyd",
    );
  });

  it('controller with the stock "#local stratum 10" enabled (line 29): pass with a warning', () => {
    const v = check(
      chronyLocalClock,
      CONTROLLER,
      chronyConf(WITH_NTPD_LINE.replace('#local stratum 10', 'local stratum 10')),
    );
    expect(v.status).toBe('pass');
    expect(v.actual).toBe('server 127.127.1.0 (harmless: local stratum 10 at /etc/chrony.conf:29)');
    expect(v.message.startsWith('warning: ')).toBe(true);
    expect(v.message).toBe(
      `warning: ${NTPD_LINE} 'server 127.127.1.0' is ntpd's local-clock driver; chrony treats it as an ordinary, unreachable NTP server; remove it`,
    );
    expectFix(v);
  });

  it('compute with the ntpd line: pass with a warning; no such line: plain pass', () => {
    const compute = check(chronyLocalClock, COMPUTE, chronyConf(WITH_NTPD_LINE));
    expect(compute).toMatchObject({
      status: 'pass',
      expected: 'no server 127.127.1.0',
      actual: 'server 127.127.1.0 (harmless on a compute node)',
    });
    expect(compute.message).toMatch(/^warning: /);
    expect(check(chronyLocalClock, CONTROLLER, chronyConf(CENTOS_STOCK))).toMatchObject({
      status: 'pass',
      actual: 'no local clock line',
      source: '/etc/chrony.conf',
      message: '',
    });
    expect(
      check(chronyLocalClock, CONTROLLER, chronyConf(CENTOS_STOCK.replace('#local stratum 10', 'local stratum 10'))),
    ).toMatchObject({
      status: 'pass',
      actual: 'local stratum 10 (/etc/chrony.conf:29)',
      source: '/etc/chrony.conf:29',
    });
  });
});

describe('chrony checks never pass what they could not read, understand or compare', () => {
  // chrony installed: a chronyd exists whose start matters (rpmChrony, below).
  const startup = (name: string) => ({
    ...rpmChrony('3.4-1.el7'),
    'chronyStartup.units': {
      stdout: corpus('chrony', `chrony-startup__labspec-lab-debian12-systemd252-${name}.txt`),
      stderr: '',
      exitCode: 0,
    },
  });

  it.each([
    ['f-alt-conf-running-and-at-boot', 'running chronyd (pid 69)'],
    ['f-alt-conf-running-only', 'running chronyd (pid 69)'],
  ])('chronyd given another config file by -f (%s): every check that reads chrony.conf errors', (capture, origin) => {
    const outputs = { ...chronyConf(GUIDE_CONTROLLER), ...startup(capture) };
    for (const c of [chronyAllow, chronyUpstream, chronyLocalClock]) {
      expect(check(c, CONTROLLER, outputs)).toMatchObject({
        status: 'error',
        message: `${origin} reads /etc/chrony/alt.conf (-f in '/usr/sbin/chronyd -F 1 -f /etc/chrony/alt.conf -x'), not /etc/chrony.conf; labspec did not read /etc/chrony/alt.conf`,
        source: sent(CONTROLLER, 'chronyStartup'),
      });
    }
    expect(check(chronySource, COMPUTE, { ...chronyConf(GUIDE_CONTROLLER), ...startup(capture) }).status).toBe('error');
  });

  it('how chronyd starts could not be read (no systemd; a required EnvironmentFile missing): error, not a pass', () => {
    const noSystemd = { 'chronyStartup.units': DEBIAN.chronyStartup!.units! };
    for (const outputs of [noSystemd, startup('required-envfile-missing')])
      expect(
        check(chronyAllow, CONTROLLER, { ...chronyConf(GUIDE_CONTROLLER), ...rpmChrony('3.4-1.el7'), ...outputs }),
      ).toMatchObject({ status: 'error', message: expect.stringMatching(/^probe chrony-startup: /) });
  });

  it('no chrony package (the Debian capture): no chronyd to read another file, so chrony.conf decides', () => {
    const noSystemd = { 'chronyStartup.units': DEBIAN.chronyStartup!.units! };
    expect(check(chronyAllow, CONTROLLER, { ...chronyConf(GUIDE_CONTROLLER), ...noSystemd }).status).toBe('pass');
  });

  // A lab whose compute node has a lab address the accheck captures were made for (10.0.0.101 allowed,
  // 192.0.2.1 denied: captured on labspec's local lab, Debian 12, chrony 4.3).
  const ACCHECK_LAB = labOf(`lab:
  subnet: 192.0.2.0/24
hosts:
  - name: controller
    address: 192.0.2.100
    role: controller
  - name: compute1
    address: 192.0.2.1
    role: compute
`);
  const CTRL = ACCHECK_LAB.hosts[0]!;
  /** The accheck command recorded for the controller (this harness builds the bundle without peers). */
  const ACCHECK_CMD = sent(CTRL, 'chronyAccheck', ACCHECK_LAB);
  /** A captured accheck loop answer, re-addressed to 192.0.2.1 when it was asked about 10.0.0.101. */
  const accheck = (file: string, first = true) => {
    const text = corpus('chrony', file);
    const blocks = text.split(/(?=^accheck )/m);
    const block = blocks[first ? 0 : 1]!.replace(/^accheck \S+$/m, 'accheck 192.0.2.1');
    return { 'chronyAccheck.accheck': ok(block) };
  };
  const ALLOWED = accheck('chronyc-accheck-loop__labspec-lab-debian12-chrony4.3-root-208-allowed-209-denied.txt');
  const DENIED = accheck('chronyc-accheck-loop__labspec-lab-debian12-chrony4.3-root-208-allowed-209-denied.txt', false);
  const NOT_ROOT = accheck('chronyc-accheck-loop__labspec-lab-debian12-chrony4.3-non-root-501.txt');
  const STOPPED = accheck('chronyc-accheck-loop__labspec-lab-debian12-chrony4.3-chronyd-stopped-506.txt');
  const ALLOW_LAB = chronyConf('server 2.kr.pool.ntp.org iburst\nallow 192.0.2.0/24\n');
  const HOSTILE_SS = 'Netid State Recv-Q\n\u001b[31mudp UNCONN 0 0 0.0.0.0:123\n';
  const SELECTS_CONTROLLER = {
    ...chronySources('chronyc-sources__openstack-install-guide-other-node-server-controller.txt'),
  };
  const allow = (overrides: Record<string, CommandOutput>) => check(chronyAllow, CTRL, overrides, ACCHECK_LAB);
  const ntp = (controller: Record<string, CommandOutput>, compute: Record<string, CommandOutput>, lab = ACCHECK_LAB) =>
    evaluateLabCheck(topologyNtp, {
      lab,
      hosts: lab.hosts.map((h) => observe(h, h.role === 'controller' ? controller : compute, lab)),
    });
  const rpmChrony = (version: string) => ({
    'packages.rpm': ok(`chrony-${version}.x86_64\n`), // rpm -q's NVRA line, as in the CentOS 7 notes of the corpus
    'packages.dpkg': exited(127, '', 'sh: 1: dpkg-query: not found\n'),
  });

  it('chrony.allow: a deny hidden in an included file fails, naming it, with a fix that comments it out', () => {
    const v = check(chronyAllow, CONTROLLER, {
      'chronyConfig.files': grepHnZ({
        '/etc/chrony/chrony.conf': 'allow 10.0.0.0/24\ninclude /etc/chrony/deny.conf\n',
        '/etc/chrony/deny.conf': '# a NUL \0 in a comment\ndeny 10.0.0.31\n',
      }),
    });
    const deny = '/etc/chrony/deny.conf:2 deny 10.0.0.31 (denies 10.0.0.31/32)';
    expect(v).toMatchObject({
      status: 'fail',
      actual: `/etc/chrony/chrony.conf:1 allow 10.0.0.0/24 (allows 10.0.0.0/24); ${deny}`,
      message: expect.stringMatching(
        new RegExp(`^part of 10\\.0\\.0\\.0/24 is denied by ${deny.replace(/[.()/]/g, '\\$&')}`),
      ),
    });
    expectFix(v, "sed -i '2s/^/#/' /etc/chrony/deny.conf && systemctl restart chronyd");
  });

  it('every config check errors, naming the file, when a file chronyd reads cannot be read', () => {
    const unreadable = {
      'chronyConfig.files': grepHnZ({
        '/etc/chrony.conf':
          'server 2.kr.pool.ntp.org iburst\nlocal stratum 10\nallow 10.0.0.0/24\ninclude /etc/chrony.d/*.conf\n',
        '/etc/chrony.d/lab.conf': { unreadable: 'Permission denied' },
      }),
    };
    const reason =
      "probe chrony-config: cannot read /etc/chrony.d/lab.conf (named by /etc/chrony.conf:4 'include /etc/chrony.d/*.conf'): Permission denied";
    for (const c of [chronyUpstream, chronyAllow, chronyLocalClock])
      expect(check(c, CONTROLLER, unreadable), c.id).toMatchObject({ status: 'error', message: reason });
    expect(check(chronySource, COMPUTE, unreadable)).toMatchObject({ status: 'error', message: reason });
    expect(
      evaluateLabCheck(topologyNtp, { lab: LAB, hosts: [observe(CONTROLLER, unreadable), observe(COMPUTE)] }),
    ).toMatchObject({ status: 'error', message: reason });
  });

  it('chrony.localclock: the ntpd line in a confdir file is found', () => {
    const v = check(chronyLocalClock, CONTROLLER, {
      ...rpmChrony('4.5-2.el8_10'),
      'chronyConfig.files': grepHnZ({
        '/etc/chrony.conf': 'confdir /etc/chrony.d\n',
        '/etc/chrony.d/local.conf': 'server 127.127.1.0\n',
      }),
    });
    expect(v).toMatchObject({ status: 'fail', source: '/etc/chrony.d/local.conf:1' });
  });

  it('confdir/sourcedir on chrony 3.4 (chronyd stops at them), or a version labspec cannot read: error', () => {
    const confdir = {
      'chronyConfig.files': grepHnZ({ '/etc/chrony.conf': 'allow 10.0.0.0/24\nconfdir /etc/chrony.d\n' }),
    };
    expect(check(chronyAllow, CONTROLLER, { ...confdir, ...rpmChrony('3.4-1.el7') })).toMatchObject({
      status: 'error',
      message:
        '/etc/chrony.conf:2 \'confdir /etc/chrony.d\': it needs chrony 4.0 or later; chrony 3.4-1.el7 stops at it ("Invalid directive") and chronyd does not start',
    });
    expect(check(chronyAllow, CONTROLLER, { ...confdir, ...rpmChrony('4.5-2.el8_10') }).status).toBe('pass');
    expect(check(chronyAllow, CONTROLLER, { ...confdir, ...rpmChrony('git-1.el7') })).toMatchObject({
      status: 'error',
      message: expect.stringContaining('labspec cannot tell from chrony version git-1.el7 whether it reads it'),
    });
    const sourcedir = {
      'chronyConfig.files': grepHnZ({ '/etc/chrony.conf': 'server controller iburst\nsourcedir /run/chrony-dhcp\n' }),
      ...rpmChrony('3.4-1.el7'),
    };
    for (const c of [chronyUpstream, chronyLocalClock])
      expect(check(c, CONTROLLER, sourcedir).message, c.id).toMatch(
        /^\/etc\/chrony\.conf:2 'sourcedir \/run\/chrony-dhcp': it needs chrony 4\.0/,
      );
    expect(check(chronySource, COMPUTE, sourcedir).status).toBe('error');
  });

  it('chrony.allow: a compute whose lab address is not IPv4 is not asked about, and the message says so', () => {
    const lab: LabView = { ...LAB, hosts: [CONTROLLER, { ...COMPUTE, labAddress: 'compute1.example.net' }] };
    expect(check(chronyAllow, CONTROLLER, chronyConf(GUIDE_CONTROLLER), lab)).toMatchObject({
      status: 'pass',
      message:
        "the running chronyd could not be asked (compute1's lab address compute1.example.net is not an IPv4 address): chrony.conf decided alone",
    });
  });

  it('chrony.serving and chrony.source: ss or chronyc output not recognised → error with the raw text', () => {
    expect(check(chronyServing, CONTROLLER, { 'udpListeners.sockets': ok(HOSTILE_SS) })).toMatchObject({
      status: 'error',
      source: sent(CONTROLLER, 'udpListeners'),
    });
    expect(
      check(chronySource, COMPUTE, {
        ...chronyConf('server controller iburst\n'),
        ...chronySources('chronyc-sourcestats__upstream-doc-example__chrony3.4-with-210-header.txt'),
      }),
    ).toMatchObject({ status: 'error', message: 'probe chrony-sources: no chronyc sources header and "=====" rule' });
  });

  it('chrony.allow: the running chronyd agrees (accheck 208): pass, both views shown', () => {
    const v = allow({ ...ALLOW_LAB, ...ALLOWED });
    expect(v).toMatchObject({
      status: 'pass',
      actual:
        '/etc/chrony.conf:2 allow 192.0.2.0/24 (allows 192.0.2.0/24); running chronyd allows compute1 (192.0.2.1)',
      source: `/etc/chrony.conf:2 ; ${ACCHECK_CMD}`,
      message: '',
    });
  });

  it('chrony.allow: chrony.conf allows, the running chronyd denies (edited, not restarted): fail saying so', () => {
    const v = allow({ ...ALLOW_LAB, ...DENIED });
    expect(v).toMatchObject({
      status: 'fail',
      message:
        'chrony.conf allows 192.0.2.0/24, but the running chronyd denies compute1 (192.0.2.1): chronyd was not restarted since chrony.conf changed (or its rules were changed with chronyc)',
    });
    expectFix(v, 'systemctl restart chronyd');
  });

  it('chrony.allow: chrony.conf denies, the running chronyd still allows: fail, and says a restart will cut it off', () => {
    const v = allow({ ...chronyConf('server 2.kr.pool.ntp.org iburst\n'), ...ALLOWED });
    expect(v).toMatchObject({
      status: 'fail',
      message:
        '192.0.2.0/24 is not allowed; the running chronyd allows compute1 (192.0.2.1) until its next restart (chrony.conf changed since it started)',
    });
  });

  it('chrony.allow and topology.ntp: chronyd could not be asked (not root 501, stopped 506): chrony.conf decides, the message says so', () => {
    expect(allow({ ...ALLOW_LAB, ...NOT_ROOT })).toMatchObject({
      status: 'pass',
      source: '/etc/chrony.conf:2',
      message: 'the running chronyd could not be asked (501 Not authorised): chrony.conf decided alone',
    });
    expect(allow({ ...chronyConf('server 2.kr.pool.ntp.org iburst\n'), ...STOPPED })).toMatchObject({
      status: 'fail',
      message:
        '192.0.2.0/24 is not allowed; the running chronyd could not be asked (506 Cannot talk to daemon): chrony.conf decided alone',
    });
    const COMPUTE_SELECTS_IT = {
      'chronySources.sources': ok(
        corpus('chrony', 'chronyc-sources__openstack-install-guide-other-node-server-controller.txt').replace(
          'controller',
          '192.0.2.100',
        ),
      ),
    };
    expect(ntp({ ...ALLOW_LAB, ...NOT_ROOT }, COMPUTE_SELECTS_IT)).toMatchObject({
      status: 'pass',
      message: 'the running chronyd could not be asked (501 Not authorised): chrony.conf decided alone',
    });
    expect(ntp({ ...ALLOW_LAB, ...DENIED }, COMPUTE_SELECTS_IT)).toMatchObject({
      status: 'fail',
      actual:
        "controller's running chronyd denies compute1 (192.0.2.1) although chrony.conf allows it: chronyd was not restarted since chrony.conf changed",
    });
    expect(ntp({ ...ALLOW_LAB, ...ALLOWED }, COMPUTE_SELECTS_IT)).toMatchObject({
      status: 'pass',
      source: expect.stringContaining(`controller: ${ACCHECK_CMD}`),
      message: '',
    });
  });

  it('an accheck answer labspec does not understand: error with the raw text, never a pass', () => {
    for (const v of [
      allow({ ...ALLOW_LAB, 'chronyAccheck.accheck': ok('accheck 192.0.2.1\n200 OK\nexit 0\n') }),
      ntp({ ...ALLOW_LAB, 'chronyAccheck.accheck': ok('accheck 192.0.2.1\n200 OK\nexit 0\n') }, SELECTS_CONTROLLER),
    ]) {
      expect(v).toMatchObject({
        status: 'error',
        message: 'probe chrony-accheck: chronyc accheck 192.0.2.1 exited 0 saying: 200 OK',
      });
    }
  });

  it('chrony.upstream: noselect/offline fail; an option labspec does not know, or one without its value, errors', () => {
    const upstream = (line: string) => check(chronyUpstream, CONTROLLER, chronyConf(`${line}\nallow 10.0.0.0/24\n`));
    expect(upstream('server 2.kr.pool.ntp.org iburst minpoll 4 maxpoll 6').status).toBe('pass');
    expect(upstream('server 2.kr.pool.ntp.org iburst noselect')).toMatchObject({
      status: 'fail',
      source: '/etc/chrony.conf:1',
      message: "/etc/chrony.conf:1 'server 2.kr.pool.ntp.org iburst noselect' has noselect: chronyd never selects it",
      fix: 'remove noselect/offline from /etc/chrony.conf:1, then systemctl restart chronyd',
    });
    expect(upstream('pool 2.kr.pool.ntp.org offline').status).toBe('fail');
    expect(upstream('server 2.kr.pool.ntp.org iburst bogus')).toMatchObject({
      status: 'error',
      message:
        "/etc/chrony.conf:1 'server 2.kr.pool.ntp.org iburst bogus': option bogus is not one labspec knows, so it cannot tell whether chronyd accepts this line",
    });
    expect(upstream('server 2.kr.pool.ntp.org minpoll').status).toBe('error');
    expect(check(chronySource, COMPUTE, chronyConf('server controller iburst bogus\n')).status).toBe('error');
  });

  it('chrony.source: Reach is shown as chronyc prints it (octal), not converted again', () => {
    const lab = labOf(`hosts:
  - name: controller
    address: 192.0.2.11
    role: controller
  - name: compute1
    address: 10.0.0.31
    role: compute
`);
    const v = check(
      chronySource,
      lab.hosts[1]!,
      {
        ...chronyConf('server 192.0.2.11 iburst\n'),
        ...chronySources('chronyc-sources__openstack-install-guide-controller.txt'),
      },
      lab,
    );
    expect(v).toMatchObject({
      status: 'fail',
      message:
        "the controller is listed with state '-' and reach 12 (octal: 2 of the last 8 polls answered) but not selected (waited up to 10s)",
    });
  });

  it('chrony.installed and chrony.service: package or unit output not recognised → error with the raw text', () => {
    const garbled = {
      'packages.rpm': ok('chrony-4.5-2.el8_10.x86_64\nchrony-3.4-1.el7.x86_64\n'),
      'packages.dpkg': exited(127, '', 'sh: 1: dpkg-query: not found\n'),
    };
    expect(check(chronyInstalled, CONTROLLER, garbled)).toMatchObject({
      status: 'error',
      source: sent(CONTROLLER, 'packages'),
    });
    // The Debian capture: systemctl without systemd as PID 1.
    expect(check(chronyService, CONTROLLER)).toMatchObject({ status: 'error', source: sent(CONTROLLER, 'services') });
  });

  it('topology.ntp: compute nodes but no controller in the inventory: error, like chrony.source', () => {
    const lab = labOf('hosts:\n  - name: compute1\n    address: 10.0.0.31\n    role: compute\n');
    expect(evaluateLabCheck(topologyNtp, { lab, hosts: [observe(lab.hosts[0]!, {}, lab)] })).toMatchObject({
      status: 'error',
      source: 'inventory',
      message: 'the inventory has no controller in this lab for its compute nodes to sync from',
    });
  });

  it('topology.ntp: a compute whose lab address is not IPv4 cannot be checked against allow rules: error', () => {
    // The inventory refuses such a lab address; a lab view built otherwise must still never pass.
    const lab: LabView = { ...LAB, hosts: [CONTROLLER, { ...COMPUTE, labAddress: 'compute1.example.net' }] };
    expect(ntp(chronyConf(GUIDE_CONTROLLER), SELECTS_CONTROLLER, lab)).toMatchObject({
      status: 'error',
      message: expect.stringContaining('compute1 (compute1.example.net): the lab address is not an IPv4 address'),
    });
  });
});

describe('hosts.<name>', () => {
  const GUIDE_HOSTS = {
    'etcHosts.hosts': ok(corpus('hosts', 'hosts__openstack-install-guide-controller-compute1-block1-object.txt')),
  };
  const HANLEY_HOSTS = {
    'etcHosts.hosts': ok(corpus('hosts', 'hosts__ubuntu-openstack-compute1__hanley-openstack.txt')),
  };

  it('the install guide /etc/hosts maps both lab hosts: pass with file:line', () => {
    const controller = check(hostsEntryCheck(CONTROLLER), COMPUTE, GUIDE_HOSTS);
    expect(controller).toMatchObject({
      status: 'pass',
      expected: '10.0.0.11 controller',
      actual: '/etc/hosts:2 10.0.0.11 controller',
      source: '/etc/hosts:2',
    });
    expect(hostsEntryCheck(CONTROLLER).id).toBe('hosts.controller');
    expect(check(hostsEntryCheck(COMPUTE), CONTROLLER, GUIDE_HOSTS)).toMatchObject({
      status: 'pass',
      source: '/etc/hosts:5',
    });
  });

  it('an alias counts', () => {
    expect(
      check(hostsEntryCheck(CONTROLLER), COMPUTE, {
        'etcHosts.hosts': ok('127.0.0.1 localhost\n10.0.0.11 controller.lab.example controller\n'),
      }),
    ).toMatchObject({
      status: 'pass',
      actual: '/etc/hosts:2 10.0.0.11 controller.lab.example controller',
    });
  });

  it('a conflicting mapping (hanley compute1: controller = 192.168.97.101): fail with a sed fix', () => {
    const v = check(hostsEntryCheck(CONTROLLER), COMPUTE, HANLEY_HOSTS);
    expect(v).toMatchObject({
      status: 'fail',
      actual: '/etc/hosts:3 192.168.97.101 controller',
      source: '/etc/hosts:3',
      message: 'conflicting mapping /etc/hosts:3 192.168.97.101 controller',
    });
    expectFix(v, "sed -i '3d' /etc/hosts && echo '10.0.0.11 controller' >> /etc/hosts");
  });

  it('a commented mapping does not count: fail "no line maps"', () => {
    const text = corpus('hosts', 'hosts__openstack-install-guide-controller-compute1-block1-object.txt').replace(
      '10.0.0.11       controller',
      '# 10.0.0.11     controller',
    );
    const v = check(hostsEntryCheck(CONTROLLER), COMPUTE, { 'etcHosts.hosts': ok(text) });
    expect(v).toMatchObject({
      status: 'fail',
      actual: 'no entry for controller',
      source: '/etc/hosts',
      message: 'no line maps controller',
    });
    expectFix(v, "echo '10.0.0.11 controller' >> /etc/hosts");
  });

  it('an IPv6 line for the name is not a conflict', () => {
    const text = `${corpus('hosts', 'hosts__openstack-install-guide-controller-compute1-block1-object.txt')}fd00::11 controller\n`;
    expect(check(hostsEntryCheck(CONTROLLER), COMPUTE, { 'etcHosts.hosts': ok(text) })).toMatchObject({
      status: 'pass',
      actual: '/etc/hosts:2 10.0.0.11 controller',
    });
  });
});

describe('lab checks: topology.hosts and topology.ntp', () => {
  const GUIDE_HOSTS = {
    'etcHosts.hosts': ok(corpus('hosts', 'hosts__openstack-install-guide-controller-compute1-block1-object.txt')),
  };
  const HANLEY_HOSTS = {
    'etcHosts.hosts': ok(corpus('hosts', 'hosts__ubuntu-openstack-compute1__hanley-openstack.txt')),
  };

  it('every host maps every lab host: pass', () => {
    const v = evaluateLabCheck(topologyHosts, {
      lab: LAB,
      hosts: [observe(CONTROLLER, GUIDE_HOSTS), observe(COMPUTE, GUIDE_HOSTS)],
    });
    expect(v).toMatchObject({
      status: 'pass',
      expected: '10.0.0.11 controller, 10.0.0.31 compute1 on every host',
      actual: 'all agree',
      source: 'controller:/etc/hosts, compute1:/etc/hosts',
    });
  });

  it('compute1 with the hanley /etc/hosts: both names conflict there', () => {
    const v = evaluateLabCheck(topologyHosts, {
      lab: LAB,
      hosts: [observe(CONTROLLER, GUIDE_HOSTS), observe(COMPUTE, HANLEY_HOSTS)],
    });
    const problems =
      'compute1: conflicting mapping /etc/hosts:3 192.168.97.101 controller; compute1: conflicting mapping /etc/hosts:2 192.168.97.105 compute1';
    expect(v).toMatchObject({ status: 'fail', actual: problems, message: `2 disagreement(s): ${problems}` });
    expectFix(v);
  });

  const CONTROLLER_NTP = chronyConf(GUIDE_CONTROLLER);
  const COMPUTE_NTP = chronySources('chronyc-sources__openstack-install-guide-other-node-server-controller.txt');

  it('compute selects the controller and the controller allows it: pass', () => {
    const v = evaluateLabCheck(topologyNtp, {
      lab: LAB,
      hosts: [observe(CONTROLLER, CONTROLLER_NTP), observe(COMPUTE, COMPUTE_NTP)],
    });
    expect(v).toMatchObject({
      status: 'pass',
      actual: '1 compute node(s) synced from controller',
      source: `controller: chrony config; compute1: ${COMPUTE_SOURCES_CMD}`,
    });
  });

  it('controller without allow, compute selecting an outside server: both problems', () => {
    const v = evaluateLabCheck(topologyNtp, {
      lab: LAB,
      hosts: [
        observe(CONTROLLER, chronyConf(CENTOS_STOCK)),
        observe(COMPUTE, chronySources('chronyc-sources__centos7-real-4-pool-servers__Tp-ccna2.txt')),
      ],
    });
    expect(v).toMatchObject({
      status: 'fail',
      actual: 'compute1 selects regar42.fr, not controller; controller does not allow compute1 (10.0.0.31)',
    });
    expectFix(v);
  });

  it("a compute's unparsable chronyc output: error, never pass", () => {
    const v = evaluateLabCheck(topologyNtp, {
      lab: LAB,
      hosts: [
        observe(CONTROLLER, CONTROLLER_NTP),
        observe(COMPUTE, chronySources('chronyc-sourcestats__upstream-doc-example__chrony3.4-with-210-header.txt')),
      ],
    });
    expect(v.status).toBe('error');
    expect(v.source).toBe(COMPUTE_SOURCES_CMD);
    expect(v.message).toBe('probe chrony-sources: no chronyc sources header and "=====" rule');
    expect(v.actual).toContain('Name/IP Address            NP  NR  Span  Frequency  Freq Skew  Offset  Std Dev');
  });
});

describe('unreachable hosts', () => {
  const REASON = 'connect ECONNREFUSED 10.0.0.11:22';
  // As the judge sees a host it could not connect to: no outputs, so no commands recorded.
  const unreachable = (spec: HostIdentity): ObservedHost => ({
    spec,
    facts: parseFacts(new Map()),
    commands: {},
    unreachable: REASON,
  });
  // Every host check of the registry, hosts.<name> expanded for this lab.
  const ALL = checksForLab(LAB).host;

  it('every check that applies is an error carrying the reason; the others are skipped', () => {
    for (const c of ALL) {
      const v = evaluateHostCheck(c, { lab: LAB, host: unreachable(CONTROLLER) });
      if (c.appliesTo === 'compute') {
        expect(v.status, c.id).toBe('skip');
        continue;
      }
      expect(v, c.id).toEqual({
        status: 'error',
        expected: c.title,
        actual: '',
        source: 'ssh',
        message: `could not read controller: ${REASON}`,
        fix: 'make the host reachable over SSH with the inventory settings, then run again',
      });
    }
  });

  it('lab checks: error naming the unreachable host and its reason', () => {
    for (const c of checksForLab(LAB).lab) {
      const v = evaluateLabCheck(c, { lab: LAB, hosts: [unreachable(CONTROLLER), observe(COMPUTE)] });
      expect(v).toMatchObject({
        status: 'error',
        source: 'ssh',
        message: `could not read controller: controller: ${REASON}`,
      });
    }
  });

  it('facts of a host whose probes never finished: error, not pass', () => {
    const host: ObservedHost = {
      spec: CONTROLLER,
      facts: parseFacts(new Map()),
      commands: sentCommands({ role: 'controller', chronySyncWaitSeconds: 10 }),
      unreachable: null,
    };
    const v = evaluateHostCheck(selinuxRuntime, { lab: LAB, host });
    expect(v).toMatchObject({
      status: 'error',
      actual: '',
      message: 'probe selinux did not finish (all parts): the host deadline passed or the session broke',
      source: sent(CONTROLLER, 'selinux'),
    });
  });
});

describe('source fields name the commands really sent', () => {
  const gathered = (spec: HostIdentity, overrides: Record<string, CommandOutput> = {}) =>
    gatheredHost(spec, LAB.settings, { ...debianOutputs(), ...overrides });

  it('the judge records, per probe, the commands of the bundle that was sent (what these tests assert against)', () => {
    const [lab] = observeLabs([gathered(CONTROLLER), gathered(COMPUTE)]);
    expect(lab!.hosts.map((h) => h.commands)).toEqual([
      sentCommands({ role: 'controller', chronySyncWaitSeconds: 10 }),
      sentCommands({ role: 'compute', chronySyncWaitSeconds: 10 }),
    ]);
  });

  it('a verdict judged from a gathered host carries the exact command text', () => {
    const [lab] = observeLabs([gathered(CONTROLLER, CENTOS_7)]);
    expect(evaluateHostCheck(osRelease, { lab: lab!.view, host: lab!.hosts[0]! })).toMatchObject({
      status: 'pass',
      source:
        'cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release ; cat /etc/centos-release ; readlink -e /etc/centos-release',
    });
    expect(SYSTEMCTL).toBe(
      'systemctl show -p Id,LoadState,ActiveState,SubState,UnitFileState firewalld.service NetworkManager.service chronyd.service chrony.service',
    );
    expect(COMPUTE_SOURCES_CMD).toBe('chronyc -n sources');
  });

  it('an unreachable host records no commands; its verdicts say ssh, never an invented command', () => {
    const refused = { ok: false as const, failure: 'refused', message: 'connect ECONNREFUSED 10.0.0.11:22' };
    const [lab] = observeLabs([
      { ...gathered(CONTROLLER), outputs: [], facts: parseFacts(new Map()), connection: refused },
    ]);
    expect(lab!.hosts[0]).toMatchObject({ commands: {}, unreachable: refused.message });
    expect(evaluateHostCheck(osRelease, { lab: lab!.view, host: lab!.hosts[0]! }).source).toBe('ssh');
  });
});

// ---------------------------------------------------------------------------------------------
// Fixes are commands a student copies: whatever a value holds, the fix must parse as the intended command.
// The inventory refuses such values (ntpUpstream must be a host name, host names are labels); the fixes
// are quoted all the same, and are fed here values that bypass the inventory.
// ---------------------------------------------------------------------------------------------

describe('every fix built from a value stays the command it says', () => {
  const HOSTILE = ["pool.ntp.org'; reboot #", 'a b$(reboot)', '`id`', "it's"];
  /** The fix's words: each hostile value sits inside exactly one word, and the operators are the intended ones. */
  const words = (fix: string) => parseShell(fix);
  const operators = (fix: string) => words(fix).filter((w) => typeof w !== 'string');

  it.each(HOSTILE)('chrony.upstream with ntpUpstream %j', (value) => {
    const lab: LabView = { ...LAB, settings: { ...LAB.settings, ntpUpstream: value } };
    const v = check(chronyUpstream, CONTROLLER, chronyConf(CENTOS_STOCK), lab);
    expect(v.status).toBe('fail');
    expect(words(v.fix)).toContain(`server ${value} iburst`);
    expect(operators(v.fix)).toEqual([{ op: '>>' }, { op: '&&' }]);
  });

  it.each(HOSTILE)('hosts.<name> and chrony.source with a lab host named %j', (value) => {
    const target: HostIdentity = { ...CONTROLLER, name: value };
    const hosts = check(hostsEntryCheck(target), COMPUTE, { 'etcHosts.hosts': ok('127.0.0.1 localhost\n') });
    expect(hosts.status).toBe('fail');
    expect(words(hosts.fix)).toEqual(['echo', `${target.labAddress} ${value}`, { op: '>>' }, '/etc/hosts']);
    const lab: LabView = { ...LAB, hosts: [target, COMPUTE] };
    const source = check(chronySource, COMPUTE, chronyConf(CENTOS_STOCK), lab);
    expect(source.status).toBe('fail');
    expect(words(source.fix)).toContain(`server ${value} iburst`);
    expect(operators(source.fix)).toEqual([{ op: '>>' }, { op: '&&' }]);
  });

  it.each(HOSTILE)('host.hostname for a host named %j', (value) => {
    const v = check(hostHostname, { ...CONTROLLER, name: value });
    expect(v.status).toBe('fail');
    expect(words(v.fix)).toEqual(['hostnamectl', 'set-hostname', value]);
  });
});
