// Independent oracle for the lab's scenarios: gathers raw facts from the live hosts over SSH and
// evaluates each check ID the way labspec specifies it, so every scenario's mustFail list can be
// verified against the running lab (used by tests/integration/lab-scenarios.test.ts).
import { sshRun } from './ssh.ts';
import { LAB_HOSTS, type LabHost } from './topology.ts';
import { NTP_UPSTREAM, SUBNET } from './util.ts';
import type { MustFail } from './scenarios.ts';

const SECTIONS: Record<string, string> = {
  hostname: 'hostname',
  addrs: 'ip -o -4 addr show',
  centos: 'cat /etc/centos-release',
  osrel: 'cat /etc/os-release',
  vmx: "grep -cwE 'vmx|svm' /proc/cpuinfo",
  nproc: 'nproc',
  df: 'df -Pk / | tail -1',
  fw_active: 'systemctl is-active firewalld',
  fw_enabled: 'systemctl is-enabled firewalld',
  nm_active: 'systemctl is-active NetworkManager',
  nm_enabled: 'systemctl is-enabled NetworkManager',
  getenforce: 'getenforce',
  selinux: 'cat /etc/selinux/config',
  chrony_pkg: "dpkg-query -W -f '${Status}' chrony",
  chronyd_active: 'systemctl is-active chronyd',
  chronyd_enabled: 'systemctl is-enabled chronyd',
  chrony_conf: 'cat /etc/chrony.conf /etc/chrony/chrony.conf',
  udp: 'ss -Hulpn',
  sources: 'chronyc -n sources',
  hosts: 'cat /etc/hosts',
};

export type Facts = Record<string, string>;

export async function gatherFacts(host: LabHost): Promise<Facts> {
  const script = Object.entries(SECTIONS)
    .map(([k, cmd]) => `echo '@@${k}'; ${cmd} 2>/dev/null; echo`)
    .join('; ');
  const r = await sshRun(host.address, script, 5);
  if (!r.ok && !r.stdout.includes('@@')) throw new Error(`ssh ${host.name}: ${r.stderr}`);
  const facts: Facts = {};
  let key = '';
  for (const line of r.stdout.split('\n')) {
    const m = line.match(/^@@(\w+)$/);
    if (m?.[1]) {
      key = m[1];
      facts[key] = '';
    } else if (key) facts[key] += `${line}\n`;
  }
  for (const k of Object.keys(facts)) facts[k] = (facts[k] ?? '').trim();
  return facts;
}

const activeLines = (conf: string): string[] =>
  conf
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

/** First address /etc/hosts gives a name (what the resolver uses). */
function resolve(hosts: string, name: string): string | undefined {
  for (const l of activeLines(hosts)) {
    const [addr, ...names] = l.split(/\s+/);
    if (names.includes(name)) return addr;
  }
  return undefined;
}

export function evaluateHost(h: LabHost, f: Facts): Map<string, boolean> {
  const r = new Map<string, boolean>();
  const controller = LAB_HOSTS.find((x) => x.role === 'controller') as LabHost;
  const conf = activeLines(f.chrony_conf ?? '');
  const osrel = f.osrel ?? '';
  r.set('os.release', /CentOS Linux release 7\./.test(f.centos ?? '') && /^ID="?centos"?$/m.test(osrel) && /^VERSION_ID="?7"?$/m.test(osrel));
  r.set('host.hostname', f.hostname === h.name);
  r.set('host.address', new RegExp(`inet ${h.address.replace(/\./g, '\\.')}/`).test(f.addrs ?? ''));
  r.set('cpu.virtualization', Number(f.vmx) > 0);
  r.set('cpu.count', Number(f.nproc) >= 1);
  r.set('disk.root', Number((f.df ?? '').split(/\s+/)[3]) > 1024 * 1024);
  r.set('firewalld.stopped', f.fw_active !== 'active');
  r.set('firewalld.disabled', f.fw_enabled !== 'enabled');
  r.set('networkmanager.stopped', f.nm_active !== 'active');
  r.set('networkmanager.disabled', f.nm_enabled !== 'enabled');
  r.set('selinux.runtime', f.getenforce === 'Disabled' || f.getenforce === 'Permissive');
  r.set('selinux.config', /^SELINUX=disabled$/m.test(f.selinux ?? ''));
  r.set('chrony.installed', /install ok installed/.test(f.chrony_pkg ?? ''));
  r.set('chrony.service', f.chronyd_active === 'active' && f.chronyd_enabled === 'enabled');
  // ntpd's local clock line fails only where it stands in for `local stratum N` (controller).
  const ntpdLocal = conf.some((l) => /^server\s+127\.127\.1\.0\b/.test(l));
  r.set('chrony.localclock', !(ntpdLocal && h.role === 'controller' && !conf.some((l) => /^local\b/.test(l))));
  if (h.role === 'controller') {
    r.set('chrony.upstream', conf.some((l) => new RegExp(`^(server|pool)\\s+${NTP_UPSTREAM.replace(/\./g, '\\.')}\\b`).test(l)));
    r.set('chrony.allow', conf.includes(`allow ${SUBNET}`));
    r.set('chrony.serving', /:123\s/.test(f.udp ?? '') && /chronyd/.test(f.udp ?? ''));
  } else {
    const namesController = conf.some((l) => new RegExp(`^server\\s+(${controller.name}|${controller.address.replace(/\./g, '\\.')})\\b`).test(l));
    const selected = new RegExp(`^\\^\\*\\s+${controller.address.replace(/\./g, '\\.')}\\b`, 'm').test(f.sources ?? '');
    r.set('chrony.source', namesController && selected);
  }
  for (const other of LAB_HOSTS) r.set(`hosts.${other.name}`, resolve(f.hosts ?? '', other.name) === other.address);
  return r;
}

export interface Evaluation {
  results: Map<MustFail, boolean>;
  failing: MustFail[];
}

/** Evaluates every check on the running lab. */
export async function evaluateLab(): Promise<Evaluation> {
  const results = new Map<MustFail, boolean>();
  const perHost = new Map<string, Map<string, boolean>>();
  await Promise.all(
    LAB_HOSTS.map(async (h) => {
      perHost.set(h.name, evaluateHost(h, await gatherFacts(h)));
    }),
  );
  for (const h of LAB_HOSTS) for (const [id, ok] of perHost.get(h.name) ?? []) results.set(`${h.name}:${id}` as MustFail, ok);
  const hostsOk = LAB_HOSTS.every((h) => LAB_HOSTS.every((o) => perHost.get(h.name)?.get(`hosts.${o.name}`)));
  results.set('lab:topology.hosts', hostsOk);
  const ntpOk = LAB_HOSTS.every((h) => {
    const m = perHost.get(h.name);
    return h.role === 'controller' ? m?.get('chrony.serving') && m?.get('chrony.allow') : m?.get('chrony.source');
  });
  results.set('lab:topology.ntp', ntpOk);
  const failing = [...results].filter(([, ok]) => !ok).map(([k]) => k);
  return { results, failing };
}
