import { fact, fail, pass, type HostCheck } from './check.ts';
import { contains, formatNet, parseCidr } from './cidr.ts';
import { shellCommand } from './shell.ts';
import type { StaticHostnameReading } from '../probes/hostname.ts';

/** os-release IDs of RHEL and its rebuilds; any other distribution counts as EL only through ID_LIKE. */
const EL_IDS = ['rhel', 'centos', 'rocky', 'almalinux', 'ol'];

/** The major version of "7.9.2009", "8", "10.0"; null when the version does not start with a number. */
function majorOf(version: string | null): number | null {
  const m = version === null ? null : /^(\d+)(?:\.|$)/.exec(version);
  return m ? Number(m[1]) : null;
}

/**
 * os.release: the host runs `lab.release` — `CentOS Linux` (the tutorial's CentOS 7 by default), `CentOS Stream`
 * or `EL` (RHEL or any distribution of its family) — at its major version.
 *
 * CentOS Linux and CentOS Stream both say ID=centos in os-release; they differ in os-release's NAME ("CentOS
 * Linux", "CentOS Stream") and in /etc/centos-release ("CentOS Linux release 7.9.2009 (Core)", "CentOS Stream
 * release 8"). For a CentOS release every one of these is compared, so both files must agree with the setting.
 * What could make the verdict wrong, and how each case ends — never a pass:
 * - /etc/centos-release is missing (Debian, RHEL, …), or links to another distribution's file (Rocky,
 *   AlmaLinux): fail;
 * - /etc/centos-release names another distribution or another major version (CentOS Stream 8 where CentOS
 *   Linux 7 is expected, CentOS Linux 8.1, CentOS 6 whose file says "CentOS release"), or no version: fail;
 * - os-release is missing (CentOS 7 and later always have one), or its ID, NAME or VERSION_ID says another
 *   distribution or major version, or it has no NAME or VERSION_ID: fail, naming the file that disagrees;
 * - for `EL`: os-release is missing, its ID is not RHEL's or a rebuild's and ID_LIKE names neither rhel nor
 *   centos, its VERSION_ID has another major or none, or a /etc/centos-release says another major: fail;
 * - a release file the parsers do not recognise (a centos-release that is not one "<name> release <version>"
 *   line, an os-release line in an unknown shape, a file that cannot be read, cat and readlink disagreeing on
 *   whether /etc/centos-release exists): the probe's output is unparsable and the check errors with the raw text.
 * The failure says what was found and what was expected.
 */
