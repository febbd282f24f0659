import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../inventory/csv.ts';
import { classGradeDocument, type ClassGrade } from '../../grade/model.ts';
import { historyDocument } from '../../outputs/history.ts';
import { resultsDocument, type RunReport } from '../../outputs/report.ts';
import { labspec, type CliRun } from '../helpers/labspec-cli.ts';
import { freePort, startSshd, type TestSshd } from '../helpers/sshd.ts';

const isRoot = process.getuid?.() === 0;

/**
 * A small class through the real CLI, every host a real sshd on loopback (this machine, so most checks fail alike):
 * four students from a roster CSV — two on sshd A (the same host key: a clone pair when host keys count), one on
 * sshd B, one on sshd C whose compute1 port refuses — then `--lab` for one student, and a replay with another rubric.
 */
describe.skipIf(!isRoot)('grading a class over real sshd (needs root)', () => {
  let a: TestSshd;
  let b: TestSshd;
  let c: TestSshd;
  let work: string;
  let reports: string;
  let inventory: string;
  let first: CliRun;

  const json = <T>(path: string) => JSON.parse(readFileSync(path, 'utf8')) as T;
  const csv = (path: string) => {
    const text = readFileSync(path, 'utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    return parseCsv(text).map((r) => r.fields);
  };
  const runIds = () => readdirSync(join(reports, 'runs')).sort();

  beforeAll(async () => {
    [a, b, c] = await Promise.all([startSshd(), startSshd(), startSshd()]);
    work = mkdtempSync(join(tmpdir(), 'labspec-class-'));
    reports = join(work, 'reports');
    const refused = await freePort();
    const knownHosts = join(work, 'known_hosts');
    writeFileSync(knownHosts, [a, b, c].map((sshd) => `[127.0.0.1]:${sshd.port} ${sshd.hostKeys.ed25519}\n`).join(''));
    writeFileSync(
      join(work, 'students.csv'),
      '\uFEFFid,displayName,lmsId,port,computePort,key\r\n' +
        `2024-0001,김민수,kim@uni.example,${a.port},${a.port},${a.clientKey}\r\n` +
        `maria.garcia,"García, María",,${b.port},${b.port},${b.clientKey}\r\n` +
        `2024-0003,이서연,,${a.port},${a.port},${a.clientKey}\r\n` +
        `jdoe_22,John Doe,,${c.port},${refused},${c.clientKey}\r\n`,
    );
    inventory = join(work, 'class.yaml');
    writeFileSync(
      inventory,
      `defaults:
  user: root
  knownHostsFile: ${knownHosts}
  connectTimeoutSeconds: 3
  deadlineSeconds: 30
rubric:
  points:
    topology.ntp: 5
    # systemctl cannot answer on this machine (no systemd as PID 1): these would error, and flag every lab.
    firewalld.stopped: 0
    firewalld.disabled: 0
    networkmanager.stopped: 0
    networkmanager.disabled: 0
    chrony.service: 0
  clones:
    facts: [hostKey]
roster: students.csv
template:
  lab:
    chronySyncWaitSeconds: 0 # no chronyd here: a compute would wait for a source that never comes
  defaults:
    identityFile: "{key}"
  hosts:
    - { name: controller, address: 127.0.0.1, port: "{port}", labAddress: 10.0.0.100, role: controller }
    - { name: compute1, address: 127.0.0.1, port: "{computePort}", labAddress: 10.0.0.101, role: compute }
`,
    );
    first = labspec(['run', '--inventory', inventory, '--reports', reports, '-q'], {
      cwd: work,
      env: { HOME: work },
    });
  }, 180_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), c?.stop()]);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('writes class.json, class.csv, moodle.csv and the history next to junit.xml, in the run folder and at the top', () => {
    expect(first.stderr).not.toMatch(/invalid|Error/);
    expect([1, 3]).toContain(first.code);
    const [run] = runIds();
    for (const name of ['class.json', 'class.csv', 'moodle.csv', 'history.csv', 'history.json', 'junit.xml']) {
      expect(existsSync(join(reports, 'runs', run!, name)), name).toBe(true);
      expect(readFileSync(join(reports, name), 'utf8')).toBe(readFileSync(join(reports, 'runs', run!, name), 'utf8'));
    }
    expect(classGradeDocument.safeParse(json(join(reports, 'class.json'))).error).toBeUndefined();
    expect(historyDocument.safeParse(json(join(reports, 'history.json'))).error).toBeUndefined();
  });

  it('scores every read student alike (the same machine), with the rubric points; the unreachable one is not graded', () => {
    const grade = json<ClassGrade>(join(reports, 'class.json'));
    const results = json<RunReport>(join(reports, 'results.json'));
    expect(resultsDocument.safeParse(results).error).toBeUndefined();
    expect(grade.labs.map((l) => [l.student.id, l.lab, l.state])).toEqual([
      ['2024-0001', '2024-0001', 'graded'],
      ['maria.garcia', 'maria-garcia', 'graded'],
      ['2024-0003', '2024-0003', 'graded'],
      ['jdoe_22', 'jdoe-22', 'not-graded'],
    ]);
    expect(grade.columns.find((c) => c.key === 'lab:topology.ntp')!.points).toBe(5);
    // Every point of a graded lab is a pass or a fail of this machine's checks, counted from results.json.
    for (const lab of grade.labs.filter((l) => l.state === 'graded')) {
      const mine = results.results.filter((r) => r.lab === lab.lab && (r.status === 'pass' || r.status === 'fail'));
      const zero = /^(firewalld|networkmanager)\.|^chrony\.service$/;
      const pointsOf = (check: string) =>
        check === 'topology.ntp' ? 5 : check.startsWith('topology.') ? 3 : zero.test(check) ? 0 : 1;
      expect(lab.possible).toBe(mine.reduce((sum, r) => sum + pointsOf(r.check), 0));
      expect(lab.earned).toBe(mine.filter((r) => r.status === 'pass').reduce((sum, r) => sum + pointsOf(r.check), 0));
      expect(lab.percent).toBe(Math.round((lab.earned / lab.possible) * 10000) / 100);
      expect(lab.grade).toBe(lab.percent);
    }
    const [kim, maria, , jdoe] = grade.labs;
    expect(maria!.earned).toBe(kim!.earned);
    expect(jdoe!.reason).toMatch(/^could not connect \(compute1: .*connection refused/);
    expect(jdoe!.grade).toBeNull();
    expect(jdoe!.possible).toBeGreaterThan(0); // the controller's points, for information
  });

  it('flags the two students on one sshd as clones by host key; the other pairs share it with no one', () => {
    const grade = json<ClassGrade>(join(reports, 'class.json'));
    expect(grade.cloneGroups).toHaveLength(1);
    expect(grade.cloneGroups[0]).toMatchObject({ fact: 'hostKey' });
    expect(grade.cloneGroups[0]!.value).toMatch(/^ssh-ed25519 SHA256:/);
    expect(grade.cloneGroups[0]!.members.map((m) => `${m.id}/${m.host}`)).toEqual([
      '2024-0001/controller',
      '2024-0001/compute1',
      '2024-0003/controller',
      '2024-0003/compute1',
    ]);
    expect(grade.labs.map((l) => l.clones.length > 0)).toEqual([true, false, true, false]);
    expect(first.stdout).toMatch(/clone same SSH host key \(ssh-ed25519 SHA256:\S+\): 2024-0001\/controller/);
  });

  it('class.csv: a row per student, Korean intact, a column per host:check; moodle.csv: graded students only', () => {
    const rows = csv(join(reports, 'class.csv'));
    const [header, ...body] = rows;
    expect(header!.slice(0, 12)).toEqual([
      'id',
      'displayName',
      'members',
      'lmsId',
      'lab',
      'earned',
      'possible',
      'percent',
      'grade',
      'state',
      'reason',
      'clone',
    ]);
    expect(header).toContain('controller:chrony.allow');
    expect(header).toContain('lab:topology.ntp');
    const grade = json<ClassGrade>(join(reports, 'class.json'));
    expect(body.map((r) => r.slice(0, 10))).toEqual(
      grade.labs.map((l) => [
        l.student.id,
        l.student.displayName ?? '',
        '',
        l.student.lmsId ?? '',
        l.lab,
        String(l.earned),
        String(l.possible),
        String(l.percent),
        l.grade === null ? '' : String(l.grade),
        l.state === 'not-graded' ? 'not graded' : l.state,
      ]),
    );
    expect(body[0]![11]).toMatch(
      /^SSH host key of controller shared with 2024-0003\/controller, 2024-0003\/compute1; /,
    );
    const allow = header!.indexOf('controller:chrony.allow');
    expect(body.map((r) => r[allow])).toEqual(['fail', 'fail', 'fail', 'fail']);

    const moodle = csv(join(reports, 'moodle.csv'));
    expect(moodle[0]).toEqual(['Identifier', 'Lab grade', 'Feedback']);
    expect(moodle.slice(1).map((r) => r.slice(0, 2))).toEqual([
      ['kim@uni.example', String(grade.labs[0]!.grade)],
      ['maria.garcia', String(grade.labs[1]!.grade)],
      ['2024-0003', String(grade.labs[2]!.grade)],
    ]);
    expect(moodle[1]![2]).toMatch(/^labspec: \d+ of \d+ points \([\d.]+%\)\. Failed: controller:os\.release/);
  });

  it('the console names the class: students, mean, lowest, the not-graded one', () => {
    expect(first.stdout).toMatch(/4 students: 3 graded, mean [\d.]+%, 1 not graded, 0 flagged, 2 in clone groups/);
    expect(first.stdout).toMatch(/not graded jdoe_22 \(John Doe\): could not connect \(compute1: /);
    expect(first.stdout).toMatch(/lowest: .*2024-0001 \(김민수\) [\d.]+\/100/);
  });

  it('--lab reads only that student: the other sshd sees no connection', () => {
    const before = (b.log().match(/Accepted publickey/g) ?? []).length;
    const only = labspec(['run', '--inventory', inventory, '--reports', reports, '--lab', '2024-0003', '-q'], {
      cwd: work,
      env: { HOME: work },
    });
    expect([1, 3]).toContain(only.code);
    expect((b.log().match(/Accepted publickey/g) ?? []).length).toBe(before);
    const grade = json<ClassGrade>(join(reports, 'class.json'));
    expect(grade.labs.map((l) => l.student.id)).toEqual(['2024-0003']);
    const results = json<RunReport>(join(reports, 'results.json'));
    expect([...new Set(results.hosts.map((h) => h.lab))]).toEqual(['2024-0003']);
    const unknown = labspec(['run', '--inventory', inventory, '--reports', reports, '--lab', 'nobody'], { cwd: work });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /--lab nobody: no such student \(students: 2024-0001, maria\.garcia, 2024-0003, jdoe_22\)/,
    );
  });

  it('replay with a changed rubric changes only the scores; without one it grades as the run did', () => {
    const [firstRun] = runIds();
    const runDir = join(reports, 'runs', firstRun!);
    const before = json<ClassGrade>(join(runDir, 'class.json'));
    const same = labspec(['replay', runDir, '--reports', reports, '-q'], { cwd: work });
    expect([1, 3]).toContain(same.code);
    const regraded = json<ClassGrade>(join(reports, 'class.json'));
    expect(regraded.run).toMatchObject({ kind: 'replay', gatheredBy: firstRun });
    expect(regraded.labs).toEqual(before.labs);
    expect(regraded.rubric).toEqual(before.rubric);

    writeFileSync(
      join(work, 'appeal.yaml'),
      [
        'points:',
        '  topology.ntp: 1',
        '  hosts.<name>: 4',
        ...['firewalld.stopped', 'firewalld.disabled', 'networkmanager.stopped', 'networkmanager.disabled'].map(
          (id) => `  ${id}: 0`,
        ),
        '  chrony.service: 0',
        'gradeScale: 20',
        'clones:',
        '  facts: [hostKey]',
        '  consequence: zero',
        '',
      ].join('\n'),
    );
    const appeal = labspec(['replay', runDir, '--reports', reports, '--rubric', 'appeal.yaml', '-q'], { cwd: work });
    expect([1, 3]).toContain(appeal.code);
    const after = json<ClassGrade>(join(reports, 'class.json'));
    // The verdicts are the same: every cell's status, expected, actual, source, fix.
    const verdicts = (g: ClassGrade) =>
      g.labs.map((l) =>
        l.cells.map(({ key, status, expected, actual, source, message, fix }) => [
          key,
          status,
          expected,
          actual,
          source,
          message,
          fix,
        ]),
      );
    expect(verdicts(after)).toEqual(verdicts(before));
    expect(after.labs.map((l) => l.state)).toEqual(before.labs.map((l) => l.state));
    // The scores follow the new points and scale; the clone pair is graded 0.
    expect(after.columns.find((c) => c.key === 'lab:topology.ntp')!.points).toBe(1);
    expect(after.columns.find((c) => c.key === 'controller:hosts.compute1')!.points).toBe(4);
    expect(after.labs.map((l) => l.possible)).not.toEqual(before.labs.map((l) => l.possible));
    expect(after.labs[1]!.grade).toBe(Math.round(after.labs[1]!.percent! * 20) / 100);
    expect([after.labs[0]!.grade, after.labs[2]!.grade]).toEqual([0, 0]);
    expect(after.rubric.source).toBe(join(work, 'appeal.yaml'));

    // The history has a column per run, in order, each student's score in it.
    const history = csv(join(reports, 'history.csv'));
    expect(history[0]).toEqual(['id', 'displayName', ...runIds()]);
    const maria = history.find((r) => r[0] === 'maria.garcia')!;
    expect(maria.slice(2)).toEqual([
      String(before.labs[1]!.percent),
      '',
      String(before.labs[1]!.percent),
      String(after.labs[1]!.percent),
    ]);
    expect(history.find((r) => r[0] === 'jdoe_22')!.slice(2)).toEqual(['not graded', '', 'not graded', 'not graded']);
  });

  it('a class run in shards is graded again by merge, over every shard: a clone pair split across shards is found', () => {
    // Four equal labs over three shards: 2024-0001 and jdoe_22 in 1/3, maria.garcia in 2/3, 2024-0003 in 3/3.
    const shards = [1, 2, 3].map((k) => join(work, `shard-${k}`));
    for (const [index, dir] of shards.entries()) {
      const shard = labspec(['run', '--inventory', inventory, '--reports', dir, '--shard', `${index + 1}/3`, '-q'], {
        cwd: work,
        env: { HOME: work },
      });
      expect([1, 3]).toContain(shard.code);
      expect(json<ClassGrade>(join(dir, 'class.json')).cloneGroups).toEqual([]);
    }
    const merged = join(work, 'merged');
    const merge = labspec(['merge', ...shards, '--reports', merged, '-q'], { cwd: work });
    expect([1, 3]).toContain(merge.code);
    const grade = json<ClassGrade>(join(merged, 'class.json'));
    expect(grade.labs.map((l) => [l.student.id, l.state])).toEqual([
      ['2024-0001', 'graded'],
      ['maria.garcia', 'graded'],
      ['2024-0003', 'graded'],
      ['jdoe_22', 'not-graded'],
    ]);
    expect(grade.cloneGroups.map((g) => [g.fact, [...new Set(g.members.map((m) => m.id))]])).toEqual([
      ['hostKey', ['2024-0001', '2024-0003']],
    ]);
    expect(grade.rubric.overrides['topology.ntp']).toBe(5);
    expect(readFileSync(join(merged, 'moodle.csv'), 'utf8').split('\r\n')).toHaveLength(5);
  });

  it('a rubric naming an unknown check is refused at its line before any host is contacted', () => {
    writeFileSync(join(work, 'typo.yaml'), 'gradeScale: 10\npoints:\n  chrony.alow: 2\n');
    const typo = labspec(['run', '--inventory', inventory, '--reports', reports, '--rubric', 'typo.yaml'], {
      cwd: work,
    });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe(
      `${join(work, 'typo.yaml')}:3 points.chrony.alow: no check has this id (did you mean chrony.allow?); labspec checks lists them\nlabspec: invalid rubric, nothing was contacted\n`,
    );
  });
});
