// Hosts: overlayfs root per host over the shared image, per-host files, and booting
// systemd-nspawn with real systemd as PID 1 inside the host's own netns and cgroup.
import { $ } from 'zx';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, openSync, closeSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cgroupPids, createHostCgroups, labCgroupDirs, removeCgroupTree } from './cgroups.ts';
import { hostNetns, netnsPath } from './network.ts';
import { chronyConf, hostsFile, type LabHost, type UnitLayout } from './topology.ts';
import { LabError, STATE_DIR, isAlive, sleep } from './util.ts';

export interface HostSetup extends LabHost {
  /** The container's unique name on this machine (see UnitLayout). */
  readonly unit: string;
  /** Merged (overlay) root filesystem on the runner side. */
  readonly root: string;
  readonly dir: string;
  /** Hostname the container boots with (scenarios may change it). */
  hostname: string;
  /** Whether the bind-mounted /proc/cpuinfo advertises vmx. */
  vmx: boolean;
}

export interface RunningHost {
  unit: string;
  name: string;
  address: string;
  /** Host-side PID of the container's PID 1 (systemd). */
  pid: number;
  /** PID of the systemd-nspawn process. */
  nspawnPid: number;
  root: string;
  consoleLog: string;
}

export function hostDir(unit: string): string {
  return join(STATE_DIR, 'hosts', unit);
}

/** Mounts overlay(image, fresh upper) at <state>/hosts/<unit>/root. */
export async function prepareRoot({ host, unit }: UnitLayout, image: string): Promise<HostSetup> {
  const dir = hostDir(unit);
  await rm(dir, { recursive: true, force: true });
  const upper = join(dir, 'upper');
  const work = join(dir, 'work');
  const root = join(dir, 'root');
  for (const d of [upper, work, root]) await mkdir(d, { recursive: true });
  await $`mount -t overlay overlay -o ${`lowerdir=${image},upperdir=${upper},workdir=${work}`} ${root}`;
  return { ...host, unit, root, dir, hostname: host.name, vmx: true };
}

function cpuinfoWithVmx(vmx: boolean): string {
  const real = readFileSync('/proc/cpuinfo', 'utf8');
  return real
    .split('\n')
    .map((l) => {
      if (!/^flags\s*:/.test(l)) return l;
      const without = l.replace(/ vmx\b/g, '');
      return vmx ? `${without} vmx` : without;
    })
    .join('\n');
}

export const CPUINFO_IN_GUEST = '/var/lib/labspec/cpuinfo';

const HOST_KEY = 'etc/ssh/ssh_host_ed25519_key';
/** The identity a cloned VM keeps: its SSH host key pair and its machine-id. */
const IDENTITY_FILES = [HOST_KEY, `${HOST_KEY}.pub`, 'etc/machine-id'];

/** Writes the compliant per-host configuration into the host's upper layer; returns its new host public key. */
export async function writeHostConfig(h: HostSetup, clientPubKey: string, studentPassword: string): Promise<string> {
  const r = h.root;
  await $({ input: `student:${studentPassword}\n` })`chroot ${r} chpasswd`;
  await writeFile(join(r, 'etc/hostname'), `${h.name}\n`);
  await writeFile(join(r, 'etc/hosts'), hostsFile());
  await writeFile(join(r, 'etc/resolv.conf'), '# labspec lab: no DNS (isolated network)\n');
  await writeFile(join(r, 'etc/chrony/chrony.conf'), chronyConf(h));
  await mkdir(join(r, 'root/.ssh'), { recursive: true, mode: 0o700 });
  await writeFile(join(r, 'root/.ssh/authorized_keys'), clientPubKey, { mode: 0o600 });
  // The image's machine-id is empty (a new one per boot); written here, it is this host's own and a clone can copy it.
  await writeFile(join(r, 'etc/machine-id'), `${randomBytes(16).toString('hex')}\n`, { mode: 0o444 });
  const key = join(r, HOST_KEY);
  await $`ssh-keygen -q -t ed25519 -N ${''} -C ${`root@${h.name}`} -f ${key}`;
  await chmod(key, 0o600);
  return (await readFile(`${key}.pub`, 'utf8')).trim();
}

