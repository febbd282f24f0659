// Integration: a real class on this machine. Five student labs side by side, each with its own
// isolated 10.0.0.0/24 (controller 10.0.0.100, compute1 10.0.0.101), reached through its own NAT
// address with a port forward per host: two compliant labs, a broken one, a clone of the first,
// and one whose VMs are off. labspec grades the class through its real CLI, from the runner's
// netns, then re-grades the stored run with another rubric once the lab is gone. Needs root.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { isFamily, REGISTRY, registryIdOf } from '../../checks/registry.ts';
import { classGradeDocument, type ClassGrade } from '../../grade/model.ts';
import { parseCsv } from '../../inventory/csv.ts';
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
import { resultsDocument, type RunReport } from '../../outputs/report.ts';
import { labspec, type CliRun } from '../helpers/labspec-cli.ts';

const isRoot = process.getuid?.() === 0;
const BROKEN = 'drift';
/** student1 compliant, student2 broken, student3 compliant, student4 a clone of student1, student5 off. */
const CLASS = demoClass(4, BROKEN);
/** Who each lab belongs to: ids free-form, names Korean or with a comma, one LMS id. */
const STUDENTS: Record<string, { id: string; displayName: string; lmsId?: string }> = {
  student1: { id: '2024-0001', displayName: '김민수', lmsId: 'kim@uni.example' },
  student2: { id: 'maria.garcia', displayName: 'García, María' },
  student3: { id: '2024-0003', displayName: '이서연' },
  student4: { id: 'jdoe_22', displayName: 'John Doe' },
  student5: { id: '2024-0005', displayName: '박지훈' },
};
/** The appeal: other points for three checks (one worth nothing now), and a grade out of 20. */
const APPEAL = { points: { 'topology.ntp': 10, 'firewalld.stopped': 4, 'os.release': 0 }, gradeScale: 20 };
/** class.csv's columns that are scores; everything else is who, state, clones and verdicts. */
const SCORE_COLUMNS = ['earned', 'possible', 'percent', 'grade'];

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

