import { commandsOf, fact, fail, pass, type HostCheck } from './check.ts';
import { contains, formatNet, parseCidr } from './cidr.ts';

const REBUILDS = ['rhel', 'rocky', 'almalinux', 'ol', 'centos'];

export const osRelease: HostCheck = {
  id: 'os.release',
  title: 'The host runs CentOS',
  appliesTo: 'all',
  fix: 'install CentOS (the tutorial uses CentOS 7), or set lab.acceptRebuilds: true to accept RHEL rebuilds',
  evaluate({ host, lab }) {
    const release = fact(host, 'release');
    const source = '/etc/centos-release (cat /etc/centos-release; readlink -e /etc/centos-release; cat /etc/os-release)';
    const expected = lab.settings.acceptRebuilds ? 'CentOS or an EL rebuild' : '/etc/centos-release naming CentOS';
    const id = release.osRelease?.id.toLowerCase() ?? null;
    if (lab.settings.acceptRebuilds) {
      const family = id !== null && (REBUILDS.includes(id) || release.osRelease!.idLike.some((l) => ['rhel', 'centos'].includes(l)));
      const actual = release.osRelease?.prettyName ?? release.centosRelease?.text ?? 'no os-release';
      return family ? pass(expected, actual, source) : fail(expected, actual, source, `os-release ID ${id ?? '(none)'} is not an EL distribution`);
    }
    const centos = release.centosRelease;
    if (!centos) return fail(expected, 'no /etc/centos-release', source, '/etc/centos-release does not exist');
    const actual = `${centos.text}${id ? ` (os-release ID=${id})` : ''}`;
    if (!/^CentOS\b/i.test(centos.name)) return fail(expected, actual, source, `/etc/centos-release names ${centos.name}`);
    if (release.centosReleasePath && !/\/centos-release$/.test(release.centosReleasePath)) {
      return fail(
        expected,
        `${actual} -> ${release.centosReleasePath}`,
        source,
        `/etc/centos-release links to ${release.centosReleasePath}: another distribution's release file`,
      );
    }
    if (id !== null && id !== 'centos') return fail(expected, actual, source, `/etc/os-release says ID=${id}, not centos`);
    return pass(expected, actual, source);
  },
};

export const hostHostname: HostCheck = {
  id: 'host.hostname',
  title: "The hostname is the host's lab name",
  appliesTo: 'all',
  fix: 'hostnamectl set-hostname <name>',
  evaluate({ host, lab }) {
    const { hostname, staticHostname } = fact(host, 'hostname');
    const name = host.spec.name;
    const source = commandsOf('hostname', host.spec, lab);
    const fix = `hostnamectl set-hostname ${name}`;
    const same = (a: string) => a.toLowerCase() === name.toLowerCase();
    if (!same(hostname)) return fail(name, hostname, source, `the running hostname is ${hostname}`, fix);
    if (staticHostname !== null && !same(staticHostname)) {
      return fail(name, `running ${hostname}, static ${staticHostname}`, source, `the static hostname ${staticHostname} takes over at the next boot`, fix);
    }
    return pass(name, staticHostname === null ? hostname : `${hostname} (static ${staticHostname})`, source);
  },
};

export const hostAddress: HostCheck = {
  id: 'host.address',
  title: 'The lab address is configured and inside the lab subnet',
  appliesTo: 'all',
  fix: 'configure the lab address on the lab interface (e.g. /etc/sysconfig/network-scripts/ifcfg-eth0) and restart the network service',
  evaluate({ host, lab }) {
    const { addresses } = fact(host, 'addresses');
    const expected = `${host.spec.labAddress} on an interface, inside ${lab.settings.subnet}`;
    const source = commandsOf('addresses', host.spec, lab);
    const subnet = parseCidr(lab.settings.subnet)!;
    const labNet = parseCidr(host.spec.labAddress);
    const actual =
      addresses
        .filter((a) => a.family === 'inet')
        .map((a) => `${a.address}/${a.prefixLength} (${a.interface})`)
        .join(', ') || 'no IPv4 address';
    if (!labNet || !contains(subnet, labNet)) {
      return fail(
        expected,
        actual,
        source,
        `the inventory's lab address ${host.spec.labAddress} is outside ${formatNet(subnet)}`,
        'give the host an address inside lab.subnet, or correct labAddress in the inventory',
      );
    }
    const configured = addresses.find((a) => a.family === 'inet' && a.address === host.spec.labAddress);
    if (!configured) return fail(expected, actual, source, `${host.spec.labAddress} is not configured on any interface`);
    return pass(expected, `${configured.address}/${configured.prefixLength} on ${configured.interface}`, source);
  },
};

export const cpuVirtualization: HostCheck = {
  id: 'cpu.virtualization',
  title: 'The CPU offers hardware virtualization (vmx or svm)',
  appliesTo: 'all',
  fix: 'enable VT-x/AMD-V in the firmware, or nested virtualization in the hypervisor (e.g. VMware "Expose hardware assisted virtualization")',
  evaluate({ host }) {
    const cpu = fact(host, 'cpuinfo');
    const expected = 'vmx or svm in /proc/cpuinfo flags';
    const source = '/proc/cpuinfo (cat /proc/cpuinfo)';
    if (cpu.virtualizationFlags.length > 0) return pass(expected, cpu.virtualizationFlags.join(', '), source);
    return fail(
      expected,
      `neither flag${cpu.hypervisor ? ' (virtual machine without nested virtualization)' : ''}`,
      source,
      'KVM cannot run instances without hardware virtualization',
    );
  },
};

export const cpuCount: HostCheck = {
  id: 'cpu.count',
  title: 'Enough CPUs',
  appliesTo: 'all',
  fix: 'give the host more vCPUs',
  evaluate({ host, lab }) {
    const { processors } = fact(host, 'cpuinfo');
    const expected = `at least ${lab.settings.minCpus} CPUs`;
    const source = '/proc/cpuinfo (cat /proc/cpuinfo)';
    return processors >= lab.settings.minCpus
      ? pass(expected, `${processors}`, source)
      : fail(expected, `${processors}`, source, `${processors} CPU(s), fewer than lab.minCpus ${lab.settings.minCpus}`);
  },
};

const GIB = 1024 ** 3;

export const diskRoot: HostCheck = {
  id: 'disk.root',
  title: 'The root filesystem is large enough',
  appliesTo: 'all',
  fix: 'grow the disk and the root filesystem (the tutorial grows / to 70 GiB: lvextend -r -L 70G <root LV>)',
  evaluate({ host, lab }) {
    const { filesystems } = fact(host, 'disk');
    const expected = `/ of at least ${lab.settings.minRootDiskGiB} GiB`;
    const source = commandsOf('disk', host.spec, lab);
    const root = filesystems.find((f) => f.mountpoint === '/');
    if (!root) return fail(expected, 'no / in df output', source, 'df did not report the root filesystem');
    const size = `${(root.sizeBytes / GIB).toFixed(1)} GiB (${root.device})`;
    return root.sizeBytes >= lab.settings.minRootDiskGiB * GIB
      ? pass(expected, size, source)
      : fail(expected, size, source, `/ is ${size}, smaller than lab.minRootDiskGiB ${lab.settings.minRootDiskGiB}`);
  },
};
