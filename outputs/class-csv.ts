import { describeClones } from '../grade/grade.ts';
import type { ClassGrade, LabGrade } from '../grade/model.ts';
import { csvText } from '../inventory/csv.ts';

/** Spreadsheets open UTF-8 CSV as UTF-8 (Korean names intact) only when it starts with a byte-order mark. */
export const UTF8_BOM = '\uFEFF';

/** How class.csv and the console write a state. */
export const STATE_WORDS: Record<LabGrade['state'], string> = {
  graded: 'graded',
  'not-graded': 'not graded',
  flagged: 'flagged',
};

/**
 * class.csv: one row per lab — who (id, display name, members, LMS id, lab), the score (earned, possible, percent,
 * grade on the rubric's scale), the state and why, clone flags — then one column per host and check
 * (`controller:chrony.allow`) holding its verdict: pass, fail, error or skip; empty when the lab has no such check.
 */
export function buildClassCsv(grade: ClassGrade): string {
  const header = [
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
    ...grade.columns.map((c) => c.key),
  ];
  const rows = grade.labs.map((lab) => {
    const byKey = new Map(lab.cells.map((c) => [c.key, c.status]));
    return [
      lab.student.id,
      lab.student.displayName,
      lab.student.members.join('; '),
      lab.student.lmsId,
      lab.lab,
      lab.earned,
      lab.possible,
      lab.percent,
      lab.grade,
      STATE_WORDS[lab.state],
      [lab.reason, lab.penalty ?? ''].filter((r) => r !== '').join('; '),
      describeClones(lab.clones),
      ...grade.columns.map((c) => byKey.get(c.key) ?? null),
    ].map(spreadsheetText);
  });
  return UTF8_BOM + csvText([header, ...rows]);
}

/**
 * Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) gets a leading apostrophe, so a name
 * or a message from a host can never become one; numbers stay numbers.
 */
export function spreadsheetText(value: string | number | null): string | number | null {
  return typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}
