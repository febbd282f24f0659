// Integration: the local two-node lab comes up, answers SSH from the lab netns, compute1 syncs
// from the controller, `up` is idempotent, and `down` leaves nothing behind. Needs root.
import { describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { labDown, labExecPrefix, labStatus, labUp, type LabUpResult } from '../../lab/index.ts';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const SKIP_REASON = 'lab lifecycle needs root (network namespaces, overlay mounts, systemd-nspawn)';
if (!isRoot) console.warn(`skipping: ${SKIP_REASON}`);

const INOTIFY = '/proc/sys/fs/inotify/max_user_instances';
const CGROUP_DIRS = ['/sys/fs/cgroup/systemd/labspec', '/sys/fs/cgroup/unified/labspec', '/sys/fs/cgroup/labspec'];

function ssh(up: LabUpResult, address: string, command: string): { code: number; out: string } {
  const [cmd, ...pre] = labExecPrefix();
  const r = spawnSync(
    cmd as string,
    [
      ...pre,
      'ssh',
      '-F',
      '/dev/null',
      '-i',
      join(up.stateDir, 'id_ed25519'),
      '-o',
      `UserKnownHostsFile=${join(up.stateDir, 'known_hosts')}`,
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'BatchMode=yes',
      '-o',
      'ConnectTimeout=5',
      `root@${address}`,
      command,
    ],
    { encoding: 'utf8' },
  );
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/** Alive and not a zombie. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function labPidsFromState(stateDir: string): number[] {
  const st = JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')) as {
    hosts: Array<{ pid: number; nspawnPid: number }>;
  };
  return st.hosts.flatMap((h) => [h.pid, h.nspawnPid]);
}

describe.skipIf(!isRoot)(`lab lifecycle (${isRoot ? 'root' : SKIP_REASON})`, () => {
  it('up → SSH on both hosts → compute1 synced from controller → up again → down leaves nothing', async () => {
    const inotifyBefore = readFileSync(INOTIFY, 'utf8').trim();
    const netnsBefore = existsSync('/run/netns');

    const first = await labUp({ scenario: 'compliant' });
    expect(first.hosts.map((h) => [h.name, h.address])).toEqual([
      ['controller', '10.0.0.100'],
      ['compute1', '10.0.0.101'],
    ]);
    expect(readFileSync(first.inventoryPath, 'utf8')).toContain('identityFile: /run/labspec/lab/id_ed25519');
    const knownHosts = readFileSync(join(first.stateDir, 'known_hosts'), 'utf8');
    expect(knownHosts).toMatch(/^10\.0\.0\.100,controller ssh-ed25519 /m);
    expect(knownHosts).toMatch(/^10\.0\.0\.101,compute1 ssh-ed25519 /m);

    for (const h of first.hosts) {
      const r = ssh(first, h.address, 'hostname; grep -c " vmx" /proc/cpuinfo; cat /etc/centos-release');
      expect(r.code, r.out).toBe(0);
      expect(r.out).toContain(h.name);
      expect(r.out).toContain('CentOS Linux release 7.9.2009 (Core)');
    }
    const sources = ssh(first, '10.0.0.101', 'chronyc -n sources');
    expect(sources.code, sources.out).toBe(0);
    expect(sources.out).toMatch(/^\^\*\s+10\.0\.0\.100\b/m);
    // The lab netns has no route out.
    const routes = execFileSync('ip', ['-n', 'labspec', 'route', 'show', 'default'], { encoding: 'utf8' });
    expect(routes.trim()).toBe('');
    const status = await labStatus();
    expect(status.up).toBe(true);
    const firstPids = labPidsFromState(first.stateDir);
    console.log('lab up timings (ms):', JSON.stringify(first.timings));

    // Idempotent: a second up replaces the first instance.
    const second = await labUp({ scenario: 'compliant' });
    console.log('second lab up timings (ms):', JSON.stringify(second.timings));
    for (const p of firstPids) expect(running(p), `pid ${p} of the first instance`).toBe(false);
    expect(ssh(second, '10.0.0.100', 'true').code).toBe(0);
    expect(ssh(second, '10.0.0.101', 'chronyc -n sources').out).toMatch(/^\^\*\s+10\.0\.0\.100\b/m);
    const secondPids = labPidsFromState(second.stateDir);

    await labDown();
    await labDown(); // idempotent

    const netns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    expect(netns).not.toMatch(/^labspec/m);
    const mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .filter((l) => (l.split(' ')[1] ?? '').startsWith(second.stateDir));
    expect(mounts).toEqual([]);
    for (const d of CGROUP_DIRS) expect(existsSync(d), d).toBe(false);
    for (const p of secondPids) expect(running(p), `pid ${p}`).toBe(false);
    expect(readFileSync(INOTIFY, 'utf8').trim()).toBe(inotifyBefore);
    expect(existsSync(second.stateDir)).toBe(false);
    expect(existsSync('/run/netns')).toBe(netnsBefore);
    const links = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
    expect(links).not.toMatch(/\bv-(controller|compute1)\b|labbr0/);
    expect((await labStatus()).up).toBe(false);
  }, 600_000);
});