/** Makes `clone` the copy of `source`'s VM: the same SSH host key and machine-id. Returns the host public key. */
export async function copyHostIdentity(source: HostSetup, clone: HostSetup): Promise<string> {
  for (const f of IDENTITY_FILES) await copyFile(join(source.root, f), join(clone.root, f));
  return (await readFile(join(clone.root, `${HOST_KEY}.pub`), 'utf8')).trim();
}

export async function machineId(h: HostSetup): Promise<string> {
  return (await readFile(join(h.root, 'etc/machine-id'), 'utf8')).trim();
}

/** Files that depend on scenario edits (hostname, vmx) are finalised just before boot. */
async function finalizeHostConfig(h: HostSetup): Promise<void> {
  await mkdir(join(h.root, 'var/lib/labspec'), { recursive: true });
  await writeFile(join(h.root, CPUINFO_IN_GUEST.slice(1)), cpuinfoWithVmx(h.vmx));
  const hn = (await readFile(join(h.root, 'etc/hostname'), 'utf8')).trim();
  if (hn) h.hostname = hn;
}

function nsPid1(pid: number): boolean {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = status.match(/^NSpid:\s*(.*)$/m);
    const ids = (m?.[1] ?? '').trim().split(/\s+/);
    return ids.length >= 2 && ids[ids.length - 1] === '1';
  } catch {
    return false;
  }
}

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

async function tail(path: string, n: number): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).split('\n').slice(-n).join('\n');
  } catch {
    return '(no console log)';
  }
}

/** Boots a host; resolves once its PID 1 is systemd and /proc/cpuinfo is bind-mounted. */
export async function bootHost(h: HostSetup): Promise<RunningHost> {
  await finalizeHostConfig(h);
  const cgroups = await createHostCgroups(h.unit);
  const consoleLog = join(h.dir, 'console.log');
  const fd = openSync(consoleLog, 'a');
  const enter = cgroups.map((d) => `echo $$ > ${d}/cgroup.procs`).join('; ');
  const nspawnArgs = [
    'systemd-nspawn',
    '--quiet',
    '--register=no',
    '--keep-unit',
    '--boot',
    `--directory=${h.root}`,
    `--machine=${machineName(h.unit)}`,
    `--hostname=${h.hostname}`,
    `--network-namespace-path=${netnsPath(hostNetns(h.unit))}`,
    '--capability=CAP_NET_ADMIN',
    '--resolv-conf=off',
    '--timezone=off',
    '--link-journal=no',
    '--console=read-only',
  ];
  // nspawn runs inside the host's netns, so the sysfs it mounts for the container shows the container's own network
  // devices: started from the machine's netns, /sys/class/net showed the machine's interfaces and MAC addresses.
  const inNetns = ['nsenter', `--net=${netnsPath(hostNetns(h.unit))}`];
  const child = spawn('sh', ['-c', `${enter}; exec "$@"`, 'labspec-nspawn', ...inNetns, ...nspawnArgs], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, SYSTEMD_NSPAWN_LOCK: '0' },
  });
  closeSync(fd);
  child.unref();
  const nspawnPid = child.pid;
  if (nspawnPid === undefined) throw new LabError(`labspec lab: could not start systemd-nspawn for ${h.unit}`);
  let exited = false;
  child.once('exit', () => (exited = true));

  const deadline = Date.now() + 15_000;
  let pid = 0;
  while (Date.now() < deadline) {
    if (exited) break;
    for (const d of cgroups) {
      const p = cgroupPids(d).find((x) => x !== nspawnPid && nsPid1(x) && comm(x) === 'systemd');
      if (p) pid = p;
    }
    if (pid) break;
    await sleep(25);
  }
  if (!pid) {
    throw new LabError(
      `labspec lab: ${h.unit} did not boot (systemd-nspawn ${exited ? 'exited' : 'hung'}); console tail:\n${await tail(consoleLog, 30)}`,
    );
  }
  // vmx: bind a per-host cpuinfo over /proc/cpuinfo inside the container's mount namespace.
  const bind = await $`nsenter -t ${pid} -m mount --bind ${CPUINFO_IN_GUEST} /proc/cpuinfo`.nothrow();
  if (bind.exitCode !== 0)
    throw new LabError(`labspec lab: ${h.unit}: bind-mounting cpuinfo failed: ${bind.stderr.trim()}`);
  return { unit: h.unit, name: h.name, address: h.address, pid, nspawnPid, root: h.root, consoleLog };
}

