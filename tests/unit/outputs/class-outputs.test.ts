import { describe, expect, it } from 'vitest';
import { gradeClass, type IdentityValues } from '../../../grade/grade.ts';
import type { ClassGrade } from '../../../grade/model.ts';
import { defaultRubric } from '../../../grade/rubric.ts';
import { parseCsv } from '../../../inventory/csv.ts';
import { buildClassCsv, spreadsheetText } from '../../../outputs/class-csv.ts';
import { classSummary } from '../../../outputs/class-console.ts';
import { paint } from '../../../outputs/console.ts';
import { buildHistory, buildHistoryCsv, historyDocument } from '../../../outputs/history.ts';
import { buildMoodleCsv, feedback } from '../../../outputs/moodle-csv.ts';
import { progressReporter } from '../../../outputs/progress.ts';
import { classReport } from '../grade/class-report.ts';

const identity = (machineId: string): IdentityValues => ({
  hostKey: [],
  machineId: [machineId],
  mac: [],
  rootFsUuid: [],
});

/** Four students: one perfect (Korean name, LMS id), one with failures, a clone of the first, one unreachable. */
function classGrade(runId = '20260302T090000Z-ab12'): ClassGrade {
  const report = classReport([
    { name: 'kim' },
    { name: 'maria', verdicts: { 'controller:chrony.allow': 'fail', 'lab:topology.ntp': 'fail' } },
    { name: 'copy' },
    { name: 'jdoe', unreachable: { compute1: 'connection refused; is sshd running and is the port right?' } },
  ]);
  return gradeClass({
    report: { ...report, run: { ...report.run, id: runId, gatheredBy: runId } },
    students: [
      { lab: 'kim', student: { id: '2024-0001', displayName: '김민수', members: [], lmsId: 'kim@uni.example' } },
      { lab: 'maria', student: { id: 'maria.garcia', displayName: 'García, María', members: [], lmsId: null } },
      { lab: 'copy', student: { id: '=cmd|calc', displayName: null, members: ['A', 'B'], lmsId: null } },
      { lab: 'jdoe', student: { id: 'jdoe_22', displayName: 'John "JD" Doe', members: [], lmsId: null } },
    ],
    identities: [
      { lab: 'kim', host: 'controller', identity: identity('a'.repeat(32)) },
      { lab: 'copy', host: 'controller', identity: identity('a'.repeat(32)) },
    ],
    rubric: defaultRubric(),
  });
}

function rowsOf(text: string): string[][] {
  expect(text.startsWith('\uFEFF')).toBe(true);
  expect(text.endsWith('\r\n')).toBe(true);
  return parseCsv(text).map((r) => r.fields);
}

describe('class.csv', () => {
  const grade = classGrade();
  const [header, ...rows] = rowsOf(buildClassCsv(grade));

  it('one row per lab: who, score, state and why, clone; then a column per host:check with its verdict', () => {
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
    expect(header!.slice(12)).toEqual(grade.columns.map((c) => c.key));
    expect(header).toContain('controller:chrony.allow');
    expect(rows.map((r) => r.slice(0, 10))).toEqual([
      ['2024-0001', '김민수', '', 'kim@uni.example', 'kim', '44', '44', '100', '100', 'graded'],
      ['maria.garcia', 'García, María', '', '', 'maria', '40', '44', '90.91', '90.91', 'graded'],
      ["'=cmd|calc", '', 'A; B', '', 'copy', '44', '44', '100', '100', 'graded'],
      ['jdoe_22', 'John "JD" Doe', '', '', 'jdoe', '20', '20', '100', '', 'not graded'],
    ]);
    expect(rows[3]![10]).toBe(
      'could not connect (compute1: connection refused; is sshd running and is the port right?)',
    );
    expect(rows[0]![11]).toBe('machine-id of controller shared with =cmd|calc/controller');
    expect(rows[2]![11]).toBe('machine-id of controller shared with 2024-0001/controller');
    const allow = header!.indexOf('controller:chrony.allow');
    expect(rows.map((r) => r[allow])).toEqual(['pass', 'fail', 'pass', 'pass']);
    const source = header!.indexOf('compute1:chrony.source');
    expect(rows.map((r) => r[source])).toEqual(['pass', 'pass', 'pass', 'error']);
    expect(rows.map((r) => r[header!.indexOf('controller:chrony.source')])).toEqual(['skip', 'skip', 'skip', 'skip']);
  });

  it('text a spreadsheet would run as a formula starts with an apostrophe; numbers stay numbers', () => {
    expect(['=1+1', '+x', '-x', '@x', '\tx', 'x=1', 5, -3, null].map(spreadsheetText)).toEqual([
      "'=1+1",
      "'+x",
      "'-x",
      "'@x",
      "'\tx",
      'x=1',
      5,
      -3,
      null,
    ]);
  });
});

