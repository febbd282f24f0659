// Shared helpers for the local lab: paths, preflight checks, small process utilities.
import { $ } from 'zx';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';

$.verbose = false;
$.quiet = true;

/** Name of the lab network namespace; labspec runs inside it. */
export const LAB_NETNS = 'labspec';
/** Name of the cgroup directory (per hierarchy) holding one sub-cgroup per host. */
export const LAB_CGROUP = 'labspec';
/** Runtime state: keys, known_hosts, inventory, overlay layers, logs. */
export const STATE_DIR = process.env.LABSPEC_LAB_STATE_DIR ?? '/run/labspec/lab';
/** Image cache, outside the repository. */
export const IMAGE_CACHE_DIR = process.env.LABSPEC_IMAGE_CACHE ?? '/var/cache/labspec/images';
export const SUBNET = '10.0.0.0/24';
export const RUNNER_ADDRESS = '10.0.0.1';
export const NTP_UPSTREAM = '2.kr.pool.ntp.org';

export class LabError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabError';
  }
}

export function requireRoot(): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new LabError(
      'labspec lab: must run as root (it creates network namespaces, mounts and containers); run it with sudo (e.g. sudo npm run demo)',
    );
  }
}

/** Binary → Debian package that provides it. */
const TOOLS: ReadonlyArray<readonly [string, string]> = [
  ['systemd-nspawn', 'systemd-container'],
  ['debootstrap', 'debootstrap'],
  ['ip', 'iproute2'],
  ['nft', 'nftables'],
  ['nsenter', 'util-linux'],
  ['ssh-keygen', 'openssh-client'],
  ['ssh', 'openssh-client'],
  ['chroot', 'coreutils'],
];

const PATH_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export function which(bin: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...PATH_DIRS];
  for (const d of dirs) {
    const p = `${d}/${bin}`;
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** One-line error naming the apt command that installs every missing tool. */
export function requireTools(bins?: readonly string[]): void {
  const wanted = bins ? TOOLS.filter(([b]) => bins.includes(b)) : TOOLS;
  const missing = wanted.filter(([b]) => !which(b));
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map(([, p]) => p))];
    throw new LabError(
      `labspec lab: missing ${missing.map(([b]) => b).join(', ')}; install with: apt-get install -y ${pkgs.join(' ')}`,
    );
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function writeText(path: string, content: string, mode?: number): Promise<void> {
  await writeFile(path, content, mode === undefined ? {} : { mode });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function ms(start: bigint): number {
  return Number((process.hrtime.bigint() - start) / 1_000_000n);
}