export const osRelease: HostCheck = {
  id: 'os.release',
  scope: 'host',
  section: 'host',
  title: "The host runs the lab's release (CentOS Linux 7 unless lab.release says otherwise)",
  titleKo: '호스트에 실습 환경의 배포판(lab.release, 기본값 CentOS Linux 7)이 설치되어 있다',
  appliesTo: 'all',
  points: 1,
  image: { judged: true },
  fix: 'install the release lab.release names (the tutorial uses CentOS Linux 7), or set lab.release to the release the lab is meant to run',
  hint: 'The host does not run the release the lab expects: look at the distribution and version that /etc/centos-release and /etc/os-release name.',
  hintKo:
    '실습에서 정한 배포판이 설치되어 있지 않습니다. /etc/centos-release와 /etc/os-release에 적힌 배포판 이름과 버전을 확인해 보세요.',
  fixKo:
    '튜토리얼대로 CentOS Linux 7(실습에서 다른 배포판을 정했다면 그 배포판)을 설치해야 합니다. 이미 설치한 배포판을 그대로 써도 되는지는 담당 교수에게 먼저 물어보세요.',
  evaluate({ host, lab }) {
    const { value: release, source } = fact(host, 'release');
    const want = lab.settings.release;
    const expected =
      want.name === 'EL'
        ? `RHEL or a distribution of its family (Rocky, AlmaLinux, Oracle Linux, CentOS …), major version ${want.major}`
        : `${want.name} ${want.major}`;
    const os = release.osRelease;
    const centos = release.centosRelease;
    const actual = [
      centos
        ? `/etc/centos-release: ${centos.text}${
            release.centosReleasePath && release.centosReleasePath !== '/etc/centos-release'
              ? ` (-> ${release.centosReleasePath})`
              : ''
          }`
        : 'no /etc/centos-release',
      os
        ? `os-release: NAME=${os.name ?? '(none)'} VERSION_ID=${os.versionId ?? '(none)'} ID=${os.id}`
        : 'no os-release',
    ].join('; ');
    /** What the host runs, as its own files put it. */
    const found = centos
      ? `${centos.text}`
      : os
        ? (os.prettyName ?? `${os.name ?? os.id} ${os.versionId ?? ''}`.trim())
        : 'no release file';
    const family = os !== null && (EL_IDS.includes(os.id) || os.idLike.some((l) => ['rhel', 'centos'].includes(l)));
    const osMajor = majorOf(os?.versionId ?? null);
    /** The setting that would describe this host, offered in the fix when the host is of RHEL's family. */
    const foundSetting =
      os?.id === 'centos' && (os.name === 'CentOS Linux' || os.name === 'CentOS Stream') && osMajor !== null
        ? `{ name: ${os.name}, major: ${osMajor} }`
        : family && osMajor !== null
          ? `{ name: EL, major: ${osMajor} }`
          : null;
    const fix = `install ${expected} on ${host.spec.name}${
      foundSetting ? `, or, if the lab is meant to run what it runs, set lab.release: ${foundSetting}` : ''
    }`;
    const no = (message: string) =>
      fail({ expected, actual, source, message: `${message}; expected ${expected}`, fix });

    if (want.name === 'EL') {
      if (!os) return no(`found ${found}, and no os-release to tell its family`);
      if (!family) return no(`found ${found}: os-release ID=${os.id} is not RHEL's family`);
      if (osMajor === null) return no(`found ${found}: os-release has no numeric VERSION_ID`);
      if (osMajor !== want.major) return no(`found ${found}: os-release VERSION_ID=${os.versionId}`);
      if (centos && majorOf(centos.version) !== want.major) {
        return no(`found ${found}: /etc/centos-release says ${centos.text}`);
      }
      return pass({ expected, actual, source });
    }

    if (!centos) return no(`found ${found}: /etc/centos-release does not exist`);
    if (release.centosReleasePath && release.centosReleasePath !== '/etc/centos-release') {
      return no(
        `found ${found}: /etc/centos-release links to ${release.centosReleasePath}, another distribution's release file`,
      );
    }
    if (centos.name !== want.name) return no(`found ${found}: /etc/centos-release names ${centos.name}`);
    const major = majorOf(centos.version);
    if (major === null) return no(`found ${found}: /etc/centos-release names no version`);
    if (major !== want.major) return no(`found ${found}: /etc/centos-release says version ${centos.version}`);
    if (!os) return no(`found ${found}, but no os-release (every CentOS since 7 has one) to confirm it`);
    if (os.id !== 'centos') return no(`found ${found}, but os-release says ID=${os.id}`);
    if (os.name !== want.name) return no(`found ${found}, but os-release says NAME=${os.name ?? '(none)'}`);
    if (majorOf(os.versionId) !== want.major) {
      return no(`found ${found}, but os-release says VERSION_ID=${os.versionId ?? '(none)'}`);
    }
    return pass({ expected, actual, source });
  },
};

