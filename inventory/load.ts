import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { CheckProfile } from './choices.ts';
import { isIP } from 'node:net';
import { dirname, isAbsolute, join } from 'node:path';
import { isMap, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { fillTemplate, labNameFromId, rosterFromCsv, rosterFromList, type RosterRow } from './roster.ts';
import {
  labEntry,
  manyLabs,
  rosterClass,
  singleLab,
  type ConnectionSettings,
  type HostIdentity,
  type LabEntry,
  type LabSettings,
  type RubricSettings,
  type Student,
} from './schema.ts';

export interface Connection {
  transport: 'ssh' | 'local';
  user?: string;
  port?: number;
  identityFile?: string;
  passwordEnv?: string;
  passphraseEnv?: string;
  knownHostsFile: string;
  strictHostKeyChecking: 'yes' | 'accept-new';
  proxyJump?: string;
  connectTimeoutSeconds: number;
  deadlineSeconds: number;
  maxProbeOutputMiB: number;
  maxHostOutputMiB: number;
  privateKeyEnv?: string;
  hostKey?: string;
}

/**
 * A limit given in MiB (`maxProbeOutputMiB`, `maxHostOutputMiB`, which may be fractions such as 0.5) in whole bytes,
 * rounded down: `head -c` on the host takes no fraction, and a limit is never raised by rounding.
 */
export function bytesOfMiB(mebibytes: number): number {
  return Math.floor(mebibytes * 1024 * 1024);
}

export interface HostSpec extends HostIdentity {
  connection: Connection;
}

export interface Lab {
  settings: LabSettings;
  hosts: HostSpec[];
  /** Who the lab belongs to; null outside a class (an inventory without labs: or roster:). */
  student: Student | null;
}

/** A check ID or a glob over IDs, and where it was chosen, for a problem to point at. */
export interface CheckChoice {
  pattern: string;
  /** `lab.yaml:12 checks.only[0]`, or the flag. */
  where: string;
}

export interface SkipChoice extends CheckChoice {
  /** What the reports show as the skip's message. */
  reason: string;
}

/** A choice of checks: the inventory's own (`profile`, `checks`), or the command line's, which adds to it or replaces it. */
export interface CheckChoices {
  profile: CheckProfile | null;
  only: CheckChoice[] | null;
  skip: SkipChoice[];
}

export interface Inventory {
  file: string;
  labs: Lab[];
  /** Written as a class (labs:, or roster: with template:): the run grades it. */
  isClass: boolean;
  rubric: LocatedRubric | null;
  checks: CheckChoices;
}

/** What the inventory YAML holds, in one of its three forms. */
type ParsedInventory = z.infer<typeof singleLab> | z.infer<typeof manyLabs> | z.infer<typeof rosterClass>;

/** The rubric written in the inventory or a rubric file, and where each check id's points are written. */
export interface LocatedRubric {
  file: string;
  settings: RubricSettings;
  /** Per check id in `points`, where its key is written: `file:LINE rubric.points.<id>`. */
  pointsAt: Record<string, string>;
}

/** One line per problem, each naming the file, the line and the path. */
export class InventoryError extends Error {
  readonly problems: string[];
  /** What was invalid, for the line that closes the list: `invalid inventory`, `invalid --target`. */
  readonly summary: string;
  constructor(problems: string[], summary = 'invalid inventory') {
    super(problems.join('\n'));
    this.problems = problems;
    this.summary = summary;
    this.name = 'InventoryError';
  }
}

/** What the reports call a lab's cross-host suite (`<lab>.lab`): no host may take the name. */
export const CROSS_HOST_NAME = 'lab';
const DEFAULT_LAB_NAME = 'default';

/** Far above any real class inventory; a limit keeps /dev/zero or a huge file from filling memory. */
export const MAX_INVENTORY_BYTES = 4 * 1024 * 1024;
/** YAML anchors may share a block between labs; an alias bomb stops here. */
const MAX_ALIASES = 1000;

export function loadInventory(file: string): Inventory {
  let text: string;
  try {
    text = readBoundedText(file, { noun: 'the inventory', kind: 'the inventory YAML' });
  } catch (error) {
    throw new InventoryError([`${file}: ${(error as Error).message}`]);
  }
  return parseInventory(text, file);
}

/**
 * A file labspec reads whole (inventory, roster, rubric): only a regular file, and only up to a limit, since a FIFO
 * would hang the run and a device would never end. Throws an Error whose message is the one-line reason.
 */
export function readBoundedText(file: string, what: { noun: string; kind: string }): string {
  let fd: number | undefined;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new Error(`not a regular file; give the path of ${what.kind}`);
    if (stat.size > MAX_INVENTORY_BYTES) throw new Error(`${stat.size} bytes, larger than ${MAX_INVENTORY_BYTES}`);
    fd = openSync(file, 'r');
    const buffer = Buffer.alloc(MAX_INVENTORY_BYTES + 1);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    if (length > MAX_INVENTORY_BYTES) throw new Error(`larger than ${MAX_INVENTORY_BYTES} bytes`);
    return buffer.toString('utf8', 0, length);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code ? `cannot read ${what.noun} (${code})` : (error as Error).message);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A YAML document checked against a schema, and how to name the line of a path in it: `file:LINE`. */
export interface LocatedYaml<T> {
  data: T;
  has(key: string): boolean;
  at(path: readonly PropertyKey[], keyNode?: boolean): string;
}

/** Parses YAML text against a schema; every problem is one line `file:LINE path: message`. */
export function parseYaml<T>(text: string, file: string, schema: (has: (key: string) => boolean) => z.ZodType<T>) {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineOf = (offset: number) => lineCounter.linePos(offset).line;
  if (doc.errors.length > 0) {
    throw new InventoryError(doc.errors.map((e) => `${file}:${lineOf(e.pos[0])} YAML: ${firstLine(e.message)}`));
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    throw new InventoryError([`${file}:${aliasLine(doc, lineOf)} YAML: ${firstLine((error as Error).message)}`]);
  }
  const has = (key: string) => isMap(doc.contents) && doc.contents.has(key);
  const at = (path: readonly PropertyKey[], keyNode = false) => `${file}:${lineOfPath(doc, path, lineOf, keyNode)}`;
  const parsed = schema(has).safeParse(raw ?? {});
  if (!parsed.success) {
    throw new InventoryError(parsed.error.issues.map((issue) => describeIssue(issue, doc, lineOf, file)));
  }
  return { data: parsed.data, has, at } satisfies LocatedYaml<T>;
}

export function parseInventory(text: string, file: string): Inventory {
  const { data, at } = parseYaml<ParsedInventory>(text, file, (has) =>
    has('roster') || has('template') ? rosterClass : has('labs') ? manyLabs : singleLab,
  );
  const locate = (path: readonly PropertyKey[]) => `${at(path)} ${formatPath(path)}`;
  if ('hosts' in data) return singleLabInventory(data, file, locate);
  const entries = 'roster' in data ? rosterLabs(data, file, at) : listedLabs(data.labs, at);
  const taken = new Set(entries.flatMap((e) => (e.entry.name ? [e.entry.name] : [])));
  const problems: string[] = [];
  const ids = new Map<string, number>();
  const names = new Map<string, number>();
  const labs = entries.map(({ entry, locate }, index) => {
    const name = entry.name ?? labNameFromId(entry.id!, index + 1, taken);
    taken.add(name);
    const student: Student = {
      id: entry.id ?? name,
      displayName: entry.displayName ?? null,
      members: entry.members ?? [],
      lmsId: entry.lmsId ?? null,
    };
    const lab = buildLab(name, entry.lab, mergeConnections(data.defaults, entry.defaults ?? {}), entry.hosts, student);
    for (const p of crossFieldProblems(lab)) problems.push(`${locate(p.path)}: ${p.message}`);
    const sameName = names.get(name);
    if (sameName !== undefined) problems.push(`${locate(['name'])}: duplicate lab name ${name}`);
    names.set(name, index);
    const sameId = ids.get(student.id);
    if (sameId !== undefined && entry.id !== undefined)
      problems.push(`${locate(['id'])}: duplicate student id ${student.id} (also lab ${sameId + 1})`);
    ids.set(student.id, index);
    return lab;
  });
  if (problems.length > 0) throw new InventoryError(problems);
  const rubric = data.rubric ? locatedRubric(data.rubric, file, at) : null;
  return { file, labs, isClass: true, rubric, checks: checkChoicesOf(data, locate) };
}

/**
 * One lab, from data in the single-lab form: an inventory file's, or what the command line's `--target`s give.
 * `locate` names the place of a path in it: `lab.yaml:12 hosts[1].role`, or the flag.
 */
export function singleLabInventory(
  data: z.infer<typeof singleLab>,
  file: string,
  locate: (path: readonly PropertyKey[]) => string,
): Inventory {
  const lab = buildLab(data.lab.name ?? DEFAULT_LAB_NAME, data.lab, data.defaults, data.hosts, null);
  const problems = crossFieldProblems(lab).map((p) => `${locate(p.path)}: ${p.message}`);
  if (problems.length > 0) throw new InventoryError(problems);
  return { file, labs: [lab], isClass: false, rubric: null, checks: checkChoicesOf(data, locate) };
}

/** The inventory's `profile` and `checks`, each choice with where it is written. */
function checkChoicesOf(
  data: Pick<z.infer<typeof singleLab>, 'profile' | 'checks'>,
  locate: (path: readonly PropertyKey[]) => string,
): CheckChoices {
  return {
    profile: data.profile ?? null,
    only: data.checks?.only?.map((pattern, i) => ({ pattern, where: locate(['checks', 'only', i]) })) ?? null,
    skip: (data.checks?.skip ?? []).map(({ id, reason }, i) => ({
      pattern: id,
      reason,
      where: locate(['checks', 'skip', i, 'id']),
    })),
  };
}

/** A lab entry of a class, and how a problem at a path inside it is located: `file:LINE path`. */
interface LocatedEntry {
  entry: LabEntry;
  locate(path: readonly PropertyKey[]): string;
}

function listedLabs(labs: readonly LabEntry[], at: (path: readonly PropertyKey[]) => string): LocatedEntry[] {
  return labs.map((entry, index) => ({
    entry,
    locate: (path) => `${at(['labs', index, ...path])} ${formatPath(['labs', index, ...path])}`,
  }));
}

/**
 * One lab per roster row: the template filled with the row's values, checked as a lab entry. A problem in a value
 * the template gave is located at the template's line and names the row; one in the student's own fields, at the row.
 */
function rosterLabs(
  data: z.infer<typeof rosterClass>,
  file: string,
  at: (path: readonly PropertyKey[], keyNode?: boolean) => string,
): LocatedEntry[] {
  const rosterKey = at(['roster']);
  let rows: RosterRow[];
  const problems: string[] = [];
  if (typeof data.roster === 'string') {
    const path = isAbsolute(data.roster) ? data.roster : join(dirname(file), data.roster);
    let text: string;
    try {
      text = readBoundedText(path, { noun: `the roster ${data.roster}`, kind: 'a roster CSV' });
    } catch (error) {
      throw new InventoryError([`${rosterKey} roster: ${(error as Error).message}`]);
    }
    const roster = rosterFromCsv(text, path);
    if (roster.problems.length > 0) throw new InventoryError(roster.problems.map((p) => `${p.where} ${p.message}`));
    rows = roster.rows;
  } else {
    rows = rosterFromList(data.roster, (index) => at(['roster', index]));
  }
  // Each row's lab name before any template is filled, so `{name}` can be used: the lab column, else from the id.
  const taken = new Set(rows.flatMap((r) => (typeof r.student.lab === 'string' ? [r.student.lab] : [])));
  const names = rows.map((row, index) => {
    if (typeof row.student.lab === 'string') return row.student.lab;
    const name = labNameFromId(row.values.id ?? '', index + 1, taken);
    taken.add(name);
    return name;
  });
  const entries: LocatedEntry[] = [];
  rows.forEach((row, index) => {
    const values = { n: String(index + 1), ...row.values };
    const templateAt = (path: readonly PropertyKey[]) =>
      `${at(['template', ...path])} template${path.length > 0 ? `.${formatPath(path)}` : ''}`;
    const rowName = `${row.where}${row.values.id ? ` ${row.values.id}` : ''}`;
    const locate = (path: readonly PropertyKey[]) =>
      typeof path[0] === 'string' && ['lab', 'defaults', 'hosts'].includes(path[0])
        ? `${templateAt(path)} (roster ${rowName})`
        : `${row.where} ${formatPath(path)}`;
    const name = names[index]!;
    const filled = fillTemplate({ ...data.template }, { ...values, name });
    for (const u of filled.unknown) {
      const columns = Object.keys(row.values).join(', ');
      problems.push(`${templateAt(u.path)}: ${u.placeholder} is not a roster column (columns: n, ${columns})`);
    }
    if (filled.unknown.length > 0) return;
    const { lab: _lab, ...student } = row.student;
    const parsed = labEntry.safeParse({ ...(filled.value as object), ...student, name });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(`${locate(issue.path)}: ${issue.message}`);
      return;
    }
    entries.push({ entry: parsed.data, locate });
  });
  if (problems.length > 0) throw new InventoryError([...new Set(problems)]);
  return entries;
}

