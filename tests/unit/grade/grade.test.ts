import { describe, expect, it } from 'vitest';
import { parseFacts } from '../../../facts/host-facts.ts';
import { safeFileStems } from '../../../grade/file-names.ts';
import { identityValues } from '../../../grade/identity.ts';
import { gradeClass, type GradeInput, type IdentityValues } from '../../../grade/grade.ts';
import { classGradeDocument, type AppliedRubric } from '../../../grade/model.ts';
import { defaultRubric } from '../../../grade/rubric.ts';
import type { Student } from '../../../inventory/schema.ts';
import { debianHost } from '../probes/fixtures.ts';
import { classReport, type LabOutcome } from './class-report.ts';

/** Every check passing on controller (20 checks of 1 point) and compute1 (18), and both cross-host checks (3 each). */
const FULL = 20 + 18 + 3 + 3;

function identity(values: Partial<IdentityValues>): IdentityValues {
  return { hostKey: [], machineId: [], mac: [], rootFsUuid: [], ...values };
}

function input(outcomes: LabOutcome[], more: Partial<GradeInput> = {}): GradeInput {
  return { report: classReport(outcomes), students: [], identities: [], rubric: defaultRubric(), ...more };
}

function rubric(changes: Partial<AppliedRubric>): AppliedRubric {
  return { ...defaultRubric(), source: 'rubric.yaml', ...changes };
}

describe('gradeClass: points and percent', () => {
  it('every check passing earns every point: 1 per check, 3 per cross-host check, out of the scale of 100', () => {
    const graded = gradeClass(input([{ name: 'student1' }]));
    const [lab] = graded.labs;
    expect(lab).toMatchObject({ state: 'graded', reason: '', earned: FULL, possible: FULL, percent: 100, grade: 100 });
    expect(graded.columns.find((c) => c.key === 'lab:topology.ntp')).toMatchObject({ points: 3, host: null });
    expect(graded.columns.find((c) => c.key === 'controller:chrony.allow')).toMatchObject({
      points: 1,
      host: 'controller',
      check: 'chrony.allow',
      section: 'ntp',
    });
    expect(graded.columns.find((c) => c.key === 'controller:chrony.allow')!.titleKo).toMatch(/[가-힣]/);
    expect(classGradeDocument.safeParse(JSON.parse(JSON.stringify(graded))).error).toBeUndefined();
  });

  it('a failed check loses its points; a skipped one (another role) is not counted', () => {
    const [lab] = gradeClass(
      input([{ name: 'student1', verdicts: { 'controller:chrony.allow': 'fail', 'lab:topology.ntp': 'fail' } }]),
    ).labs;
    expect(lab).toMatchObject({ state: 'graded', earned: FULL - 4, possible: FULL });
    expect(lab!.percent).toBe(Math.round(((FULL - 4) / FULL) * 10000) / 100);
    const skip = lab!.cells.find((c) => c.key === 'controller:chrony.source')!;
    expect(skip).toMatchObject({ status: 'skip', counted: false, earned: 0 });
    expect(lab!.cells.find((c) => c.key === 'controller:chrony.allow')).toMatchObject({
      status: 'fail',
      counted: true,
      points: 1,
      earned: 0,
      fix: 'do the step again',
    });
  });

  it('the rubric overrides points by check id, by family (hosts.<name>) and scales the grade', () => {
    const custom = rubric({
      overrides: { 'topology.ntp': 10, 'hosts.<name>': 2, 'cpu.virtualization': 0 },
      gradeScale: 20,
    });
    const graded = gradeClass(
      input([{ name: 'student1', verdicts: { 'lab:topology.ntp': 'fail' } }], { rubric: custom }),
    );
    const [lab] = graded.labs;
    // topology.ntp 3 → 10; 4 hosts.* members 1 → 2; 2 cpu.virtualization 1 → 0.
    const possible = FULL + 7 + 4 - 2;
    expect(lab).toMatchObject({ earned: possible - 10, possible });
    expect(lab!.grade).toBe(Math.round(((possible - 10) / possible) * 20 * 100) / 100);
    expect(graded.columns.find((c) => c.key === 'compute1:hosts.controller')!.points).toBe(2);
    expect(lab!.cells.find((c) => c.key === 'controller:cpu.virtualization')).toMatchObject({ counted: false });
    expect(graded.rubric).toEqual(custom);
  });
});

