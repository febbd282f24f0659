// Integration: a real class on this machine. Five student labs side by side, each with its own
// isolated 10.0.0.0/24 (controller 10.0.0.100, compute1 10.0.0.101), reached through its own NAT
// address with a port forward per host: a compliant lab, a broken one, a clone pair, and one whose
// VMs are off. labspec grades the class through its real CLI, from the runner's netns. Needs root.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultsDocument } from '../../outputs/report.ts';
import { compareWithScenario } from '../../lab/expectations.ts';
import {
  demoClass,
  findScenario,
  labDown,
  labExecPrefix,
  labStatus,
  labUp,
  leftovers,
  type LabInfo,
  type LabUpResult,
} from '../../lab/index.ts';
import { labspec } from '../helpers/labspec-cli.ts';

const isRoot = process.getuid?.() === 0;
const BROKEN = 'drift';
/** student1 compliant, student2 broken, student3 compliant, student4 a clone of student1, student5 off. */
const CLASS = demoClass(4, BROKEN);

/** One command on a lab host over real OpenSSH, the way labspec reaches it: NAT address and forwarded port. */
function ssh(up: LabUpResult, host: { address: string; port: number }, command: string) {
  const r = spawnSync(
    'ip',
    [
      ...labExecPrefix().slice(1),
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
      '-p',
      String(host.port),
      `root@${host.address}`,
      command,
    ],
    { encoding: 'utf8' },
  );
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const ip = (args: string[]) => spawnSync('ip', args, { encoding: 'utf8' }).stdout;

describe.skipIf(!isRoot)('a class of labs on this machine (needs root)', () => {
  let up: LabUpResult;
  const lab = (name: string): LabInfo => up.labs.find((l) => l.name === name)!;

  beforeAll(async () => {
    up = await labUp({ class: CLASS });
    const status = await labStatus();
    console.log(
      `class lab: ${up.hosts.length} hosts in ${up.labs.length} labs up in ${up.timings.upMs} ms, ` +
        `${status.memoryMiB} MiB (PSS); timings ${JSON.stringify(up.timings)}`,
    );
  });

  afterAll(async () => {
    await labDown();
    expect(await leftovers()).toEqual([]);
    expect(ip(['-o', 'link', 'show'])).not.toMatch(/classbr0|labbr0|\bup\d+@/);
  });

  it('each lab is its own 10.0.0.0/24, reached only through its own NAT address and port forwards', () => {
    expect(up.labs.map((l) => [l.name, l.natAddress, l.hosts.map((h) => h.port)])).toEqual([
      ['student1', '192.168.100.11', [2201, 2202]],
      ['student2', '192.168.100.12', [2201, 2202]],
      ['student3', '192.168.100.13', [2201, 2202]],
      ['student4', '192.168.100.14', [2201, 2202]],
      ['student5', '192.168.100.15', [2201, 2202]],
    ]);
    // The runner has no route into any lab network, nor out of the machine.
    expect(ip(['-n', 'labspec', 'route', 'show'])).not.toMatch(/10\.0\.0\.|default/);
    for (const l of up.labs) expect(ip(['-n', `labspec-${l.name}`, 'route', 'show', 'default']).trim()).toBe('');

    const macs: string[] = [];
    for (const host of up.hosts) {
      const r = ssh(
        up,
        host,
        'hostname; cat /etc/machine-id; ip -4 -o addr show dev eth0; echo /sys/class/net/*; cat /sys/class/net/eth0/address; ip route show default',
      );
      expect(r.code, r.out).toBe(0);
      const [hostname, machineId, eth0, sysNet, mac, ...rest] = r.out.trim().split('\n');
      expect(hostname).toBe(host.name);
      // The forward leads into this lab: the host it reaches has this lab's machine-id.
      expect(machineId).toBe(host.machineId);
      expect(eth0).toContain(`inet ${host.labAddress}/24`);
      // sysfs shows the host's own network devices, not the machine's.
      expect(sysNet).toBe('/sys/class/net/eth0 /sys/class/net/lo');
      macs.push(mac!);
      expect(rest, 'a lab host has no route out').toEqual([]);
    }
    expect(new Set(macs).size).toBe(macs.length);
    // Each compute syncs from its own lab's controller, at the same lab address in every lab.
    for (const name of ['student1', 'student3', 'student4']) {
      const compute = lab(name).hosts.find((h) => h.name === 'compute1')!;
      expect(ssh(up, compute, 'chronyc -n sources').out).toMatch(/^\^\*\s+10\.0\.0\.100\b/m);
    }
  });

  it('the clone shares machine-ids and SSH host keys with its source; every other lab has its own', () => {
    const identities = up.hosts.map((h) => ({ lab: h.lab, key: h.hostKey.split(' ')[1], id: h.machineId }));
    for (const h of identities) {
      expect(h.id).toMatch(/^[0-9a-f]{32}$/);
      expect(h.key).toMatch(/^AAAA/);
    }
    const shared = (field: 'key' | 'id') =>
      identities.flatMap((a, i) =>
        identities.slice(i + 1).flatMap((b) => (a[field] === b[field] ? [`${a.lab}=${b.lab}`] : [])),
      );
    expect(shared('key')).toEqual(['student1=student4', 'student1=student4']);
    expect(shared('id')).toEqual(['student1=student4', 'student1=student4']);
  });

  it('the lab whose VMs are off refuses the connection at its NAT address', () => {
    for (const host of lab('student5').hosts) {
      const r = ssh(up, host, 'true');
      expect(r.code).toBe(255);
      expect(r.out).toContain('Connection refused');
    }
  });

  it('labspec run reads every reachable lab through its forwards, and reports the one that is off as unreachable', () => {
    const reports = mkdtempSync(join(process.env.LABSPEC_TEST_SCRATCH ?? tmpdir(), 'class-reports-'));
    const run = labspec(['run', '--inventory', up.inventoryPath, '--reports', reports, '-q'], {
      prefix: labExecPrefix(),
    });
    expect(run.code, run.stderr).toBe(1);
    const { results, hosts } = resultsDocument.parse(JSON.parse(readFileSync(join(reports, 'results.json'), 'utf8')));
    const ofLab = (name: string) => results.filter((r) => r.lab === name);
    for (const name of ['student1', 'student3', 'student4'])
      expect(
        ofLab(name).filter((r) => r.status !== 'pass' && r.status !== 'skip'),
        name,
      ).toEqual([]);
    expect(compareWithScenario(ofLab('student2'), findScenario(BROKEN))).toEqual({
      matches: true,
      unexpected: [],
      missing: [],
      errored: [],
    });
    expect(hosts.filter((h) => !h.connection.ok).map((h) => [h.lab, h.host, h.connection])).toEqual([
      ['student5', 'controller', expect.objectContaining({ failure: 'unreachable' })],
      ['student5', 'compute1', expect.objectContaining({ failure: 'unreachable' })],
    ]);
  });
});
