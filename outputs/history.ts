import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CLASS_SCHEMA, gradeState, type ClassGrade } from '../grade/model.ts';
import { csvText } from '../inventory/csv.ts';
import { spreadsheetText, STATE_WORDS, UTF8_BOM } from './class-csv.ts';

export const HISTORY_SCHEMA = 'labspec/history@1';

/** What history needs of a run's class.json; other keys are ignored, so older runs still count. */
const pastGrade = z.object({
  schema: z.literal(CLASS_SCHEMA),
  run: z.object({ id: z.string(), kind: z.enum(['live', 'replay']), startedAt: z.string() }),
  labs: z.array(
    z.object({
      lab: z.string(),
      student: z.object({ id: z.string(), displayName: z.string().nullable() }),
      state: gradeState,
      percent: z.number().nullable(),
      grade: z.number().nullable(),
    }),
  ),
});
type PastGrade = z.infer<typeof pastGrade>;

const score = z.strictObject({ state: gradeState, percent: z.number().nullable(), grade: z.number().nullable() });

/** history.json: every run's score of every student, oldest run first; the scoreboard draws each student's trend. */
export const historyDocument = z.strictObject({
  schema: z.literal(HISTORY_SCHEMA),
  runs: z.array(z.strictObject({ id: z.string(), kind: z.enum(['live', 'replay']), startedAt: z.string() })),
  students: z.array(
    z.strictObject({
      id: z.string(),
      displayName: z.string().nullable(),
      /** The student's lab in the latest run that graded them. */
      lab: z.string(),
      /** One per run, in `runs` order; null when the run did not grade this student (`--lab`, not yet on the roster). */
      scores: z.array(score.nullable()),
    }),
  ),
});
export type HistoryDocument = z.infer<typeof historyDocument>;

/**
 * The class.json of every earlier run in `runsDir` (runs/<id>/class.json), oldest first, except `current`. A run
 * without one (not a class, or written before grading) is skipped, and so is a file that is not one: history
 * never stops a run.
 */
export function readPastGrades(runsDir: string, current: string): PastGrade[] {
  let runIds: string[];
  try {
    runIds = readdirSync(runsDir).filter((name) => !name.startsWith('.') && name !== current);
  } catch {
    return [];
  }
  const grades: PastGrade[] = [];
  for (const id of runIds.sort()) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(join(runsDir, id, 'class.json'), 'utf8'));
    } catch {
      continue;
    }
    const parsed = pastGrade.safeParse(json);
    if (parsed.success) grades.push(parsed.data);
  }
  return grades;
}

/** The history of the runs given (oldest first), students in the order of their first appearance. */
export function buildHistory(grades: ReadonlyArray<PastGrade | ClassGrade>): HistoryDocument {
  const runs = grades.map((g) => ({ id: g.run.id, kind: g.run.kind, startedAt: g.run.startedAt }));
  const students = new Map<string, HistoryDocument['students'][number]>();
  grades.forEach((g, index) => {
    for (const lab of g.labs) {
      const student = students.get(lab.student.id) ?? {
        id: lab.student.id,
        displayName: lab.student.displayName,
        lab: lab.lab,
        scores: new Array<z.infer<typeof score> | null>(grades.length).fill(null),
      };
      student.displayName = lab.student.displayName ?? student.displayName;
      student.lab = lab.lab;
      student.scores[index] = { state: lab.state, percent: lab.percent, grade: lab.grade };
      students.set(lab.student.id, student);
    }
  });
  return { schema: HISTORY_SCHEMA, runs, students: [...students.values()] };
}

/** history.csv: one row per student, one column per run (its id) with the percent, or the state when not graded. */
export function buildHistoryCsv(history: HistoryDocument): string {
  const header = ['id', 'displayName', ...history.runs.map((r) => r.id)];
  const rows = history.students.map((s) =>
    [
      s.id,
      s.displayName,
      ...s.scores.map((score) =>
        score === null ? null : score.state === 'graded' ? score.percent : STATE_WORDS[score.state],
      ),
    ].map(spreadsheetText),
  );
  return UTF8_BOM + csvText([header, ...rows]);
}
