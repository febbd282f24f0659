import type { Check } from '../checks/check.ts';
import { checksForLab } from '../checks/registry.ts';
import { CROSS_HOST_NAME } from '../inventory/load.ts';
import { CLONE_FACTS, type CloneFact, type Student } from '../inventory/schema.ts';
import type { HostRecord, ResultEntry, RunReport } from '../outputs/report.ts';
import { safeFileStems } from './file-names.ts';
import {
  CLASS_SCHEMA,
  CLONE_FACT_LABELS,
  type AppliedRubric,
  type ClassGrade,
  type CloneGroup,
  type CloneMatch,
  type GradeCell,
  type GradeColumn,
  type LabGrade,
} from './model.ts';
import { pointsFor } from './rubric.ts';

/** Per identity fact, the values one host showed (a MAC per physical interface); empty when it could not be read. */
export type IdentityValues = Record<CloneFact, string[]>;

export interface GradeInput {
  /** The run's verdicts and hosts, live or replayed. */
  report: RunReport;
  /** Who each lab belongs to; a lab not listed is its own student, its name the id. */
  students: ReadonlyArray<{ lab: string; student: Student }>;
  /** What each host showed of its machine identity. */
  identities: ReadonlyArray<{ lab: string; host: string; identity: IdentityValues }>;
  rubric: AppliedRubric;
}

/** The column key of a verdict: `controller:chrony.allow`, or `lab:topology.ntp` for a cross-host check. */
export function columnKey(host: string | null, check: string): string {
  return `${host ?? CROSS_HOST_NAME}:${check}`;
}

/** How many failing or unjudged checks a reason names before it says "and N more". */
const NAMED_IN_REASON = 3;

/**
 * Grades a class from one run's verdicts: a pure function of the verdicts (themselves a pure function of the
 * snapshots), the students and the rubric, so a re-grade of the same snapshots with the same rubric gives the same
 * grades. A lab is graded only when every host was read and every check worth points was judged; otherwise it is
 * `not-graded` or `flagged`, with the reason, and never counted as the student's failure.
 */
export function gradeClass(input: GradeInput): ClassGrade {
  const { report, rubric } = input;
  const labNames = unique([...report.hosts.map((h) => h.lab), ...report.results.map((r) => r.lab)]);
  const hostsOf = groupBy(report.hosts, (h) => h.lab);
  const columns = buildColumns(report, rubric, hostsOf);
  const pointsOf = new Map(columns.map((c) => [c.key, c.points]));
  const studentOf = new Map(input.students.map((s) => [s.lab, s.student]));
  const students = labNames.map(
    (lab) => studentOf.get(lab) ?? { id: lab, displayName: null, members: [], lmsId: null },
  );
  const fileNames = safeFileStems(students.map((s) => s.id));
  const identityOf = new Map(input.identities.map((i) => [`${i.lab}/${i.host}`, i.identity]));

  const resultsOf = groupBy(report.results, (r) => r.lab);
  const labs = labNames.map((lab, index): LabGrade => {
    const hosts = hostsOf.get(lab) ?? [];
    const results = resultsOf.get(lab) ?? [];
    const unread = hosts.filter((h) => !h.connection.ok);
    const cells = results.map((r) => gradeCell(r, pointsOf.get(columnKey(r.host, r.check)) ?? 0, unread));
    const earned = sum(cells.filter((c) => c.counted).map((c) => c.earned));
    const possible = sum(cells.filter((c) => c.counted).map((c) => c.points));
    const percent = possible > 0 ? round2((earned / possible) * 100) : null;
    const { state, reason } = stateOf(unread, cells, possible);
    return {
      lab,
      student: students[index]!,
      fileName: fileNames[index]!,
      state,
      reason,
      earned,
      possible,
      percent,
      grade: state === 'graded' && percent !== null ? round2((percent / 100) * rubric.gradeScale) : null,
      penalty: null,
      clones: [],
      hosts: hosts.map((h) => ({
        host: h.host,
        address: h.address,
        read: h.connection.ok,
        reason: h.connection.ok ? null : h.connection.message,
        identity: identityOf.get(`${lab}/${h.host}`) ?? emptyIdentity(),
      })),
      cells,
    };
  });

  const cloneGroups = findCloneGroups(labs, rubric.clones.facts);
  for (const lab of labs) {
    lab.clones = clonesOf(lab, cloneGroups);
    if (lab.clones.length > 0 && rubric.clones.consequence === 'zero' && lab.state === 'graded') {
      lab.grade = 0;
      lab.penalty = `graded 0 as a clone: ${describeClones(lab.clones)}`;
    }
  }
  const graded = labs.filter((l) => l.state === 'graded');
  return {
    schema: CLASS_SCHEMA,
    run: {
      id: report.run.id,
      kind: report.run.kind,
      gatheredBy: report.run.gatheredBy,
      startedAt: report.run.startedAt,
      filter: report.run.filter,
    },
    rubric,
    columns,
    labs,
    cloneGroups,
    summary: {
      labs: labs.length,
      graded: graded.length,
      notGraded: labs.filter((l) => l.state === 'not-graded').length,
      flagged: labs.filter((l) => l.state === 'flagged').length,
      clones: labs.filter((l) => l.clones.length > 0).length,
      meanPercent: graded.length > 0 ? round2(sum(graded.map((l) => l.percent!)) / graded.length) : null,
    },
  };
}