function locatedRubric(
  settings: RubricSettings,
  file: string,
  at: (path: readonly PropertyKey[], keyNode?: boolean) => string,
): LocatedRubric {
  const points = settings.points ?? {};
  return {
    file,
    settings,
    pointsAt: Object.fromEntries(
      Object.keys(points).map((id) => [id, `${at(['rubric', 'points', id], true)} rubric.points.${id}`]),
    ),
  };
}

type HostEntry = z.infer<typeof singleLab>['hosts'][number];

function buildLab(
  name: string,
  settings: z.infer<typeof singleLab>['lab'],
  defaults: ConnectionSettings,
  hosts: HostEntry[],
  student: Student | null,
): Lab {
  return {
    student,
    settings: { ...settings, name },
    hosts: hosts.map(({ name: hostName, address, labAddress, role, hostname, ...overrides }) => ({
      lab: name,
      name: hostName,
      address,
      labAddress: labAddress ?? address,
      role,
      ...(hostname !== undefined ? { hostname } : {}),
      connection: resolveConnection(mergeConnections(defaults, withoutUndefined(overrides))),
    })),
  };
}

/**
 * Connection settings of a level over those of the level above (class defaults, a lab's defaults, a host): the more
 * specific wins. A key is named once, by a file or by a variable: a level that names one replaces both above it.
 */
