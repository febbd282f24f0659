// Per-host cgroups under /sys/fs/cgroup/<hierarchy>/labspec/<host> (hybrid v1 + v2 or pure v2).
import { existsSync, readdirSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LAB_CGROUP } from './util.ts';

/** Hierarchies nspawn and the container's systemd use: name=systemd (v1) and/or the v2 tree. */
export function cgroupRoots(): string[] {
  const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n');
  const roots: string[] = [];
  for (const line of mounts) {
    const [, mnt, type, opts] = line.split(' ');
    if (!mnt) continue;
    if (type === 'cgroup2') roots.push(mnt);
    else if (type === 'cgroup' && (opts ?? '').split(',').includes('name=systemd')) roots.push(mnt);
  }
  // Prefer the v1 name=systemd hierarchy first (nspawn reads its own cgroup from it in hybrid mode).
  return roots.sort((a, b) => Number(b.endsWith('/systemd')) - Number(a.endsWith('/systemd')));
}

export function labCgroupDirs(): string[] {
  return cgroupRoots().map((r) => join(r, LAB_CGROUP));
}

export async function createHostCgroups(host: string): Promise<string[]> {
  const dirs = labCgroupDirs().map((d) => join(d, host));
  for (const d of dirs) await mkdir(d, { recursive: true });
  return dirs;
}

function walk(dir: string, out: string[]): void {
  out.push(dir);
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e);
    try {
      if (statSync(p).isDirectory()) walk(p, out);
    } catch {
      /* vanished */
    }
  }
}

/** Every PID in a cgroup subtree. */
export function cgroupPids(dir: string): number[] {
  if (!existsSync(dir)) return [];
  const dirs: string[] = [];
  walk(dir, dirs);
  const pids = new Set<number>();
  for (const d of dirs) {
    try {
      for (const l of readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n')) {
        const n = Number(l.trim());
        if (l.trim() && Number.isInteger(n)) pids.add(n);
      }
    } catch {
      /* vanished */
    }
  }
  return [...pids];
}

/** Removes a cgroup subtree bottom-up (it must hold no processes). Returns dirs it could not remove. */
export function removeCgroupTree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const dirs: string[] = [];
  walk(dir, dirs);
  const left: string[] = [];
  for (const d of dirs.reverse()) {
    try {
      rmdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') left.push(d);
    }
  }
  return left;
}

/** Proportional set size of every process in the lab's cgroups, in KiB (shared pages split between their users). */
export function labPssKiB(): number {
  const pids = new Set(labCgroupDirs().flatMap((d) => cgroupPids(d)));
  let total = 0;
  for (const pid of pids) {
    try {
      const m = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').match(/^Pss:\s+(\d+) kB/m);
      total += Number(m?.[1] ?? 0);
    } catch {
      /* exited */
    }
  }
  return total;
}
