import { fact, fail, pass, type HostCheck } from './check.ts';
import { contains, formatNet, parseCidr } from './cidr.ts';

const REBUILDS = ['rhel', 'rocky', 'almalinux', 'ol', 'centos'];

export const osRelease: HostCheck = {
  id: 'os.release',
  scope: 'host',
  section: 'host',
  title: 'The host runs CentOS',
  titleKo: '호스트에 CentOS가 설치되어 있다',
  appliesTo: 'all',
  points: 1,
  image: { judged: true },
  fix: 'install CentOS (the tutorial uses CentOS 7), or set lab.acceptRebuilds: true to accept RHEL rebuilds',
  evaluate({ host, lab }) {
    const { value: release, source } = fact(host, 'release');
    const expected = lab.settings.acceptRebuilds ? 'CentOS or an EL rebuild' : '/etc/centos-release naming CentOS';
    const id = release.osRelease?.id.toLowerCase() ?? null;
    if (lab.settings.acceptRebuilds) {
      const family =
        id !== null && (REBUILDS.includes(id) || release.osRelease!.idLike.some((l) => ['rhel', 'centos'].includes(l)));
      const actual = release.osRelease?.prettyName ?? release.centosRelease?.text ?? 'no os-release';
      if (family) return pass({ expected, actual, source });
      return fail({ expected, actual, source, message: `os-release ID ${id ?? '(none)'} is not an EL distribution` });
    }
    const centos = release.centosRelease;
    if (!centos) {
      return fail({
        expected,
        actual: 'no /etc/centos-release',
        source,
        message: '/etc/centos-release does not exist',
      });
    }
    const actual = `${centos.text}${id ? ` (os-release ID=${id})` : ''}`;
    if (!/^CentOS\b/i.test(centos.name)) {
      return fail({ expected, actual, source, message: `/etc/centos-release names ${centos.name}` });
    }
    if (release.centosReleasePath && !/\/centos-release$/.test(release.centosReleasePath)) {
      return fail({
        expected,
        actual: `${actual} -> ${release.centosReleasePath}`,
        source,
        message: `/etc/centos-release links to ${release.centosReleasePath}: another distribution's release file`,
      });
    }
    if (id !== null && id !== 'centos') {
      return fail({ expected, actual, source, message: `/etc/os-release says ID=${id}, not centos` });
    }
    return pass({ expected, actual, source });
  },
};

export const hostHostname: HostCheck = {
  id: 'host.hostname',
  scope: 'host',
  section: 'host',
  title: "The hostname is the host's lab name",
  titleKo: '호스트 이름이 실습 환경의 이름과 같다',
  appliesTo: 'all',
  points: 1,
  image: { judged: false, reason: 'a generic image gets its hostname when it is deployed' },
  fix: 'hostnamectl set-hostname <name>',
  evaluate({ host }) {
    const {
      value: { hostname, staticHostname },
      source,
    } = fact(host, 'hostname');
    const name = host.spec.name;
    const fix = `hostnamectl set-hostname ${name}`;
    const same = (a: string) => a.toLowerCase() === name.toLowerCase();
    if (!same(hostname)) {
      return fail({ expected: name, actual: hostname, source, message: `the running hostname is ${hostname}`, fix });
    }
    if (staticHostname !== null && !same(staticHostname)) {
      return fail({
        expected: name,
        actual: `running ${hostname}, static ${staticHostname}`,
        source,
        message: `the static hostname ${staticHostname} takes over at the next boot`,
        fix,
      });
    }
    const actual = staticHostname === null ? hostname : `${hostname} (static ${staticHostname})`;
    return pass({ expected: name, actual, source });
  },
};

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