/** The registry's points, the default rubric: 1 per host check, more per cross-host check. */
const REGISTRY_POINTS = new Map(
  REGISTRY.map((e) => (isFamily(e) ? [e.template.id, e.template.points] : [e.id, e.points])),
);
function pointsOf(check: string, overrides: Record<string, number> = {}): number {
  const entry = registryIdOf(check);
  expect(entry, check).not.toBeNull();
  return overrides[check] ?? REGISTRY_POINTS.get(entry!)!;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/** A lab's score from its verdicts: every pass and fail worth points counts, skips and errors never do. */
function expectedScore(results: RunReport['results'], lab: string, overrides: Record<string, number> = {}) {
  const counted = results.filter(
    (r) => r.lab === lab && (r.status === 'pass' || r.status === 'fail') && pointsOf(r.check, overrides) > 0,
  );
  const sum = (rows: typeof counted) => rows.reduce((total, r) => total + pointsOf(r.check, overrides), 0);
  const possible = sum(counted);
  const earned = sum(counted.filter((r) => r.status === 'pass'));
  return { earned, possible, percent: round2((earned / possible) * 100) };
}

/** A CSV the way a spreadsheet reads it: a byte-order mark first, then header and rows by column name. */
function readCsv(path: string): Array<Record<string, string>> {
  const text = readFileSync(path, 'utf8');
  expect(text.startsWith('\uFEFF'), `${path} starts with a BOM`).toBe(true);
  const [header, ...rows] = parseCsv(text.slice(1)).map((r) => r.fields);
  return rows.map((fields) => Object.fromEntries(header!.map((name, i) => [name, fields[i] ?? ''])));
}

describe.skipIf(!isRoot)('a class of labs on this machine, graded through the CLI (needs root)', () => {
  let up: LabUpResult;
  let work: string;
  let reports: string;
  let run: CliRun;
  const lab = (name: string): LabInfo => up.labs.find((l) => l.name === name)!;
  const json = <T>(path: string) => JSON.parse(readFileSync(path, 'utf8')) as T;

  beforeAll(async () => {
    up = await labUp({ class: CLASS });
    const status = await labStatus();
    console.log(
      `class lab: ${up.hosts.length} hosts in ${up.labs.length} labs up in ${up.timings.upMs} ms, ` +
        `${status.memoryMiB} MiB (PSS); timings ${JSON.stringify(up.timings)}`,
    );
    work = mkdtempSync(join(process.env.LABSPEC_TEST_SCRATCH ?? tmpdir(), 'class-'));
    reports = join(work, 'reports');
    // The lab's own inventory (labs: with address, port, labAddress), with each lab's student.
    const inventory = parse(readFileSync(up.inventoryPath, 'utf8')) as { labs: Array<{ name: string }> };
    const classYaml = join(work, 'class.yaml');
    writeFileSync(
      classYaml,
      stringify({ ...inventory, labs: inventory.labs.map((l) => ({ ...l, ...STUDENTS[l.name] })) }),
    );
    run = labspec(['run', '--inventory', classYaml, '--reports', reports], { prefix: labExecPrefix() });
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

  it('labspec run reads every reachable lab through its forwards: the verdicts are each scenario’s', () => {
    expect(run.code, run.stderr).toBe(1);
    const { results, hosts } = resultsDocument.parse(json(join(reports, 'results.json')));
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

  it('class.csv: every student’s score from the rubric’s points, the clone pair flagged, the lab that is off not graded', () => {
    const results = resultsDocument.parse(json(join(reports, 'results.json'))).results;
    const rows = readCsv(join(reports, 'class.csv'));
    const scores = Object.fromEntries(CLASS.map((p) => [p.name, expectedScore(results, p.name)]));
    // The same checks are judged in every lab that was read; the broken one loses exactly its scenario's points.
    expect(scores.student2!.possible).toBe(scores.student1!.possible);
    const lost = findScenario(BROKEN).mustFail.reduce((sum, entry) => sum + pointsOf(entry.split(':')[1]!), 0);
    expect(scores.student2!.earned).toBe(scores.student1!.possible - lost);
    const cell = (name: string, column: string) => rows.find((r) => r.lab === name)![column];

    expect(
      rows.map((r) => [r.id, r.displayName, r.lmsId, r.lab, r.earned, r.possible, r.percent, r.grade, r.state]),
    ).toEqual([
      ['2024-0001', '김민수', 'kim@uni.example', 'student1', ...score(scores.student1!), '100', 'graded'],
      [
        'maria.garcia',
        'García, María',
        '',
        'student2',
        ...score(scores.student2!),
        String(scores.student2!.percent),
        'graded',
      ],
      ['2024-0003', '이서연', '', 'student3', ...score(scores.student3!), '100', 'graded'],
      ['jdoe_22', 'John Doe', '', 'student4', ...score(scores.student4!), '100', 'graded'],
      ['2024-0005', '박지훈', '', 'student5', '0', '0', '', '', 'not graded'],
    ]);
    expect(scores.student1!.percent).toBe(100);
    expect(cell('student5', 'reason')).toMatch(
      /^could not connect \(controller: .*connection refused.*compute1: .*connection refused/,
    );
    // The clone pair, by SSH host key and machine-id, on both hosts; nobody else.
    expect(cell('student1', 'clone')).toContain('SSH host key of controller shared with jdoe_22/controller');
    expect(cell('student1', 'clone')).toContain('machine-id of compute1 shared with jdoe_22/compute1');
    expect(cell('student4', 'clone')).toContain('SSH host key of compute1 shared with 2024-0001/compute1');
    for (const name of ['student2', 'student3', 'student5']) expect(cell(name, 'clone'), name).toBe('');
    // A column per host and check: the broken lab's failures, in its row only.
    for (const entry of findScenario(BROKEN).mustFail) {
      expect(cell('student2', entry)).toBe('fail');
      expect(cell('student1', entry)).toBe('pass');
    }
    expect(cell('student5', 'controller:chrony.allow')).toBe('error');

    const grade = classGradeDocument.parse(json(join(reports, 'class.json')));
    expect(grade.cloneGroups.map((g) => [g.fact, g.members.map((m) => `${m.id}/${m.host}`)])).toEqual([
      ['hostKey', ['2024-0001/controller', 'jdoe_22/controller']],
      ['hostKey', ['2024-0001/compute1', 'jdoe_22/compute1']],
      ['machineId', ['2024-0001/controller', 'jdoe_22/controller']],
      ['machineId', ['2024-0001/compute1', 'jdoe_22/compute1']],
    ]);
    expect(grade.summary).toMatchObject({ labs: 5, graded: 4, notGraded: 1, flagged: 0, clones: 2 });
    expect(run.stdout).toMatch(/not graded 2024-0005 \(박지훈\): could not connect/);
  });

  it('moodle.csv: the graded students, by LMS id else id, with their grade and feedback', () => {
    const results = resultsDocument.parse(json(join(reports, 'results.json'))).results;
    const broken = expectedScore(results, 'student2');
    const rows = readCsv(join(reports, 'moodle.csv'));
    expect(rows.map((r) => [r.Identifier, r['Lab grade']])).toEqual([
      ['kim@uni.example', '100'],
      ['maria.garcia', String(broken.percent)],
      ['2024-0003', '100'],
      ['jdoe_22', '100'],
    ]);
    expect(rows[1]!.Feedback).toMatch(
      new RegExp(
        `^labspec: ${broken.earned} of ${broken.possible} points \\(${broken.percent}%\\)\\. Failed: controller:firewalld\\.stopped `,
      ),
    );
    expect(rows[0]!.Feedback).toContain('Every graded check passed.');
  });

  it('labspec replay with a changed rubric, the lab gone: only the scores change', async () => {
    await labDown();
    const [runId] = readdirSync(join(reports, 'runs'));
    const runDir = join(reports, 'runs', runId!);
    const rubric = join(work, 'appeal.yaml');
    writeFileSync(rubric, stringify(APPEAL));
    const replay = labspec(['replay', runDir, '--reports', reports, '--rubric', rubric, '-q']);
    expect(replay.code, replay.stderr).toBe(1);

    const before = readCsv(join(runDir, 'class.csv'));
    const after = readCsv(join(reports, 'class.csv'));
    const without = (row: Record<string, string>) =>
      Object.fromEntries(Object.entries(row).filter(([column]) => !SCORE_COLUMNS.includes(column)));
    expect(after.map(without)).toEqual(before.map(without));

    const results = resultsDocument.parse(json(join(runDir, 'results.json'))).results;
    for (const row of after.filter((r) => r.state === 'graded')) {
      const expected = expectedScore(results, row.lab!, APPEAL.points);
      expect(row, row.lab).toMatchObject({
        earned: String(expected.earned),
        possible: String(expected.possible),
        percent: String(expected.percent),
        grade: String(round2((expected.percent * APPEAL.gradeScale) / 100)),
      });
    }
    expect(after.find((r) => r.lab === 'student2')!.grade).not.toBe(before.find((r) => r.lab === 'student2')!.grade);
    const regraded = json<ClassGrade>(join(reports, 'class.json'));
    expect(regraded.run).toMatchObject({ kind: 'replay', gatheredBy: runId });
    expect(regraded.rubric).toMatchObject({ source: rubric, gradeScale: 20 });
    expect(readCsv(join(reports, 'moodle.csv')).map((r) => r['Lab grade'])).toEqual(
      after.filter((r) => r.state === 'graded').map((r) => r.grade),
    );
  });
});

function score(s: { earned: number; possible: number; percent: number }): string[] {
  return [String(s.earned), String(s.possible), String(s.percent)];
}