describe('gradeClass: states', () => {
  it('a host that could not be read: not graded, its reason named, the points of the read host kept for information', () => {
    const graded = gradeClass(
      input([
        { name: 'student1' },
        { name: 'student2', unreachable: { compute1: 'connect ECONNREFUSED 192.0.2.11:22' } },
      ]),
    );
    const lab = graded.labs[1]!;
    expect(lab).toMatchObject({
      state: 'not-graded',
      reason: 'could not connect (compute1: connect ECONNREFUSED 192.0.2.11:22)',
      grade: null,
      earned: 20,
      possible: 20,
    });
    const unreadCells = lab.cells.filter((c) => c.cause === 'unreachable');
    expect(unreadCells.map((c) => c.key)).toEqual([
      ...lab.cells.filter((c) => c.key.startsWith('compute1:') && c.status !== 'skip').map((c) => c.key),
      'lab:topology.hosts',
      'lab:topology.ntp',
    ]);
    expect(unreadCells.every((c) => !c.counted && c.earned === 0)).toBe(true);
    expect(lab.hosts.find((h) => h.host === 'compute1')).toMatchObject({
      read: false,
      reason: 'connect ECONNREFUSED 192.0.2.11:22',
    });
    expect(graded.summary).toMatchObject({ labs: 2, graded: 1, notGraded: 1, flagged: 0, meanPercent: 100 });
  });

  it('a check labspec could not read: flagged, no grade, never counted as failed', () => {
    const [lab] = gradeClass(
      input([{ name: 'student1', verdicts: { 'controller:chrony.allow': 'error', 'compute1:os.release': 'fail' } }]),
    ).labs;
    expect(lab).toMatchObject({ state: 'flagged', grade: null, earned: FULL - 2, possible: FULL - 1 });
    expect(lab!.reason).toBe('1 check could not be judged (controller:chrony.allow: )');
    expect(lab!.cells.find((c) => c.key === 'controller:chrony.allow')).toMatchObject({
      status: 'error',
      cause: 'unreadable',
      counted: false,
    });
  });

  it('an error on a check the rubric gives 0 points flags nothing', () => {
    const [lab] = gradeClass(
      input([{ name: 'student1', verdicts: { 'controller:disk.root': 'error' } }], {
        rubric: rubric({ overrides: { 'disk.root': 0 } }),
      }),
    ).labs;
    expect(lab).toMatchObject({ state: 'graded', percent: 100 });
  });

  it('a reason names three checks, then how many more', () => {
    const verdicts = Object.fromEntries(
      ['os.release', 'host.hostname', 'cpu.count', 'disk.root', 'selinux.config'].map((c) => [
        `compute1:${c}`,
        'error',
      ]),
    ) as LabOutcome['verdicts'];
    const [lab] = gradeClass(input([{ name: 'student1', verdicts }])).labs;
    expect(lab!.reason).toMatch(/^5 checks could not be judged \(compute1:os\.release: ; .*; and 2 more\)$/);
  });

  it('a filter that leaves no check worth points: flagged, not a grade of 0', () => {
    const graded = gradeClass({ ...input([]), report: classReport([{ name: 'student1' }], '^chrony\\.source$') });
    expect(graded.run.filter).toBe('^chrony\\.source$');
    expect(graded.labs[0]).toMatchObject({ state: 'graded', possible: 1 });
    const none = gradeClass({
      ...input([]),
      report: classReport([{ name: 'student1' }], '^cpu\\.count$'),
      rubric: rubric({ overrides: { 'cpu.count': 0 } }),
    });
    expect(none.labs[0]).toMatchObject({ state: 'flagged', reason: 'no check worth points was judged', grade: null });
  });
});

describe('gradeClass: students', () => {
  const maria: Student = { id: 'maria.garcia', displayName: 'Maria García', members: [], lmsId: 'mgarcia@uni.example' };
  it('the inventory gives each lab its student; without one, the lab name is the id', () => {
    const graded = gradeClass(
      input([{ name: 'maria-garcia' }, { name: 'student2' }], { students: [{ lab: 'maria-garcia', student: maria }] }),
    );
    expect(graded.labs.map((l) => [l.lab, l.student, l.fileName])).toEqual([
      ['maria-garcia', maria, 'maria.garcia'],
      ['student2', { id: 'student2', displayName: null, members: [], lmsId: null }, 'student2'],
    ]);
  });

  it('file names: no path separators, no leading dot, Korean kept, collisions (also by case) numbered', () => {
    expect(
      safeFileStems([
        '2024-1234',
        'maria.garcia',
        'jdoe_22',
        '../etc/passwd',
        '김민수',
        'a/b',
        'a b',
        'A_B',
        '',
        'con',
      ]),
    ).toEqual([
      '2024-1234',
      'maria.garcia',
      'jdoe_22',
      '___etc_passwd',
      '김민수',
      'a_b',
      'a_b-2',
      'A_B-3',
      'student',
      '_con',
    ]);
  });
});