describe('moodle.csv', () => {
  const grade = classGrade();
  const titleOf = (key: string) => grade.columns.find((c) => c.key === key)!.title;
  const rows = rowsOf(buildMoodleCsv(grade));

  it('identifier (the LMS id, else the id), the grade on the scale, feedback; only graded students', () => {
    expect(rows[0]).toEqual(['Identifier', 'Lab grade', 'Feedback']);
    expect(rows.slice(1).map((r) => r.slice(0, 2))).toEqual([
      ['kim@uni.example', '100'],
      ['maria.garcia', '90.91'],
      ["'=cmd|calc", '100'],
    ]);
    expect(rows[1]![2]).toBe('labspec: 44 of 44 points (100%). Every graded check passed.');
    expect(rows[2]![2]).toBe(
      `labspec: 40 of 44 points (90.91%). Failed: controller:chrony.allow (${titleOf('controller:chrony.allow')}); lab:topology.ntp (${titleOf('lab:topology.ntp')}).`,
    );
  });

  it('the grade scale of the rubric; a clone graded 0 is told so without naming the other student', () => {
    const report = classReport([{ name: 'kim' }, { name: 'copy' }]);
    const zero = gradeClass({
      report,
      students: [],
      identities: [
        { lab: 'kim', host: 'controller', identity: identity('a'.repeat(32)) },
        { lab: 'copy', host: 'controller', identity: identity('a'.repeat(32)) },
      ],
      rubric: { ...defaultRubric(), gradeScale: 20, clones: { facts: ['machineId'], consequence: 'zero' } },
    });
    const rows = rowsOf(buildMoodleCsv(zero));
    expect(rows.slice(1).map((r) => r.slice(0, 2))).toEqual([
      ['kim', '0'],
      ['copy', '0'],
    ]);
    expect(feedback(zero.labs[0]!, zero)).toMatch(
      /^labspec: 44 of 44 points \(100%\)\. Graded 0: a machine of this lab/,
    );
    expect(feedback(zero.labs[0]!, zero)).not.toContain('copy');
  });
});

describe('history', () => {
  const first = classGrade('20260302T090000Z-0001');
  const later = gradeClass({
    report: {
      ...classReport([{ name: 'maria' }, { name: 'new' }]),
      run: { ...classReport([]).run, id: '20260309T090000Z-0002', kind: 'replay' },
    },
    students: [{ lab: 'maria', student: { id: 'maria.garcia', displayName: 'María', members: [], lmsId: null } }],
    identities: [],
    rubric: defaultRubric(),
  });
  const history = buildHistory([first, later]);

  it('history.json: a score per run per student, null where a run did not grade them', () => {
    expect(historyDocument.safeParse(history).error).toBeUndefined();
    expect(history.runs.map((r) => [r.id, r.kind])).toEqual([
      ['20260302T090000Z-0001', 'live'],
      ['20260309T090000Z-0002', 'replay'],
    ]);
    expect(history.students.map((s) => [s.id, s.displayName, s.scores.map((x) => x && x.percent)])).toEqual([
      ['2024-0001', '김민수', [100, null]],
      ['maria.garcia', 'María', [90.91, 100]],
      ['=cmd|calc', null, [100, null]],
      ['jdoe_22', 'John "JD" Doe', [100, null]],
      ['new', null, [null, 100]],
    ]);
  });

  it('history.csv: a column per run; the percent when graded, else the state; empty when not in the run', () => {
    const rows = rowsOf(buildHistoryCsv(history));
    expect(rows).toEqual([
      ['id', 'displayName', '20260302T090000Z-0001', '20260309T090000Z-0002'],
      ['2024-0001', '김민수', '100', ''],
      ['maria.garcia', 'María', '90.91', '100'],
      ["'=cmd|calc", '', '100', ''],
      ['jdoe_22', 'John "JD" Doe', 'not graded', ''],
      ['new', '', '', '100'],
    ]);
  });
});

describe('console class summary', () => {
  it('students, graded and mean, the lowest, the not-graded with why, the clone groups', () => {
    const text = classSummary(classGrade(), ['reports/class.csv'], paint(false));
    expect(text.split('\n')).toEqual([
      'class',
      '  4 students: 3 graded, mean 96.97%, 1 not graded, 0 flagged, 2 in clone groups',
      '  lowest: maria.garcia (García, María) 90.91/100, 2024-0001 (김민수) 100/100, =cmd|calc (A, B) 100/100',
      '  not graded jdoe_22 (John "JD" Doe): could not connect (compute1: connection refused; is sshd running and is the port right?)',
      `  clone same machine-id (${'a'.repeat(32)}): 2024-0001/controller, =cmd|calc/controller`,
      'class reports: reports/class.csv',
      '',
    ]);
  });
});

describe('progress', () => {
  it('names the host read as lab/host and the hosts still awaited', () => {
    const lines: string[] = [];
    const hosts = ['s1', 's2', 's3'].flatMap((lab) => ['controller', 'compute1'].map((host) => ({ lab, host })));
    const progress = progressReporter({ write: (t: string) => lines.push(t) }, hosts, true, 0);
    progress.hostDone({ lab: 's2', host: { name: 'compute1' }, connection: { ok: true } });
    progress.hostDone({ lab: 's1', host: { name: 'controller' }, connection: { ok: false } });
    for (const h of hosts.slice(1, 5)) {
      if (h.lab === 's2' && h.host === 'compute1') continue;
      progress.hostDone({ lab: h.lab, host: { name: h.host }, connection: { ok: true } });
    }
    progress.hostDone({ lab: 's3', host: { name: 'compute1' }, connection: { ok: true } });
    expect(lines).toEqual([
      'labspec: gathered 1/6 hosts (s2/compute1); waiting on s1/controller, s1/compute1, s2/controller and 2 more\n',
      'labspec: gathered 2/6 hosts (s1/controller: unreachable); waiting on s1/compute1, s2/controller, s3/controller and 1 more\n',
      'labspec: gathered 3/6 hosts (s1/compute1); waiting on s2/controller, s3/controller, s3/compute1\n',
      'labspec: gathered 4/6 hosts (s2/controller); waiting on s3/controller, s3/compute1\n',
      'labspec: gathered 5/6 hosts (s3/controller); waiting on s3/compute1\n',
      'labspec: gathered 6/6 hosts (s3/compute1)\n',
    ]);
  });
});