/**
 * host.hostname: the running hostname (`uname -n`) and the static one, the name the host takes at its next
 * boot, both equal the host's inventory name (case-insensitively).
 *
 * The static hostname is read twice: from hostnamectl (systemd's hostnamed) and from /etc/hostname (the file
 * systemd reads at boot). What could make the verdict wrong, and how each case ends — never a pass:
 * - the running name is another: fail;
 * - a source names another static hostname (it takes over at the next boot), even if the other source agrees
 *   with the inventory (hostnamed may still hold an old value): fail;
 * - a source says there is no static hostname — hostnamectl's "Static hostname: (unset)" (systemd 252) or
 *   "n/a" (CentOS 7's 219), /etc/hostname missing, empty or only comments — so the running name is only
 *   transient (set with `hostname`, or by DHCP) and is lost at the next boot: fail;
 * - neither source could be read (no systemd or D-Bus for hostnamectl, and /etc/hostname unreadable): error,
 *   saying so; one unreadable source is enough when the other names the host;
 * - hostnamectl or /etc/hostname printed something the parser does not recognise (no Static hostname line,
 *   a first line of /etc/hostname that is not one hostname), or uname -n did not print one name: the probe's
 *   output is unparsable and the check errors with the raw text.
 */
export const hostHostname: HostCheck = {
  id: 'host.hostname',
  scope: 'host',
  section: 'host',
  title: "The hostname is the host's lab name",
  titleKo: '호스트 이름이 실습 환경의 이름과 같다',
  appliesTo: 'all',
  points: 1,
  image: {
    judged: false,
    reason:
      'a generic image gets its hostname when it is deployed (one built with its final hostname is judged when that is given: hostname:, --hostname)',
    unlessHostnameGiven: true,
  },
  fix: 'hostnamectl set-hostname <name>',
  hint: "The hostname is not the host's lab name, or it is only transient and is lost at the next boot.",
  hintKo: '호스트 이름이 실습에서 정한 이름과 다르거나, 재부팅하면 사라지는 임시 이름으로만 설정되어 있습니다.',
  fixKo:
    'hostnamectl set-hostname으로 호스트 이름을 실습에서 정한 이름(controller, compute1 등)으로 바꾸세요. 이 명령은 /etc/hostname에도 저장하므로 재부팅한 뒤에도 그대로 남습니다.',
  evaluate({ host }) {
    const {
      value: { hostname, staticHostname },
      source,
    } = fact(host, 'hostname');
    const name = host.spec.hostname ?? host.spec.name;
    const fix = shellCommand('hostnamectl', 'set-hostname', name);
    const same = (a: string) => a.toLowerCase() === name.toLowerCase();
    const readings = [
      { where: 'hostnamectl', reading: staticHostname.hostnamectl },
      { where: '/etc/hostname', reading: staticHostname.etcHostname },
    ] as const;
    const said = (where: string, reading: StaticHostnameReading) =>
      reading.state === 'set'
        ? `${where}: ${where === 'hostnamectl' ? 'Static hostname: ' : ''}${reading.name}`
        : reading.state === 'unset'
          ? `${where}: ${reading.shown}`
          : `${where}: not read (${reading.reason})`;
    const told = readings.map(({ where, reading }) => said(where, reading)).join('; ');
    const actual = `running ${hostname}; ${told}`;
    if (!same(hostname)) {
      return fail({ expected: name, actual, source, message: `the running hostname is ${hostname}`, fix });
    }
    for (const { where, reading } of readings) {
      if (reading.state === 'set' && !same(reading.name)) {
        const message = `the static hostname ${reading.name} (${where}) takes over at the next boot`;
        return fail({ expected: name, actual, source, message, fix });
      }
    }
    const unset = readings.find(({ reading }) => reading.state === 'unset');
    if (unset) {
      const message = `no static hostname (${said(unset.where, unset.reading)}): ${hostname} is only transient and is lost at the next boot`;
      return fail({ expected: name, actual, source, message, fix });
    }
    if (readings.every(({ reading }) => reading.state === 'unread')) {
      return {
        status: 'error',
        expected: name,
        actual,
        source,
        message: `the static hostname could not be read (${told}): ${hostname} may be only transient`,
      };
    }
    return pass({ expected: name, actual, source });
  },
};

/**
 * host.address: the lab address is on an interface now and lies inside lab.subnet. What could make the verdict
 * wrong, and how each case ends: `ip -o addr show` not answering or printing another format: unparsable, the
 * check errors; the inventory's lab address outside the subnet: fail, pointing at the inventory; the address
 * absent from every interface: fail. Known gap: only "now" is judged; whether the address survives a reboot
 * (an ifcfg file with ONBOOT=yes on CentOS 7) is not read yet.
 */