function mergeConnections(above: ConnectionSettings, level: ConnectionSettings): ConnectionSettings {
  const namesKey = level.identityFile !== undefined || level.privateKeyEnv !== undefined;
  const { identityFile: _file, privateKeyEnv: _variable, ...keyless } = above;
  return { ...(namesKey ? keyless : above), ...level };
}

function resolveConnection(settings: ConnectionSettings): Connection {
  const { password: _password, passphrase: _passphrase, ...rest } = settings;
  return {
    ...rest,
    transport: rest.transport ?? 'ssh',
    knownHostsFile: rest.knownHostsFile ?? '~/.ssh/known_hosts',
    strictHostKeyChecking: rest.strictHostKeyChecking ?? 'yes',
    connectTimeoutSeconds: rest.connectTimeoutSeconds ?? 10,
    deadlineSeconds: rest.deadlineSeconds ?? 60,
    maxProbeOutputMiB: rest.maxProbeOutputMiB ?? 8,
    maxHostOutputMiB: rest.maxHostOutputMiB ?? 32,
  };
}

/** Problems no single field shows, each at the path inside the lab that a person must change. */
function crossFieldProblems(lab: Lab): Array<{ path: PropertyKey[]; message: string }> {
  const problems: Array<{ path: PropertyKey[]; message: string }> = [];
  const seen = new Map<string, number>();
  lab.hosts.forEach((host, index) => {
    const first = seen.get(host.name);
    if (first !== undefined)
      problems.push({
        path: ['hosts', index, 'name'],
        message: `duplicate host name ${host.name} (also hosts[${first}])`,
      });
    else seen.set(host.name, index);
    if (host.name.toLowerCase() === CROSS_HOST_NAME) {
      problems.push({
        path: ['hosts', index, 'name'],
        message: `'${CROSS_HOST_NAME}' names the cross-host checks in the reports; rename the host`,
      });
    }
  });
  lab.hosts.forEach((host, index) => {
    if (isIP(host.labAddress) !== 4)
      problems.push({
        path: ['hosts', index, 'labAddress'],
        message: `required when address (${host.address}) is not an IPv4 address: the lab address is what /etc/hosts and chrony must name`,
      });
  });
  const controllers = lab.hosts.filter((h) => h.role === 'controller');
  if (controllers.length > 1) {
    const index = lab.hosts.indexOf(controllers[1]!);
    problems.push({
      path: ['hosts', index, 'role'],
      message: `a lab has at most one controller (${controllers.map((c) => c.name).join(', ')})`,
    });
  }
  return problems;
}

