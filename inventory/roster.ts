import { CsvSyntaxError, parseCsv } from './csv.ts';

/** The roster columns that say who the student is; every other column is a value for the template. */
export const STUDENT_COLUMNS = ['id', 'displayName', 'members', 'lmsId', 'lab'] as const;

/** One student of a roster, before the template makes a lab of it. */
export interface RosterRow {
  /** Where the row is written: `students.csv:5`, or `class.yaml:12` for a list in the inventory. */
  where: string;
  /** The student's fields as written (id, displayName, members, lmsId, lab), checked with the lab they make. */
  student: Record<string, unknown>;
  /** What the template's `{column}` placeholders are filled with: every column, as text. */
  values: Record<string, string>;
}

/** A roster problem: where, then what. */
export interface RosterProblem {
  where: string;
  message: string;
}

/**
 * A roster CSV: a header row naming the columns (`id` required; `displayName`, `members` — separated by `;` —,
 * `lmsId`, `lab` optional; any other column is a value for the template), then one row per student.
 */
export function rosterFromCsv(text: string, file: string): { rows: RosterRow[]; problems: RosterProblem[] } {
  let records;
  try {
    records = parseCsv(text);
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    return { rows: [], problems: [{ where: `${file}:${error.line}`, message: `CSV: ${error.message}` }] };
  }
  const [header, ...body] = records;
  if (header === undefined) return { rows: [], problems: [{ where: `${file}:1`, message: 'the roster is empty' }] };
  const columns = header.fields.map((c) => c.trim());
  const problems: RosterProblem[] = [];
  columns.forEach((column, index) => {
    if (column === '') problems.push({ where: `${file}:${header.line}`, message: `column ${index + 1} has no name` });
    else if (columns.indexOf(column) !== index)
      problems.push({ where: `${file}:${header.line}`, message: `column ${column} appears twice` });
  });
  if (!columns.includes('id')) {
    problems.push({ where: `${file}:${header.line}`, message: `no id column (columns: ${columns.join(', ')})` });
  }
  if (body.length === 0) problems.push({ where: `${file}:${header.line}`, message: 'no student after the header' });
  if (problems.length > 0) return { rows: [], problems };
  const rows: RosterRow[] = [];
  for (const record of body) {
    const where = `${file}:${record.line}`;
    if (record.fields.length !== columns.length) {
      problems.push({ where, message: `${record.fields.length} fields, the header has ${columns.length}` });
      continue;
    }
    const values = Object.fromEntries(columns.map((c, i) => [c, record.fields[i]!.trim()]));
    const student: Record<string, unknown> = {};
    for (const column of STUDENT_COLUMNS) {
      const value = values[column];
      if (value === undefined || (value === '' && column !== 'id')) continue;
      student[column] =
        column === 'members'
          ? value
              .split(';')
              .map((m) => m.trim())
              .filter((m) => m !== '')
          : value;
    }
    rows.push({ where, student, values });
  }
  return { rows, problems };
}

/** A roster written in the inventory: a list of students, each a mapping (numbers are values for the template). */
export function rosterFromList(list: ReadonlyArray<Record<string, unknown>>, whereOf: (index: number) => string) {
  return list.map((item, index): RosterRow => {
    const student: Record<string, unknown> = {};
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries(item)) {
      if ((STUDENT_COLUMNS as readonly string[]).includes(key)) student[key] = value;
      if (typeof value === 'string' || typeof value === 'number') values[key] = String(value);
    }
    return { where: whereOf(index), student, values };
  });
}

/** Settings the schema wants as numbers: a placeholder there is filled in as text and read as a number. */
const NUMERIC_KEYS = new Set([
  'port',
  'connectTimeoutSeconds',
  'deadlineSeconds',
  'maxProbeOutputMiB',
  'maxHostOutputMiB',
  'minCpus',
  'minRootDiskGiB',
  'chronySyncWaitSeconds',
  'major',
]);

const PLACEHOLDER = /\{([A-Za-z_][\w-]*)\}/g;

/**
 * The template with every `{column}` replaced by the row's value, and the placeholders the row has no value for
 * (each with its path in the template). A value filled into a numeric setting (`port: "{port}"`) is read as a number
 * when it is one.
 */
export function fillTemplate(
  template: unknown,
  values: Readonly<Record<string, string>>,
  path: PropertyKey[] = [],
): { value: unknown; unknown: Array<{ path: PropertyKey[]; placeholder: string }> } {
  const unknown: Array<{ path: PropertyKey[]; placeholder: string }> = [];
  const fill = (node: unknown, at: PropertyKey[]): unknown => {
    if (typeof node === 'string') {
      let used = false;
      const text = node.replace(PLACEHOLDER, (whole, name: string) => {
        used = true;
        const value = values[name];
        if (value === undefined) {
          unknown.push({ path: at, placeholder: whole });
          return whole;
        }
        return value;
      });
      const key = at[at.length - 1];
      return used && typeof key === 'string' && NUMERIC_KEYS.has(key) && /^\d+(\.\d+)?$/.test(text)
        ? Number(text)
        : text;
    }
    if (Array.isArray(node)) return node.map((item, index) => fill(item, [...at, index]));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, fill(value, [...at, key])]));
    }
    return node;
  };
  return { value: fill(template, path), unknown };
}

/**
 * A hostname label for a lab from its student's id, for report paths and JUnit classnames: lowercase letters, digits
 * and `-` (`maria.garcia` → `maria-garcia`, `jdoe_22` → `jdoe-22`); `lab<N>` when nothing is left (an id in Hangul);
 * `-2`, `-3` … when taken.
 */
export function labNameFromId(id: string, position: number, taken: ReadonlySet<string>): string {
  const slug = id
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 55)
    .replace(/-$/, '');
  const base = slug === '' ? `lab${position}` : slug;
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  return name;
}
