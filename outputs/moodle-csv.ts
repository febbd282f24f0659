import type { ClassGrade, LabGrade } from '../grade/model.ts';
import { csvText } from '../inventory/csv.ts';
import { spreadsheetText, UTF8_BOM } from './class-csv.ts';

export const MOODLE_COLUMNS = ['Identifier', 'Lab grade', 'Feedback'] as const;

/** Feedback stays short: Moodle shows it next to the grade. */
const FAILED_NAMED = 8;

/**
 * moodle.csv, for Moodle's gradebook import (Grades › Import › CSV file): one row per graded lab with the student's
 * identifier (the LMS id, else the id), the grade on the rubric's scale and a feedback text. At import, map
 * "Identifier" to the user field it holds (ID number, email address or username), "Lab grade" to the grade item and
 * "Feedback" to its feedback.
 *
 * Only graded labs are written: Moodle reads an empty grade as "no grade" and would erase a grade already there, and
 * an identifier it does not know stops the whole import, so a lab that is not graded or flagged is left for the
 * instructor to settle (class.csv lists them). UTF-8 with a byte-order mark, which Moodle's CSV reader removes.
 */
export function buildMoodleCsv(grade: ClassGrade): string {
  const rows = grade.labs
    .filter((lab) => lab.state === 'graded' && lab.grade !== null)
    .map((lab) => [lab.student.lmsId ?? lab.student.id, lab.grade, feedback(lab, grade)].map(spreadsheetText));
  return UTF8_BOM + csvText([[...MOODLE_COLUMNS], ...rows]);
}

/** What the student reads next to the grade: the points, what failed, the checks that were not counted. */
export function feedback(lab: LabGrade, grade: ClassGrade): string {
  const titleOf = new Map(grade.columns.map((c) => [c.key, c.title]));
  const failed = lab.cells.filter((c) => c.status === 'fail' && c.counted);
  const parts = [`labspec: ${lab.earned} of ${lab.possible} points (${lab.percent}%).`];
  if (lab.penalty !== null) {
    parts.push(
      'Graded 0: a machine of this lab has the same identity as a machine of another lab; see your instructor.',
    );
  }
  if (failed.length === 0) parts.push('Every graded check passed.');
  else {
    const named = failed.slice(0, FAILED_NAMED).map((c) => `${c.key} (${titleOf.get(c.key)})`);
    const more = failed.length > FAILED_NAMED ? `, and ${failed.length - FAILED_NAMED} more` : '';
    parts.push(`Failed: ${named.join('; ')}${more}.`);
  }
  return parts.join(' ');
}