function describeIssue(
  issue: z.core.$ZodIssue,
  doc: Document,
  lineOf: (offset: number) => number,
  file: string,
): string {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys
      .map((key) => {
        const path = [...issue.path, key];
        return `${file}:${lineOfPath(doc, path, lineOf, true)} ${formatPath(path)}: unknown key`;
      })
      .join('\n');
  }
  const where = issue.path.length > 0 ? `${formatPath(issue.path)}: ` : '';
  return `${file}:${lineOfPath(doc, issue.path, lineOf)} ${where}${issue.message}`;
}

/** The line of the deepest existing node on the path (a missing key points at its parent). */
function lineOfPath(
  doc: Document,
  path: readonly PropertyKey[],
  lineOf: (offset: number) => number,
  keyNode = false,
): number {
  for (let depth = path.length; depth > 0; depth--) {
    const parentPath = path.slice(0, depth - 1);
    const parent = parentPath.length === 0 ? doc.contents : doc.getIn(parentPath as unknown[], true);
    if (isMap(parent)) {
      const pair = parent.items.find((item) => (item.key as { value?: unknown } | null)?.value === path[depth - 1]);
      const node = (keyNode ? pair?.key : (pair?.value ?? pair?.key)) as
        { range?: [number, number, number] } | undefined;
      if (node?.range) return lineOf(node.range[0]);
    } else {
      const node = doc.getIn(path.slice(0, depth) as unknown[], true) as
        { range?: [number, number, number] } | undefined;
      if (node?.range) return lineOf(node.range[0]);
    }
  }
  return 1;
}

function formatPath(path: readonly PropertyKey[]): string {
  return (
    path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('') ||
    '(top)'
  );
}

/** The line of the first alias that does not resolve, or else of the first alias: where an alias problem starts. */
function aliasLine(doc: Document, lineOf: (offset: number) => number): number {
  let first: number | undefined;
  let unresolved: number | undefined;
  visit(doc, {
    Alias(_, node) {
      const line = node.range ? lineOf(node.range[0]) : 1;
      first ??= line;
      if (unresolved === undefined && !node.resolve(doc)) unresolved = line;
    },
  });
  return unresolved ?? first ?? 1;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

export function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