/** Every host × check of the class, in report order; a column a later lab adds (another host) comes after. */
function buildColumns(
  report: RunReport,
  rubric: AppliedRubric,
  hostsOf: ReadonlyMap<string, HostRecord[]>,
): GradeColumn[] {
  const checksByLab = new Map<string, Map<string, Check>>();
  const checksOf = (lab: string) => {
    let checks = checksByLab.get(lab);
    if (!checks) {
      const hosts = (hostsOf.get(lab) ?? []).map((h) => ({ ...h, name: h.host }));
      const { host, lab: cross } = checksForLab({ hosts });
      checks = new Map([...host, ...cross].map((c) => [c.id, c]));
      checksByLab.set(lab, checks);
    }
    return checks;
  };
  const columns = new Map<string, GradeColumn>();
  for (const r of report.results) {
    const key = columnKey(r.host, r.check);
    if (columns.has(key)) continue;
    const check = checksOf(r.lab).get(r.check)!;
    columns.set(key, {
      key,
      host: r.host,
      check: r.check,
      title: r.title,
      titleKo: check.titleKo,
      section: r.section,
      points: pointsFor(rubric, check),
      fix: check.fix,
      hint: check.hint,
      hintKo: check.hintKo,
      fixKo: check.fixKo,
    });
  }
  return [...columns.values()];
}

function gradeCell(r: ResultEntry, points: number, unread: readonly HostRecord[]): GradeCell {
  const hostUnread = r.host === null ? unread.length > 0 : unread.some((h) => h.host === r.host);
  const judged = r.status === 'pass' || r.status === 'fail';
  return {
    key: columnKey(r.host, r.check),
    status: r.status,
    counted: judged && points > 0,
    points,
    earned: r.status === 'pass' ? points : 0,
    cause: r.status === 'error' ? (hostUnread ? 'unreachable' : 'unreadable') : null,
    expected: r.expected,
    actual: r.actual,
    source: r.source,
    message: r.message,
    fix: r.fix,
  };
}

function stateOf(
  unread: readonly HostRecord[],
  cells: readonly GradeCell[],
  possible: number,
): Pick<LabGrade, 'state' | 'reason'> {
  if (unread.length > 0) {
    const who = unread.map((h) => `${h.host}: ${h.connection.ok ? '' : h.connection.message}`).join('; ');
    return { state: 'not-graded', reason: `could not connect (${who})` };
  }
  const unjudged = cells.filter((c) => c.cause === 'unreadable' && c.points > 0);
  if (unjudged.length > 0) {
    const named = unjudged.slice(0, NAMED_IN_REASON).map((c) => `${c.key}: ${c.message}`);
    const more = unjudged.length > NAMED_IN_REASON ? `; and ${unjudged.length - NAMED_IN_REASON} more` : '';
    const checks = unjudged.length === 1 ? '1 check' : `${unjudged.length} checks`;
    return { state: 'flagged', reason: `${checks} could not be judged (${named.join('; ')}${more})` };
  }
  if (possible === 0) return { state: 'flagged', reason: 'no check worth points was judged' };
  return { state: 'graded', reason: '' };
}

/** For each fact that counts, every value two or more labs share, with the hosts that show it. */
function findCloneGroups(labs: readonly LabGrade[], facts: readonly CloneFact[]): CloneGroup[] {
  const groups: CloneGroup[] = [];
  for (const fact of CLONE_FACTS.filter((f) => facts.includes(f))) {
    const byValue = new Map<string, CloneGroup['members']>();
    for (const lab of labs) {
      for (const host of lab.hosts) {
        for (const value of new Set(host.identity[fact])) {
          const members = byValue.get(value) ?? [];
          members.push({ lab: lab.lab, id: lab.student.id, host: host.host });
          byValue.set(value, members);
        }
      }
    }
    for (const [value, members] of byValue) {
      if (new Set(members.map((m) => m.lab)).size > 1) groups.push({ fact, value, members });
    }
  }
  return groups;
}

function clonesOf(lab: LabGrade, groups: readonly CloneGroup[]): CloneMatch[] {
  return groups.flatMap((group) =>
    group.members
      .filter((m) => m.lab === lab.lab)
      .map((mine) => ({
        fact: group.fact,
        value: group.value,
        host: mine.host,
        others: group.members.filter((m) => m.lab !== lab.lab),
      })),
  );
}

/** `machine-id of controller shared with 2024-0002/controller; SSH host key of …`. */
export function describeClones(clones: readonly CloneMatch[]): string {
  return clones
    .map(
      (c) =>
        `${CLONE_FACT_LABELS[c.fact]} of ${c.host} shared with ${c.others.map((o) => `${o.id}/${o.host}`).join(', ')}`,
    )
    .join('; ');
}

function emptyIdentity(): IdentityValues {
  return { hostKey: [], machineId: [], mac: [], rootFsUuid: [] };
}

function groupBy<T>(values: readonly T[], keyOf: (value: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const value of values) {
    const group = groups.get(keyOf(value));
    if (group) group.push(value);
    else groups.set(keyOf(value), [value]);
  }
  return groups;
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
