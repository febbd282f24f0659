import { z } from 'zod';
import { CLONE_FACTS, cloneFact, student, type CloneFact } from '../inventory/schema.ts';
import { status } from '../outputs/report.ts';

export { CLONE_FACTS, type CloneFact, type Student } from '../inventory/schema.ts';

/** How the reports name each identity fact. */
export const CLONE_FACT_LABELS: Record<CloneFact, string> = {
  hostKey: 'SSH host key',
  machineId: 'machine-id',
  mac: 'MAC address',
  rootFsUuid: 'root filesystem UUID',
};

export const CLASS_SCHEMA = 'labspec/class@1';

/** The rubric as it was applied: every number that turned verdicts into this grade. */
export const appliedRubric = z.strictObject({
  /** Where it came from: `defaults`, the inventory file, or the --rubric file. */
  source: z.string(),
  /** The points of every graded check id that differ from the registry's. */
  overrides: z.record(z.string(), z.number()),
  /** The grade a lab with every point earns (Moodle's maximum grade). */
  gradeScale: z.number().positive(),
  clones: z.strictObject({
    /** The identity facts that make two labs clones. */
    facts: z.array(cloneFact),
    /** none: flagged only; zero: a lab in a clone group is graded 0. */
    consequence: z.enum(['none', 'zero']),
  }),
});
export type AppliedRubric = z.infer<typeof appliedRubric>;

/** One column of the class: a check on a host (`controller:chrony.allow`) or on the lab as a whole (`lab:topology.ntp`). */
export const gradeColumn = z.strictObject({
  key: z.string(),
  /** null for a cross-host check. */
  host: z.string().nullable(),
  check: z.string(),
  title: z.string(),
  titleKo: z.string(),
  section: z.string(),
  points: z.number().nonnegative(),
  /** The check's own words (checks/check.ts): its general remedy (a verdict may give a more precise one), what is wrong without the command, and the Korean remedy. */
  fix: z.string(),
  hint: z.string(),
  hintKo: z.string(),
  fixKo: z.string(),
});
export type GradeColumn = z.infer<typeof gradeColumn>;

/**
 * One check of one lab. `counted` says whether it is in the lab's earned/possible points: a pass or a fail is; a skip,
 * a check worth 0 points, and an error are not (an error is never the student's fault: `cause` says why it errored).
 */
export const gradeCell = z.strictObject({
  key: z.string(),
  status,
  counted: z.boolean(),
  points: z.number().nonnegative(),
  earned: z.number().nonnegative(),
  /** For an error: `unreachable` (a host of the lab could not be read) or `unreadable` (labspec could not read or judge it). */
  cause: z.enum(['unreachable', 'unreadable']).nullable(),
  expected: z.string(),
  actual: z.string(),
  source: z.string(),
  message: z.string(),
  fix: z.string(),
});
export type GradeCell = z.infer<typeof gradeCell>;

/** A host of a lab as it was read: whether it was, and the identity facts it showed. */
export const gradedHost = z.strictObject({
  host: z.string(),
  address: z.string(),
  read: z.boolean(),
  /** Why it could not be read. */
  reason: z.string().nullable(),
  /** Per fact, the values read (a MAC per physical interface); a fact that could not be read is an empty list. */
  identity: z.strictObject(
    Object.fromEntries(CLONE_FACTS.map((f) => [f, z.array(z.string())])) as Record<CloneFact, z.ZodArray<z.ZodString>>,
  ),
});
export type GradedHost = z.infer<typeof gradedHost>;

/** Another lab this one shares a machine identity with. */
export const cloneMatch = z.strictObject({
  fact: cloneFact,
  value: z.string(),
  /** This lab's host that has it. */
  host: z.string(),
  /** The other labs (student ids) and their hosts with the same value. */
  others: z.array(z.strictObject({ lab: z.string(), id: z.string(), host: z.string() })),
});
export type CloneMatch = z.infer<typeof cloneMatch>;

/**
 * - graded: every host was read and every counted check judged; `grade` is set.
 * - not-graded: a host could not be read (`reason`: "could not connect (compute1: …)"); no grade, the points of the
 *   hosts that were read are shown for information.
 * - flagged: every host was read but some checks errored (labspec could not read or judge something); no grade until
 *   the instructor looks, and those checks are never counted as failed.
 */
export const gradeState = z.enum(['graded', 'not-graded', 'flagged']);
export type GradeState = z.infer<typeof gradeState>;

export const labGrade = z.strictObject({
  /** The inventory's lab name (report paths, junit classnames). */
  lab: z.string(),
  student,
  /** A file name stem for this student's files: from the id, no path separators, unique in the class. */
  fileName: z.string(),
  state: gradeState,
  /** Why it is not graded or flagged, in one line; empty when graded. */
  reason: z.string(),
  earned: z.number().nonnegative(),
  possible: z.number().nonnegative(),
  /** earned / possible × 100, 2 decimals; null when nothing was possible. */
  percent: z.number().nullable(),
  /** On the rubric's grade scale, after a clone consequence; null unless graded. */
  grade: z.number().nullable(),
  /** Why `grade` is not `percent` on the scale (a clone consequence), or null. */
  penalty: z.string().nullable(),
  clones: z.array(cloneMatch),
  hosts: z.array(gradedHost),
  /** One per column the lab has, in column order. */
  cells: z.array(gradeCell),
});
export type LabGrade = z.infer<typeof labGrade>;

/** A set of labs (two or more) that share one value of one identity fact. */
export const cloneGroup = z.strictObject({
  fact: cloneFact,
  value: z.string(),
  members: z.array(z.strictObject({ lab: z.string(), id: z.string(), host: z.string() })),
});
export type CloneGroup = z.infer<typeof cloneGroup>;

/** class.json: the whole class graded from one run's verdicts. The class CSV, Moodle CSV and HTML read this. */
export const classGradeDocument = z.strictObject({
  schema: z.literal(CLASS_SCHEMA),
  run: z.strictObject({
    id: z.string(),
    kind: z.enum(['live', 'replay']),
    gatheredBy: z.string(),
    startedAt: z.iso.datetime(),
    /** Only the checks this pattern selected were graded. */
    filter: z.string().nullable(),
  }),
  rubric: appliedRubric,
  columns: z.array(gradeColumn),
  labs: z.array(labGrade),
  cloneGroups: z.array(cloneGroup),
  summary: z.strictObject({
    labs: z.int(),
    graded: z.int(),
    notGraded: z.int(),
    flagged: z.int(),
    /** Labs in at least one clone group. */
    clones: z.int(),
    /** The mean of the graded labs' percent, 2 decimals; null when none was graded. */
    meanPercent: z.number().nullable(),
  }),
});
export type ClassGrade = z.infer<typeof classGradeDocument>;