/** Console and journal tail for a host that failed to come up. */
export async function bootDiagnostics(h: { unit: string; pid?: number; consoleLog: string }): Promise<string> {
  let journal = '';
  if (h.pid && isAlive(h.pid)) {
    journal = (await $`nsenter -t ${h.pid} -m -u -i -n -p journalctl -b --no-pager -n 40`.nothrow()).stdout;
  }
  return `--- ${h.unit} console (tail) ---\n${await tail(h.consoleLog, 30)}\n--- ${h.unit} journal (tail) ---\n${journal || '(unavailable)'}`;
}

/** Kills every process of the lab (PID 1 first, then whatever is left in the lab cgroups). */
export async function killLabProcesses(known: readonly { pid: number; nspawnPid: number }[]): Promise<number[]> {
  const signal = (pid: number, sig: NodeJS.Signals): void => {
    try {
      process.kill(pid, sig);
    } catch {
      /* gone */
    }
  };
  // Killing a container's PID 1 tears down its whole PID namespace; nspawn then exits by itself.
  for (const h of known) if (h.pid && nsPid1(h.pid)) signal(h.pid, 'SIGKILL');
  const deadline = Date.now() + 5_000;
  let left: number[] = [];
  while (Date.now() < deadline) {
    left = labCgroupDirs().flatMap((d) => cgroupPids(d));
    for (const h of known)
      if (h.nspawnPid && isAlive(h.nspawnPid) && !left.includes(h.nspawnPid) && comm(h.nspawnPid) === 'systemd-nspawn')
        left.push(h.nspawnPid);
    if (left.length === 0) break;
    if (Date.now() > deadline - 4_000) for (const p of left) signal(p, 'SIGKILL');
    await sleep(50);
  }
  return left;
}

export async function removeLabCgroups(): Promise<string[]> {
  return labCgroupDirs().flatMap((d) => removeCgroupTree(d));
}

/** Mount points under the state dir, deepest first. */
export function stateMounts(): string[] {
  const out: string[] = [];
  for (const line of readFileSync('/proc/self/mounts', 'utf8').split('\n')) {
    const mnt = (line.split(' ')[1] ?? '').replace(/\\040/g, ' ');
    if (mnt === STATE_DIR || mnt.startsWith(`${STATE_DIR}/`)) out.push(mnt);
  }
  return out.sort((a, b) => b.length - a.length);
}

export async function unmountState(): Promise<string[]> {
  for (const m of stateMounts()) {
    const r = await $`umount ${m}`.nothrow();
    if (r.exitCode !== 0) await $`umount -l ${m}`.nothrow();
  }
  return stateMounts();
}

function machineName(unit: string): string {
  return `labspec-${unit}`;
}

const NSPAWN_PROPAGATE = '/run/systemd/nspawn/propagate';

/** What systemd-nspawn left for the lab's machines (every name starts with `labspec-`). */
export function nspawnLeftovers(): string[] {
  if (!existsSync(NSPAWN_PROPAGATE)) return [];
  return readdirSync(NSPAWN_PROPAGATE)
    .filter((n) => n.startsWith(machineName('')))
    .map((n) => join(NSPAWN_PROPAGATE, n));
}

/** Whether something listens on TCP `port` in the netns of `pid` (read from /proc, no traffic). */
export function tcpListening(pid: number, port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const f of ['tcp', 'tcp6']) {
    try {
      const lines = readFileSync(`/proc/${pid}/net/${f}`, 'utf8').split('\n').slice(1);
      if (
        lines.some((l) => {
          const cols = l.trim().split(/\s+/);
          return cols[1]?.endsWith(`:${hex}`) && cols[3] === '0A';
        })
      )
        return true;
    } catch {
      /* process gone */
    }
  }
  return false;
}