describe('gradeClass: clones', () => {
  const identities = [
    {
      lab: 'student1',
      host: 'controller',
      identity: identity({ machineId: ['aaa'], hostKey: ['ssh-ed25519 SHA256:k1'], rootFsUuid: ['u'] }),
    },
    {
      lab: 'student2',
      host: 'controller',
      identity: identity({ machineId: ['aaa'], hostKey: ['ssh-ed25519 SHA256:k2'], rootFsUuid: ['u'] }),
    },
    {
      lab: 'student3',
      host: 'controller',
      identity: identity({ machineId: ['ccc'], mac: ['52:54:00:12:34:56'], rootFsUuid: ['u'] }),
    },
    { lab: 'student3', host: 'compute1', identity: identity({ machineId: ['ddd'], mac: ['52:54:00:12:34:56'] }) },
  ];
  const outcomes = [{ name: 'student1' }, { name: 'student2' }, { name: 'student3' }];

  it('labs sharing a counted fact are grouped and each names the fact; a shared value inside one lab is no clone', () => {
    const graded = gradeClass(input(outcomes, { identities }));
    expect(graded.cloneGroups).toEqual([
      {
        fact: 'machineId',
        value: 'aaa',
        members: [
          { lab: 'student1', id: 'student1', host: 'controller' },
          { lab: 'student2', id: 'student2', host: 'controller' },
        ],
      },
    ]);
    expect(graded.labs[0]!.clones).toEqual([
      {
        fact: 'machineId',
        value: 'aaa',
        host: 'controller',
        others: [{ lab: 'student2', id: 'student2', host: 'controller' }],
      },
    ]);
    expect(graded.labs[2]!.clones).toEqual([]);
    expect(graded.summary.clones).toBe(2);
    // No consequence by default.
    expect(graded.labs.map((l) => l.grade)).toEqual([100, 100, 100]);
  });

  it('the instructor chooses the facts: the root filesystem UUID counts only when named', () => {
    const graded = gradeClass(
      input(outcomes, { identities, rubric: rubric({ clones: { facts: ['rootFsUuid'], consequence: 'none' } }) }),
    );
    expect(graded.cloneGroups.map((g) => [g.fact, g.members.map((m) => m.lab)])).toEqual([
      ['rootFsUuid', ['student1', 'student2', 'student3']],
    ]);
  });

  it('consequence zero grades a clone 0 and says why; the points stay for information', () => {
    const graded = gradeClass(
      input(outcomes, { identities, rubric: rubric({ clones: { facts: ['machineId'], consequence: 'zero' } }) }),
    );
    expect(graded.labs[0]).toMatchObject({
      state: 'graded',
      percent: 100,
      grade: 0,
      penalty: 'graded 0 as a clone: machine-id of controller shared with student2/controller',
    });
    expect(graded.labs[2]).toMatchObject({ grade: 100, penalty: null });
  });
});

describe('gradeClass is pure', () => {
  it('the same verdicts and rubric give the same grades, and the input is not changed', () => {
    const given = input([{ name: 'student1', verdicts: { 'controller:chrony.allow': 'fail' } }, { name: 'student2' }]);
    const before = JSON.stringify(given);
    expect(gradeClass(given)).toEqual(gradeClass(given));
    expect(JSON.stringify(given)).toBe(before);
  });
});

describe('identityValues', () => {
  it("a host's identity facts as values to compare: host key, machine-id, MACs; what the host could not tell adds none", () => {
    const outputs = new Map(
      Object.entries(debianHost('machineIdentity')).map(([part, output]) => [`machineIdentity.${part}`, output]),
    );
    const facts = parseFacts(outputs);
    expect(identityValues({ hostKey: 'ssh-ed25519 SHA256:abc', facts })).toEqual({
      hostKey: ['ssh-ed25519 SHA256:abc'],
      machineId: ['3d1219c7c4c5404aaa1f6d2a48adfda4'],
      mac: ['02:fc:00:00:00:01'],
      rootFsUuid: [],
    });
    // An unreachable host: no output, so no value at all.
    expect(identityValues({ hostKey: null, facts: parseFacts(new Map()) })).toEqual({
      hostKey: [],
      machineId: [],
      mac: [],
      rootFsUuid: [],
    });
  });
});