export const hostAddress: HostCheck = {
  id: 'host.address',
  scope: 'host',
  section: 'host',
  title: 'The lab address is configured and inside the lab subnet',
  titleKo: '실습 네트워크 주소가 설정되어 있고 실습 서브넷 안에 있다',
  appliesTo: 'all',
  points: 1,
  image: { judged: false, reason: 'an image gets its lab address when it is deployed' },
  fix: 'configure the lab address on the lab interface (e.g. /etc/sysconfig/network-scripts/ifcfg-eth0) and restart the network service',
  hint: 'The lab address is not configured on any network interface, or it lies outside the lab subnet.',
  hintKo: '실습 네트워크 주소가 어느 네트워크 인터페이스에도 설정되어 있지 않거나, 실습 서브넷 밖의 주소입니다.',
  fixKo:
    '실습 네트워크 인터페이스의 설정 파일(예: /etc/sysconfig/network-scripts/ifcfg-eth0)에 실습 주소(컨트롤러는 10.0.0.100, compute1은 10.0.0.101)를 고정 IP로 적고 systemctl restart network로 네트워크를 다시 시작하세요. ip a로 주소가 붙었는지 확인할 수 있습니다.',
  evaluate({ host, lab }) {
    const {
      value: { addresses },
      source,
    } = fact(host, 'addresses');
    const expected = `${host.spec.labAddress} on an interface, inside ${lab.settings.subnet}`;
    const subnet = parseCidr(lab.settings.subnet)!;
    const labNet = parseCidr(host.spec.labAddress);
    const actual =
      addresses
        .filter((a) => a.family === 'inet')
        .map((a) => `${a.address}/${a.prefixLength} (${a.interface})`)
        .join(', ') || 'no IPv4 address';
    if (!labNet || !contains(subnet, labNet)) {
      return fail({
        expected,
        actual,
        source,
        message: `the inventory's lab address ${host.spec.labAddress} is outside ${formatNet(subnet)}`,
        fix: 'give the host an address inside lab.subnet, or correct labAddress in the inventory',
      });
    }
    const configured = addresses.find((a) => a.family === 'inet' && a.address === host.spec.labAddress);
    if (!configured) {
      return fail({ expected, actual, source, message: `${host.spec.labAddress} is not configured on any interface` });
    }
    return pass({
      expected,
      actual: `${configured.address}/${configured.prefixLength} on ${configured.interface}`,
      source,
    });
  },
};

/**
 * cpu.virtualization: vmx or svm among /proc/cpuinfo's flags. /proc/cpuinfo unreadable or in a format the parser
 * does not know errors; neither flag fails, saying whether the host is a guest without nested virtualization.
 */
export const cpuVirtualization: HostCheck = {
  id: 'cpu.virtualization',
  scope: 'host',
  section: 'host',
  title: 'The CPU offers hardware virtualization (vmx or svm)',
  titleKo: 'CPU가 하드웨어 가상화(vmx 또는 svm)를 지원한다',
  appliesTo: 'all',
  points: 1,
  image: { judged: true },
  fix: 'enable VT-x/AMD-V in the firmware, or nested virtualization in the hypervisor (e.g. VMware "Expose hardware assisted virtualization")',
  hint: 'The CPU does not offer hardware virtualization (no vmx or svm flag in /proc/cpuinfo), so KVM cannot run instances.',
  hintKo:
    'CPU 가상화 기능이 꺼져 있습니다. /proc/cpuinfo에 vmx나 svm 플래그가 없으면 KVM으로 인스턴스를 띄울 수 없습니다.',
  fixKo:
    "VM을 끈 뒤 VMware의 VM settings → Processors에서 'Virtualize Intel VT-x/EPT or AMD-V/RVI'를 체크하고 다시 부팅하세요. 실제 서버라면 BIOS/UEFI에서 VT-x나 AMD-V를 켭니다. egrep '(vmx|svm)' /proc/cpuinfo에 결과가 나오면 된 것입니다.",
  evaluate({ host }) {
    const { value: cpu, source } = fact(host, 'cpuinfo');
    const expected = 'vmx or svm in /proc/cpuinfo flags';
    if (cpu.virtualizationFlags.length > 0)
      return pass({ expected, actual: cpu.virtualizationFlags.join(', '), source });
    return fail({
      expected,
      actual: `neither flag${cpu.hypervisor ? ' (virtual machine without nested virtualization)' : ''}`,
      source,
      message: 'KVM cannot run instances without hardware virtualization',
    });
  },
};

/**
 * cpu.count: at least lab.minCpus processors in /proc/cpuinfo. An unreadable or unknown format errors; fewer
 * processors fail. It counts what the kernel sees, as OpenStack's scheduler does, not a container's CPU quota.
 */
export const cpuCount: HostCheck = {
  id: 'cpu.count',
  scope: 'host',
  section: 'host',
  title: 'Enough CPUs',
  titleKo: 'CPU 개수가 충분하다',
  appliesTo: 'all',
  points: 1,
  image: { judged: true },
  fix: 'give the host more vCPUs',
  hint: 'The host has fewer CPUs than the lab needs.',
  hintKo: 'CPU(코어) 수가 실습에 필요한 개수보다 적습니다.',
  fixKo:
    'VM을 끄고 VM 설정의 Processors에서 코어 수를 늘리세요(튜토리얼은 Number of cores per processor를 2로 합니다).',
  evaluate({ host, lab }) {
    const {
      value: { processors },
      source,
    } = fact(host, 'cpuinfo');
    const expected = `at least ${lab.settings.minCpus} CPUs`;
    const actual = `${processors}`;
    if (processors >= lab.settings.minCpus) return pass({ expected, actual, source });
    const message = `${processors} CPU(s), fewer than lab.minCpus ${lab.settings.minCpus}`;
    return fail({ expected, actual, source, message });
  },
};

const GIB = 1024 ** 3;

/**
 * disk.root: `/` is at least lab.minRootDiskGiB. df's output unreadable or unknown errors; no `/` among df's
 * filesystems fails; a smaller `/` fails with its size and device.
 */
export const diskRoot: HostCheck = {
  id: 'disk.root',
  scope: 'host',
  section: 'host',
  title: 'The root filesystem is large enough',
  titleKo: '루트(/) 파일 시스템 용량이 충분하다',
  appliesTo: 'all',
  points: 1,
  image: { judged: true },
  fix: 'grow the disk and the root filesystem (the tutorial grows / to 70 GiB: lvextend -r -L 70G <root LV>)',
  hint: 'The root filesystem / is smaller than the lab needs.',
  hintKo: '루트(/) 파일 시스템이 실습에 필요한 용량보다 작습니다.',
  fixKo:
    'VM 디스크를 늘린 다음 루트 파일 시스템을 키우세요. 튜토리얼은 설치할 때 / 파티션을 70 GiB로 잡습니다. CentOS 기본 LVM 구성이라면 lvextend -r -L 70G /dev/centos/root로 늘릴 수 있습니다.',
  evaluate({ host, lab }) {
    const {
      value: { filesystems },
      source,
    } = fact(host, 'disk');
    const expected = `/ of at least ${lab.settings.minRootDiskGiB} GiB`;
    const root = filesystems.find((f) => f.mountpoint === '/');
    if (!root) {
      return fail({ expected, actual: 'no / in df output', source, message: 'df did not report the root filesystem' });
    }
    const size = `${(root.sizeBytes / GIB).toFixed(1)} GiB (${root.device})`;
    if (root.sizeBytes >= lab.settings.minRootDiskGiB * GIB) return pass({ expected, actual: size, source });
    const message = `/ is ${size}, smaller than lab.minRootDiskGiB ${lab.settings.minRootDiskGiB}`;
    return fail({ expected, actual: size, source, message });
  },
};
